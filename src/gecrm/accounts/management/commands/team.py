"""`gecrm team show|handover`: a vertical team on the command line.

    gecrm team show C001 [--user U]                 # the tree, the people, the gaps
    gecrm team handover C001 USERNAME [--on DATE] [--user U]

Both read and write through the same code as the pages: `accounts.teams` derives the team and
`do_handover_chief_am` hands over (one transaction, change-logged). With `--user` the command
acts as that user: `show` only what they may see, `handover` only if they may (see
`accounts.views.teams.can_handover`); without it, as the operator.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gecrm.accounts.actions import do_handover_chief_am
from gecrm.accounts.importers import parse_date
from gecrm.accounts.teams import derive_team
from gecrm.accounts.views.teams import GAP_LABELS, LEVEL_LABELS, _visible_ids, can_handover
from gecrm.customers.models import Customer


class Command(BaseCommand):
    help = (
        "Show a vertical team (tree, people, gaps) or hand an HQ customer over to a new chief AM."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        show = sub.add_parser("show", help="The vertical team of the HQ customer CODE.")
        show.add_argument("code")
        show.add_argument("--user", help="Show what this user may see.")
        handover = sub.add_parser("handover", help="Make USERNAME the chief AM of CODE.")
        handover.add_argument("code")
        handover.add_argument("username")
        handover.add_argument("--on", help="First day of the new chief AM (default: today).")
        handover.add_argument("--user", help="Act as this user (rights, change log).")

    def handle(self, *args, subcommand, **options):
        return getattr(self, f"handle_{subcommand}")(**options)

    def _user(self, username):
        if not username:
            return None
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user “%(name)s”.") % {"name": username})
        return user

    def _hq(self, code, user):
        hq = Customer._base_manager.filter(code=code, parent__isnull=True).first()
        if hq is None or (user is not None and not _visible_ids(user, hq)):
            raise CommandError(_("No HQ customer “%(code)s”.") % {"code": code})
        return hq

    def handle_show(self, *, code, user, **options):
        actor = self._user(user)
        hq = self._hq(code, actor)
        team = derive_team(hq)
        if actor is not None and not actor.is_superuser and actor.pk not in team.member_ids:
            visible = _visible_ids(actor, hq)
            if len(visible) < len(team.nodes):
                team.restrict_to(visible)
        write = self.stdout.write
        for node in team.nodes:
            people = "; ".join(
                f"{label}: " + ", ".join(f"{m.name} ({m.username})" for m in members)
                for label, members in node.roles()
            )
            gap = f"  [{GAP_LABELS[node.gap]}]" if node.gap and node.visible else ""
            level = LEVEL_LABELS.get(node.level, node.level)
            write(f"{'  ' * node.depth}{node.code} {node.name} ({level}){gap}")
            if people:
                write(f"{'  ' * node.depth}  {people}")
        for level in team.levels:
            managers = ", ".join(f"{m.name} ({m.username})" for m in level.industry_managers)
            gap = f"  [{GAP_LABELS[level.gap]}]" if level.gap else ""
            write(f"{level.unit.code} {level.unit.name}: {managers or '-'}{gap}")
        gaps = team.gaps(visible_only=True)
        write(_("%(n)d gaps") % {"n": len(gaps)})

    def handle_handover(self, *, code, username, on, user, **options):
        actor = self._user(user)
        hq = self._hq(code, actor)
        if actor is not None and not can_handover(actor, hq):
            raise CommandError(
                _("User “%(name)s” may not hand this customer over.") % {"name": user}
            )
        new_manager = self._user(username)
        day = None
        if on:
            try:
                day = parse_date(on)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        try:
            assignment = do_handover_chief_am(hq, new_manager, on=day, actor=actor, source="cli")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            _("%(customer)s: chief account manager %(name)s from %(day)s.")
            % {"customer": hq.code, "name": username, "day": assignment.start.isoformat()}
        )
