"""`gecrm demo [--scale N] [--seed S] [--no-serve]`: (re)build the demo database and serve it."""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gecrm.core.months import format_month
from gecrm.demo import data
from gecrm.demo.generate import build_demo

SERVE_ADDRESS = "127.0.0.1:8000"


def positive_float(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise CommandError(_("--scale must be a number greater than 0, not %(value)s.") % {
            "value": raw})  # fmt: skip
    return value


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # argparse wraps the description with a regular expression, which needs a real str:
        # translate when the parser is built, not with a lazy proxy.
        return _(
            "Rebuild the database with the deterministic demo data set (this deletes all "
            "customers, org units, staff and products), print the demo logins and serve the site."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=positive_float,
            default=1.0,
            help=_("Size of the data set: 1 gives about 14,000 customers, 100 about a million."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help=_("Random seed; the same seed gives the same data."),
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help=_("Only build the data; do not start the server."),
        )

    def handle(self, *args, scale, seed, no_serve, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))

        def progress(message: str) -> None:
            if verbosity >= 1:
                print(f"[demo] {message}", file=sys.stderr, flush=True)

        result = build_demo(scale=scale, seed=seed, progress=progress)
        counts = result.counts
        self.stdout.write(
            _(
                "Demo data built in %(seconds).1f s: %(customers)s customers "
                "(%(headquarters)s headquarters), %(contacts)s contacts, %(org_units)s org units, "
                "%(staff)s staff, %(products)s products."
            )
            % {"seconds": result.seconds, **{k: f"{v:,}" for k, v in counts.items()}}
        )
        if result.months:
            self.stdout.write(
                _(
                    "Billing: %(n)d months (%(first)s to %(last)s), %(facts)s revenue facts "
                    "(%(negative)s refunds and credits) in one import batch."
                )
                % {
                    "n": len(result.months),
                    "first": format_month(result.months[0]),
                    "last": format_month(result.months[-1]),
                    "facts": f"{counts['revenue_facts']:,}",
                    "negative": f"{counts['negative_facts']:,}",
                }
            )
        if result.kpi_months:
            self.stdout.write(
                _("KPI snapshots computed for %(months)s.")
                % {"months": ", ".join(format_month(m) for m in result.kpi_months)}
            )
        elif result.kpi_note:
            self.stdout.write(_("No KPI snapshots: %(reason)s.") % {"reason": result.kpi_note})
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password for all: %(password)s)") % {
            "password": data.DEMO_PASSWORD})  # fmt: skip
        width = max(len(login.username) for login in result.logins)
        for login in result.logins:
            line = f"  {login.username:<{width}}  {login.name}  {login.post}  {login.org_unit}"
            if login.note:
                line += f"（{login.note}）"
            self.stdout.write(line)
        self.stdout.write("")
        if not no_serve:
            # No autoreloader: it re-runs this command in a child process, rebuilding the data.
            call_command("runserver", SERVE_ADDRESS, use_reloader=False)
