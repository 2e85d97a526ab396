from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gecrm.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("audit/", include("gecrm.audit.urls")),  # namespace "audit"
    path("imports/", include("gecrm.web.imports")),  # namespace "imports" (web/imports.py)
    path("access/", include("gecrm.access.urls")),  # namespace "access"
    path("finance/", include("gecrm.finance.urls")),  # namespace "finance"
    path("kpi/", include("gecrm.kpi.urls")),  # namespace "kpi"
    path("teams/", include("gecrm.accounts.urls")),  # namespace "accounts"
    path("", include("gecrm.web.urls")),
]
