from django.urls import path

from . import views

app_name = "kpi"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("compute/", views.compute, name="compute"),
    path("reports/<slug:name>/", views.report_page, name="report"),
    path("reports/<slug:name>/export/<str:fmt>/", views.report_export, name="report_export"),
    path("targets/", views.target_list, name="targets"),
    path("targets/add/", views.target_edit, name="target_add"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
]
