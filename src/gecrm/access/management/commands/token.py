"""`gecrm token create|list|revoke`: API tokens for `Authorization: Bearer <token>`."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gecrm.access.actions import do_issue_api_token, do_revoke_api_tokens
from gecrm.access.models import ApiToken


class Command(BaseCommand):
    help = "Create, list and revoke API tokens. `create` prints the token as its last line."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="Issue a token for USERNAME.")
        create.add_argument("username")
        create.add_argument("--expires-days", type=int, default=None, metavar="N")
        create.add_argument("--description", default="")
        listing = sub.add_parser("list", help="List the tokens of USERNAME.")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke the token(s) starting with PREFIX.")
        revoke.add_argument("prefix")

    def handle(self, *args, subcommand, **options):
        return getattr(self, f"handle_{subcommand}")(**options)

    def _user(self, username: str):
        User = get_user_model()
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None

    def handle_create(self, *, username, expires_days, description, **options):
        user = self._user(username)
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; activate it first.")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be at least 1.")
        if len(description) > 200:
            raise CommandError("--description must be at most 200 characters.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        token, raw = do_issue_api_token(user, description=description, expires_at=expires_at)
        expiry = f"expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "never expires"
        self.stdout.write(f"API token for {username} (prefix {token.prefix}, {expiry}).")
        self.stdout.write("Shown once; send it as `Authorization: Bearer <token>`:")
        self.stdout.write(raw)

    def handle_list(self, *, username, **options):
        user = self._user(username)
        now = timezone.now()
        for token in ApiToken.objects.filter(user=user).order_by("created_at"):
            if token.revoked_at:
                state = f"revoked {token.revoked_at:%Y-%m-%d}"
            elif token.expires_at and token.expires_at <= now:
                state = f"expired {token.expires_at:%Y-%m-%d}"
            else:
                state = "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}\t{token.created_at:%Y-%m-%d}\t{state}\tlast used {used}"
                f"\t{token.description}"
            )

    def handle_revoke(self, *, prefix, **options):
        if len(prefix) < 8:
            raise CommandError("Give at least 8 characters of the token prefix.")
        tokens = ApiToken.objects.filter(prefix__startswith=prefix[:14])
        if not tokens.exists():
            raise CommandError(f"No token starts with {prefix!r}.")
        count = do_revoke_api_tokens(tokens)
        self.stdout.write(f"Revoked {count} token(s).")
