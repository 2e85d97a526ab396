from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Security events are read-only, even for superusers."""

    list_display = ["time", "kind", "username", "ip", "object_repr", "source"]
    list_filter = ["kind", "source"]
    search_fields = ["username", "object_repr", "object_id"]
    date_hierarchy = "time"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (
            request.user.is_superuser or request.user.has_perm("audit.view_auditlog")
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
