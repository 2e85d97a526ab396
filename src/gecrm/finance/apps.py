from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "gecrm.finance"
    verbose_name = _("Finance")

    def ready(self):
        from . import importers  # noqa: F401 - registers the billing import and export kinds
