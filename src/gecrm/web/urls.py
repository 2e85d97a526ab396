from django.urls import path

from . import notifications, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("org/", views.org_tree, name="org_tree"),
    path("org/add/", views.OrgUnitEditView.as_view(), name="orgunit_add"),
    path("org/<str:code>/", views.OrgUnitDetailView.as_view(), name="orgunit_detail"),
    path("org/<str:code>/edit/", views.OrgUnitEditView.as_view(), name="orgunit_edit"),
    path("org/<str:code>/children/", views.orgunit_children, name="orgunit_children"),
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("staff/<str:username>/", views.StaffDetailView.as_view(), name="staff_detail"),
    path("staff/<str:username>/edit/", views.StaffEditView.as_view(), name="staff_edit"),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/add/", views.CustomerEditView.as_view(), name="customer_add"),
    path("customers/<str:code>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("customers/<str:code>/edit/", views.CustomerEditView.as_view(), name="customer_edit"),
    path("customers/<str:code>/branches/", views.customer_children, name="customer_children"),
    path("customers/<str:code>/contacts/add/", views.ContactEditView.as_view(), name="contact_add"),
    path(
        "customers/<str:code>/contacts/<int:pk>/edit/",
        views.ContactEditView.as_view(),
        name="contact_edit",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/bell/", notifications.notification_bell, name="notification_bell"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/add/", views.ProductEditView.as_view(), name="product_add"),
    path("products/<str:code>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("products/<str:code>/edit/", views.ProductEditView.as_view(), name="product_edit"),
]
