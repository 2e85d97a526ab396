"""`gecrm export KIND`: the rows in the exchange format, ready to edit and import again."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gecrm.core.exporting import EXPORTERS, ExportError, write_export


class Command(BaseCommand):
    help = (
        "Export org units, staff, products, customers, assignments, billing or pilots as CSV or "
        ".xlsx: in the import format (re-imports unchanged) or as a report for people."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(EXPORTERS))
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", dest="fmt")
        parser.add_argument(
            "--shape",
            choices=["import", "report"],
            default="import",
            help="import: the import columns and codes (default); report: translated headers, "
            "labels, names beside codes, formatted .xlsx.",
        )
        parser.add_argument("--output", "-o", help="File to write (default: stdout for CSV).")
        parser.add_argument(
            "--user", help="Export only what this user may see (default: everything)."
        )
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="A filter of the list, e.g. segment=fin or org_unit=GD (repeatable).",
        )

    def handle(self, *args, kind, fmt, shape, output, user, filter, **options):
        actor = None
        if user:
            actor = get_user_model()._default_manager.filter(username=user).first()
            if actor is None:
                raise CommandError(_("No user “%(name)s”.") % {"name": user})
        filters: dict[str, list[str]] = {}
        for item in filter:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise CommandError(_("A filter is KEY=VALUE, not “%(item)s”.") % {"item": item})
            filters.setdefault(key.strip(), []).append(value.strip())
        if fmt == "xlsx" and not output:
            raise CommandError(_("An .xlsx export needs --output FILE."))
        try:
            if output:
                with open(output, "wb") as stream:
                    write_export(kind, actor, stream, fmt, filters, shape=shape)
            else:
                try:
                    write_export(kind, actor, sys.stdout.buffer, fmt, filters, shape=shape)
                    sys.stdout.flush()
                except BrokenPipeError:
                    # `gecrm export customers | head`: the reader has seen enough.
                    sys.stderr.close()
                    sys.exit(0)
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
