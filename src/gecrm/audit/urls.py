from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.ChangeLogView.as_view(), name="changes"),
    path("events/", views.SecurityEventView.as_view(), name="events"),
    path("export/<str:tab>.csv", views.export_log, name="export"),
    path("reveal/<str:object_type>/<int:pk>/", views.reveal, name="reveal"),
]
