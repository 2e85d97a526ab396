from django.contrib import admin

from .models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "is_ict"]
    list_filter = ["category", "is_ict"]
    search_fields = ["code", "name"]
