from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/rollback/", views.batch_rollback, name="batch_rollback"),
]
