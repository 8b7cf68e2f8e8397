"""Pages of the targets app."""

app_name = "targets"

urlpatterns: list = []
