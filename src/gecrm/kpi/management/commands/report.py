"""`gecrm report NAME --month YYYY-MM`: a KPI report as CSV (stdout), .xlsx or JSON."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gecrm.core.months import parse_month
from gecrm.kpi import engine
from gecrm.kpi.reports import FORMATS, REPORTS, NotComputedError, ReportError, write_report


class Command(BaseCommand):
    help = "Write a KPI report (industry-scorecard, org-scorecard, chief-am-scorecard, " + (
        "customer-ranking)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help=", ".join(REPORTS))
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--format", choices=FORMATS, default="csv", dest="fmt")
        parser.add_argument("--output", "-o", help="File to write (default: stdout; not xlsx).")
        parser.add_argument("--user", help="Only what this user may see (default: everything).")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="e.g. order=growth, direction=bottom, limit=50, industry=fin.bank, "
            "org_unit=GD, covered=true, root=GD (repeatable).",
        )
        parser.add_argument(
            "--compute",
            action="store_true",
            help="Compute the month first when it has not been computed.",
        )

    def handle(self, *args, name, month, fmt, output, user, filter, compute, **options):
        report = REPORTS.get(name)
        if report is None:
            raise CommandError(
                _("Unknown report “%(name)s”. Reports: %(names)s.")
                % {"name": name, "names": ", ".join(REPORTS)}
            )
        try:
            number = parse_month(month)
        except ValueError as exc:
            raise CommandError(f"--month {month}: {exc}") from exc
        actor = None
        if user:
            actor = get_user_model()._default_manager.filter(username=user).first()
            if actor is None:
                raise CommandError(_("No user “%(name)s”.") % {"name": user})
        filters = {}
        for item in filter:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise CommandError(_("A filter is KEY=VALUE, not “%(item)s”.") % {"item": item})
            filters[key.strip()] = value.strip()
        if fmt == "xlsx" and not output:
            raise CommandError(_("An .xlsx report needs --output FILE."))
        if compute and not engine.is_computed(number):
            engine.compute(number, reason="cli")
        try:
            rows = report.rows(actor, number, **filters)
        except NotComputedError as exc:
            raise CommandError(f"{exc} " + _("(or add --compute to compute it now)")) from exc
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        if output:
            with open(output, "wb") as stream:
                write_report(report, rows, fmt, stream, month=number)
            return
        try:
            write_report(report, rows, fmt, sys.stdout.buffer, month=number)
            sys.stdout.flush()
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)
