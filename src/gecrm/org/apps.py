from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "gecrm.org"
    verbose_name = _("Organisation")

    def ready(self):
        from . import importers  # noqa: F401 - registers the import and export kinds
