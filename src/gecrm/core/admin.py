from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ObjectChange


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    """The change log is read-only, even for superusers."""

    list_display = ["time", "actor_name", "ip", "action", "object_type", "object_repr", "source"]
    list_filter = ["action", "object_type", "source"]
    search_fields = ["object_repr", "object_id", "actor_name"]
    # Personal values in `changes` are masked here too (see gecrm.audit.masking).
    exclude = ["changes"]
    readonly_fields = ["masked_changes"]

    @admin.display(description=_("changes"))
    def masked_changes(self, obj):
        from gecrm.audit.masking import mask_changes

        return mask_changes(obj.object_type, obj.changes)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
