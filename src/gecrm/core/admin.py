from django.contrib import admin

from .models import ObjectChange


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    """The change log is read-only, even for superusers."""

    list_display = ["time", "actor_name", "ip", "action", "object_type", "object_repr", "source"]
    list_filter = ["action", "object_type", "source"]
    search_fields = ["object_repr", "object_id", "actor_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
