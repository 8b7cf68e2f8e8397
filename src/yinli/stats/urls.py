"""Statistics pages: the dashboard (urls_dashboard) and published reports (urls_reports)."""

from . import urls_dashboard, urls_reports

app_name = "stats"

urlpatterns = [*urls_dashboard.urlpatterns, *urls_reports.urlpatterns]
