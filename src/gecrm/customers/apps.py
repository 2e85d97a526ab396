from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "gecrm.customers"
    verbose_name = _("Customers")

    def ready(self):
        from . import importers  # noqa: F401 - registers the import and export kinds
