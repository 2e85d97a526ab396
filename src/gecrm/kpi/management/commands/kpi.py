"""`gecrm kpi compute --month YYYY-MM | --all`: compute and store the KPI snapshots."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gecrm.core.months import format_month, parse_month
from gecrm.kpi import engine


class Command(BaseCommand):
    help = "Compute the KPI snapshots of a month (or of every month with revenue)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser("compute", help="Compute and store a month's KPI snapshots.")
        which = compute.add_mutually_exclusive_group(required=True)
        which.add_argument("--month", help="YYYY-MM")
        which.add_argument("--all", action="store_true", help="Every month that has revenue facts.")

    def handle(self, *args, action, month=None, all=False, **options):
        if all:
            months = engine.months_with_facts()
            if not months:
                raise CommandError(_("There is no revenue yet: import billing first."))
        else:
            try:
                months = [parse_month(month)]
            except ValueError as exc:
                raise CommandError(f"--month {month}: {exc}") from exc
        for number in months:
            computation = engine.compute(number, reason="cli")
            self.stdout.write(
                _("%(month)s: %(groups)s groups in %(ms)s ms")
                % {
                    "month": format_month(number),
                    "groups": computation.groups,
                    "ms": computation.duration_ms,
                }
            )
