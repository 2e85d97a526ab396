from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("me/", views.my_scope, name="my_scope"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/<str:username>/", views.role_edit, name="role_edit"),
]
