from django.contrib import admin

from .models import Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "segment", "industry", "org_unit", "region", "status"]
    list_filter = ["segment", "status"]
    search_fields = ["code", "name", "uscc"]
    readonly_fields = ["path", "depth", "version"]
    raw_id_fields = ["parent", "org_unit", "region"]
    list_select_related = ["org_unit", "region"]
    inlines = [ContactInline]
