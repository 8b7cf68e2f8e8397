from django.urls import path

from . import views_notifications

app_name = "notifications"

urlpatterns = [
    path("", views_notifications.notification_list, name="list"),
    path("read/", views_notifications.notification_read, name="read"),
]
