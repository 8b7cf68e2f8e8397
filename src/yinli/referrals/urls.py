"""Pages of the referrals app."""

from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="index"),
    path("new/", views.referral_create, name="create"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("targets/<int:pk>/acknowledge/", views.target_acknowledge, name="acknowledge"),
    path("targets/<int:pk>/feedback/", views.target_feedback, name="feedback"),
    path("targets/<int:pk>/evaluate/", views.target_evaluate, name="evaluate"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("evaluations/", views.evaluation_list, name="evaluations"),
    path("evaluations/new/", views.evaluation_create, name="evaluation-create"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("scorecards/", views.scorecard_list, name="scorecards"),
    path("profiles/", views.profile_list, name="profiles"),
    path("profiles/<int:district_pk>/", views.profile_edit, name="profile-edit"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_edit, name="meeting-create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meeting-items/<int:pk>/remove/", views.meeting_item_remove, name="meeting-item-remove"),
]
