from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from yinli.projects.export import project_export_csv

admin.site.site_header = _("Yinli administration")
admin.site.site_title = _("Yinli administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("yinli.api.urls")),
    path("projects/export.csv", project_export_csv, name="project-export"),
    path("projects/", include("yinli.projects.urls")),
    path("companies/", include("yinli.companies.urls")),
    path("stats/", include("yinli.stats.urls")),
    path("ledger/", include("yinli.ledger.urls")),
    path("fieldwork/", include("yinli.fieldwork.urls")),
    path("referrals/", include("yinli.referrals.urls")),
    path("chains/", include("yinli.chains.urls")),
    path("reporting/", include("yinli.reporting.urls")),
    path("targets/", include("yinli.targets.urls")),
    path("followup/", include("yinli.followup.urls")),
    path("supervision/", include("yinli.supervision.urls")),
    path("notifications/", include("yinli.core.urls")),
    path("", include("yinli.web.urls")),
]
