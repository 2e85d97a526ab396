from django.contrib import admin

from .models import OrgUnit, Region, Staff, StaffPost


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "segment", "region", "path"]
    list_filter = ["kind", "segment"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth", "version"]
    raw_id_fields = ["parent", "region"]


class StaffPostInline(admin.TabularInline):
    model = StaffPost
    extra = 0


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "org_unit", "email", "phone"]
    search_fields = ["user__username", "name"]
    raw_id_fields = ["user", "org_unit"]
    inlines = [StaffPostInline]
