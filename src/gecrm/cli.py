"""The `gecrm` console script: Django's management entry point with our commands."""

import os
import sys


def cli_language(environ=os.environ) -> str:
    """The language of command output: Chinese when the POSIX locale asks for it, else English.

    LC_ALL, LC_MESSAGES and LANG are read in that order, as gettext does; GECRM_LANGUAGE
    (``zh-hans`` or ``en``) overrides them.
    """
    if environ.get("GECRM_LANGUAGE") in ("zh-hans", "en"):
        return environ["GECRM_LANGUAGE"]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(name):
            return "zh-hans" if value.lower().startswith("zh") else "en"
    return "en"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gecrm.settings")
    import django
    from django.conf import settings
    from django.core.management import execute_from_command_line
    from django.utils import translation

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    django.setup()
    translation.activate(cli_language())
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
