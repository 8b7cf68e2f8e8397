"""Pages of the fieldwork app."""

app_name = "fieldwork"

urlpatterns: list = []
