"""Filled by the Statistics issue."""

urlpatterns: list = []
