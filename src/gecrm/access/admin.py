from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .actions import do_revoke_api_tokens
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are issued by `gecrm token create` (the raw token is shown once) and
    revoked by the logged action below, never edited field by field."""

    list_display = ["prefix", "user", "description", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__username", "description"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke(self, request, queryset):
        count = do_revoke_api_tokens(queryset, actor=request.user, source="admin")
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": count})
