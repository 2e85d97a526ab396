"""`gecrm import KIND FILE`: validate the whole file, then import all of it or nothing."""

import os
import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gecrm.core.importing import IMPORTERS, can_import, run_import


class ProgressBar:
    """A one-line progress bar per phase on stderr, redrawn at most a few times a second."""

    LABELS = {
        "validate": gettext_lazy("validating"),
        "check": gettext_lazy("checking"),
        "write": gettext_lazy("writing"),
    }

    def __init__(self, stream, width: int = 30):
        self.stream = stream
        self.width = width
        self.last = 0.0
        self.phase = ""
        self.drawn = 0
        self.started = time.monotonic()

    def __call__(self, phase: str, fraction: float, rows: int) -> None:
        now = time.monotonic()
        if phase != self.phase:
            if self.phase:  # the first phase started with the command
                self.started = now
            self.phase = phase
        elif fraction < 1.0 and now - self.last < 0.2:
            return
        self.last = now
        filled = int(self.width * fraction)
        label = str(self.LABELS.get(phase, phase))
        rate = rows / max(now - self.started, 1e-6) if fraction else 0
        line = (
            f"{label:<10} [{'#' * filled}{'.' * (self.width - filled)}] {fraction:6.1%} "
            f"{rows:>10,} {_('rows')} {rate:>9,.0f}/s"
        )
        # Pad to the previous line's length so that nothing of it shows after a shorter one.
        self.stream.write("\r" + line.ljust(self.drawn))
        self.drawn = 0 if fraction >= 1.0 else len(line)
        if fraction >= 1.0:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import a CSV or .xlsx file of org units, staff, products or customers."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="The file covers part of the data (for kinds that replace a scope, e.g. billing).",
        )
        parser.add_argument("--user", help="Import as this user (scope, change log).")
        parser.add_argument(
            "--progress", action="store_true", help="Show a progress bar even when not a TTY."
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Do not ask before an import that destroys much (a billing month losing most "
            "of its facts).",
        )

    def handle(self, *args, kind, file, dry_run, partial, user, progress, yes=False, **options):
        if not os.path.isfile(file):
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        actor = None
        if user:
            actor = get_user_model()._default_manager.filter(username=user).first()
            if actor is None:
                raise CommandError(_("No user “%(name)s”.") % {"name": user})
            if not can_import(actor):
                raise CommandError(
                    _("User “%(name)s” may not import (superusers and sales controllers may).")
                    % {"name": user}
                )
        show = progress or sys.stderr.isatty()
        bar = ProgressBar(sys.stderr) if show else None
        shown = False

        def confirm(result) -> bool:
            nonlocal shown
            self.write_months(result)
            shown = True
            if yes:
                return True
            if not sys.stdin.isatty():
                self.stderr.write(
                    _(
                        "A month would lose most of its facts (marked ! above). There is no "
                        "terminal to ask: check the file, and run again with --yes to import it "
                        "anyway."
                    )
                )
                return False
            answer = input(
                _("A month would lose most of its facts (marked !). Import anyway? [y/N] ")
            )
            return answer.strip().lower() in ("y", "yes", "是")

        result = run_import(
            kind,
            file,
            actor=actor,
            dry_run=dry_run,
            partial=partial,
            progress=bar,
            confirm=confirm,
        )
        if not shown:
            self.write_months(result)
        if result.cancelled:
            self.stderr.write(result.summary())
            sys.exit(1)
        if result.ok:
            self.stdout.write(result.summary())
            return
        issues = result.errors
        for i, issue in enumerate(issues):
            if issue.row:
                column = issue.column
                value = f" [{issue.value}]" if issue.value else ""
                self.stderr.write(f"{file}:{issue.row}:{column}: {issue.message}{value}")
                last_of_row = i + 1 == len(issues) or issues[i + 1].row != issue.row
                if issue.cells and last_of_row:  # the row as in the file, after its problems
                    self.stderr.write(f"    {' | '.join(issue.cells)}")
            else:
                self.stderr.write(f"{file}: {issue.message}")
        self.stderr.write(result.summary())
        sys.exit(1)

    def write_months(self, result) -> None:
        """Billing: each month's facts before → after, lost and gained (`!`: loses most)."""
        for month in result.extra.get("months", ()):
            self.stdout.write(
                _(
                    "%(mark)s%(month)s: %(before)d facts → %(after)d (loses %(lost)d, gains "
                    "%(gained)d)"
                )
                % {**month, "mark": "! " if month["warn"] else "  "}
            )
