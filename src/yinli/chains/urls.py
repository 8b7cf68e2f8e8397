"""Pages of the chains app."""

app_name = "chains"

urlpatterns: list = []
