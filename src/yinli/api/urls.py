from .api import api

# The namespace ninja reverses its own URLs in (the docs page, the schema's root path).
app_name = api.urls_namespace
urlpatterns = api.urls[0]
