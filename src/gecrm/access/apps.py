from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "gecrm.access"
    verbose_name = _("Access")

    def ready(self):
        from . import scopes  # noqa: F401 - registers the data-scope rules
