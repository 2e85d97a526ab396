"""The `gecrm` console script: Django's management entry point with our commands."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gecrm.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
