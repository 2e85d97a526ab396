"""Read-only admin views of billing batches: every write goes through the actions (import,
rollback), so that facts, rollup and change log stay consistent."""

from django.contrib import admin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "file_name", "first_month", "last_month", "rows", "facts", "status",
                    "created_by", "created_at")  # fmt: skip
    list_filter = ("status", "partial")
    search_fields = ("file_name", "checksum")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
