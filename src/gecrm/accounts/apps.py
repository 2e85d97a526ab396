from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gecrm.accounts"
    verbose_name = _("Account assignments")

    def ready(self):
        from . import importers  # noqa: F401 - registers the import and export kinds
