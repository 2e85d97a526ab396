from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "gecrm.catalog"
    verbose_name = _("Product catalogue")

    def ready(self):
        from . import importers  # noqa: F401 - registers the import and export kinds
