"""`gecrm report NAME --month YYYY-MM`: a KPI report as CSV (stdout), .xlsx or JSON.

`gecrm report pilot-table --program CODE`: a pilot programme's table (`accounts.pilots`); it needs
no month."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gecrm.core.months import parse_month
from gecrm.kpi import engine
from gecrm.kpi.reports import FORMATS, REPORTS, NotComputedError, ReportError, write_report

PILOT_TABLE = "pilot-table"


class Command(BaseCommand):
    help = "Write a KPI report (industry-scorecard, org-scorecard, chief-am-scorecard, " + (
        "customer-ranking) or a pilot programme's table (pilot-table --program CODE)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help=", ".join([*REPORTS, PILOT_TABLE]))
        parser.add_argument("--month", help="YYYY-MM (required by the KPI reports)")
        parser.add_argument("--program", help="Programme code (pilot-table).")
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

    def handle(self, *args, name, month, program, fmt, output, user, filter, compute, **options):
        if name == PILOT_TABLE:
            return self.pilot_table(program, fmt, output, user, filter)
        report = REPORTS.get(name)
        if report is None:
            raise CommandError(
                _("Unknown report “%(name)s”. Reports: %(names)s.")
                % {"name": name, "names": ", ".join([*REPORTS, PILOT_TABLE])}
            )
        if not month:
            raise CommandError(_("The report %(name)s needs --month YYYY-MM.") % {"name": name})
        try:
            number = parse_month(month)
        except ValueError as exc:
            raise CommandError(f"--month {month}: {exc}") from exc
        actor = _actor(user)
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
        _write(report, rows, fmt, output, month=number)

    def pilot_table(self, code, fmt, output, user, filters):
        """The seed-shaped table of pilot customers by segment and responsible org unit."""
        from gecrm.accounts.models import Program
        from gecrm.accounts.pilots import EMPTY, pilot_table

        if not code:
            raise CommandError(_("The report pilot-table needs --program CODE."))
        if filters:
            raise CommandError(_("The report pilot-table takes no --filter."))
        if fmt == "xlsx" and not output:
            raise CommandError(_("An .xlsx report needs --output FILE."))
        program = Program.objects.filter(code=code.strip()).first()
        if program is None:
            raise CommandError(_("No programme with code “%(code)s”.") % {"code": code})
        table = pilot_table(program, _actor(user))
        rows = table.rows(empty=EMPTY if fmt == "xlsx" else 0)
        _write(table.report(), rows, fmt, output, meta={"program": program.code})


def _actor(username):
    if not username:
        return None
    actor = get_user_model()._default_manager.filter(username=username).first()
    if actor is None:
        raise CommandError(_("No user “%(name)s”.") % {"name": username})
    return actor


def _write(report, rows, fmt, output, **options) -> None:
    if output:
        with open(output, "wb") as stream:
            write_report(report, rows, fmt, stream, **options)
        return
    try:
        write_report(report, rows, fmt, sys.stdout.buffer, **options)
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
