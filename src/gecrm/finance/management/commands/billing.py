"""`gecrm billing rollback BATCH_ID [--user U]` and `gecrm billing batches`: billing import
batches at the command line (the web page is /finance/batches/)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gecrm.core.importing import can_import
from gecrm.finance.actions import BillingError, batch_months, rollback_batch
from gecrm.finance.importers import month_span
from gecrm.finance.models import ImportBatch
from gecrm.finance.money import from_cents


class Command(BaseCommand):
    help = "Billing import batches: list them, or roll one back."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rollback = sub.add_parser("rollback", help="Roll back an import batch.")
        rollback.add_argument("batch_id", type=int)
        rollback.add_argument("--user", help="Roll back as this user (scope, change log).")
        listing = sub.add_parser("batches", help="List the import batches, newest first.")
        listing.add_argument("--limit", type=int, default=20)

    def handle(self, *args, action, **options):
        if action == "batches":
            return self.list_batches(options["limit"])
        return self.rollback(options["batch_id"], options.get("user"))

    def list_batches(self, limit):
        for batch in ImportBatch.objects.select_related("created_by")[:limit]:
            self.stdout.write(
                f"#{batch.pk}\t{batch.get_status_display()}\t"
                f"{month_span(batch.first_month, batch.last_month)}\t{batch.rows}\t"
                f"{from_cents(batch.total_cents)}\t{batch.file_name}\t"
                f"{getattr(batch.created_by, 'username', '-')}\t{batch.created_at:%Y-%m-%d %H:%M}"
            )

    def rollback(self, batch_id, username):
        actor = None
        batches = ImportBatch.objects.all()
        if username:
            actor = get_user_model()._default_manager.filter(username=username).first()
            if actor is None:
                raise CommandError(_("No user “%(name)s”.") % {"name": username})
            if not can_import(actor):
                raise CommandError(
                    _("User “%(name)s” may not roll back imports.") % {"name": username}
                )
            batches = ImportBatch.objects.restrict(actor)
        batch = batches.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(_("No import batch #%(id)d.") % {"id": batch_id})
        try:
            batch = rollback_batch(batch, actor)
        except BillingError as exc:
            raise CommandError(str(exc)) from None
        months = batch_months(batch)
        self.stdout.write(
            _("Import batch #%(id)d rolled back; months %(months)s restored.")
            % {"id": batch.pk, "months": ", ".join(f"{m // 100}-{m % 100:02d}" for m in months)}
        )
