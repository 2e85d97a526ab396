"""Pages of vertical teams: the team of an HQ customer, its feed and handover, and "my customers".

Who sees what (the access rules of `access.scopes`, applied to the derived team):
- a member of the team (chief AM, any branch AM, an industry manager of a level, an embedded
  manager) sees the whole team and its feed;
- anyone else sees the nodes of the tree they may view (`Customer.objects.restrict`), with the
  branches leading to them, and only the levels (group, provinces) those nodes lie in: a
  province's staff see their province's part. Nobody in scope: 404, as for a missing customer.
  The feed is for members and for those who answer for the HQ customer (may edit it), not for
  everyone who may look it up (a hotline agent sees every customer);
- the chief AM posts to the feed; the others read it;
- a handover is for administrators and for sales managers / sales controllers who may edit the
  HQ customer (`can_handover`): the group's for every HQ, a province's for the HQs it owns.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gecrm.access.scopes import VIEW_FINANCIAL, grant_of, subtree_q
from gecrm.core.exceptions import StaleObjectError
from gecrm.core.views import add_validation_errors, render_conflict
from gecrm.customers.choices import Industry, Segment
from gecrm.customers.models import Customer
from gecrm.org.choices import OrgUnitKind, Post

from ..actions import current_chief_assignment, do_handover_chief_am, do_post_team_note
from ..choices import NoteKind, Role
from ..coverage import short_name
from ..models import Assignment, TeamNote, active_on_q
from ..teams import GAP_NO_AM, GAP_NO_CHIEF, GAP_NO_INDUSTRY_MANAGER, derive_team, derive_teams

FEED_NOTES = 30
# Posts that may hand an HQ customer over (with the right to edit the customer).
HANDOVER_POSTS = {Post.SALES_MANAGER, Post.SALES_CONTROL}
# "My customers" of a manager: at most this many HQ customers (teams derived in one go).
MANAGER_LIST_LIMIT = 500
VERTICAL_SEGMENTS = ("gov", "fin", "ent")
LEVEL_LABELS = {
    OrgUnitKind.GROUP: gettext_lazy("Group"),
    OrgUnitKind.PROVINCE: gettext_lazy("Province"),
    OrgUnitKind.PREFECTURE: gettext_lazy("Prefecture"),
    OrgUnitKind.DISTRICT: gettext_lazy("District"),
}
GAP_LABELS = {
    GAP_NO_CHIEF: gettext_lazy("No chief account manager"),
    GAP_NO_AM: gettext_lazy("No account manager"),
    GAP_NO_INDUSTRY_MANAGER: gettext_lazy("No industry manager"),
}


# ---------------------------------------------------------------- rules


def can_handover(user, hq) -> bool:
    """Administrators, and sales managers / controllers who may edit the HQ customer."""
    if user.is_superuser:
        return True
    if not grant_of(user).posts & HANDOVER_POSTS:
        return False
    return may_change(user, hq)


def may_change(user, hq) -> bool:
    return user.is_superuser or Customer.objects.restrict(user, "change").filter(pk=hq.pk).exists()


def _hq_or_404(pk: int) -> tuple[Customer, Customer]:
    """(the customer asked for, its HQ customer); 404 when there is none."""
    customer = Customer._base_manager.select_related("org_unit").filter(pk=pk).first()
    if customer is None:
        raise Http404(_("No such customer."))
    if customer.parent_id is None:
        return customer, customer
    hq_code = customer.path.strip("/").split("/")[0]
    return customer, Customer._base_manager.select_related("org_unit").get(code=hq_code)


def _visible_ids(user, hq) -> set[int]:
    vendor = connections[Customer.objects.db].vendor
    queryset = Customer.objects.restrict(user, "view").filter(subtree_q("path", hq.path, vendor))
    return set(queryset.values_list("pk", flat=True))


def _team_for(request, pk):
    """(customer asked for, HQ, team restricted to what the user may see, full view?)."""
    customer, hq = _hq_or_404(pk)
    team = derive_team(hq)
    user = request.user
    member = user.pk in team.member_ids
    if user.is_superuser or member:
        return customer, hq, team, True, member
    visible = _visible_ids(user, hq)
    if not visible:
        raise Http404(_("No such customer."))
    full = len(visible) == len(team.nodes)
    if not full:
        team.restrict_to(visible)
    return customer, hq, team, full, member


# ---------------------------------------------------------------- forms


class TeamNoteForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=NoteKind.choices)
    title = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class HandoverForm(forms.Form):
    new_manager = forms.ModelChoiceField(
        label=gettext_lazy("New chief account manager"),
        queryset=get_user_model().objects.none(),
        to_field_name="username",
        empty_label=gettext_lazy("Choose a chief account manager"),
    )
    on = forms.DateField(
        label=gettext_lazy("Handover date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The current chief account manager serves until the day before."),
    )
    current = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, exclude_user_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = (
            get_user_model()
            .objects.filter(is_active=True, staff__posts__post=Post.CHIEF_AM)
            .select_related("staff")
            .order_by("staff__name", "username")
        )
        if exclude_user_id:
            candidates = candidates.exclude(pk=exclude_user_id)
        self.fields["new_manager"].queryset = candidates
        self.fields["new_manager"].label_from_instance = lambda u: f"{u.staff.name} ({u.username})"


def _handover_form(hq, current, data=None):
    initial = {
        "on": timezone.localdate(),
        "current": current.pk if current else None,
        "version": current.version if current else None,
    }
    return HandoverForm(
        data=data, initial=initial, exclude_user_id=current.user_id if current else None
    )


# ---------------------------------------------------------------- the team page


def _kpi_of(user, hq):
    """The HQ group's figures of the latest computed month, if the user may see its money;
    otherwise their part of it (the members whose money they may see, e.g. a province's
    branches: the KPIs' territory view), or None when that is nothing."""
    from gecrm.core.months import format_month
    from gecrm.kpi import engine, territory
    from gecrm.kpi.measures import Sums
    from gecrm.kpi.models import GroupMonth

    month = engine.latest_month()
    if month is None:
        return None
    row = (
        GroupMonth.objects.restrict(user, VIEW_FINANCIAL)
        .filter(month=month, group_id=hq.pk)
        .values_list("revenue_ytd_cents", "revenue_pytd_cents", "ict_ytd_cents")
        .first()
    )
    if row is not None:
        return {"month_label": format_month(month), "sums": Sums.of_group(*row)}
    part = territory.subtree_totals(user, month, hq.path)
    if not part.all_groups:
        return None
    return {"month_label": format_month(month), "sums": part, "part": True}


def _render_team(request, customer, hq, team, full, member, *, note_form=None, handover=None):
    user = request.user
    chief = team.chief
    can_post = chief is not None and chief.user_id == user.pk
    managers_post = user.is_superuser or bool(grant_of(user).posts & HANDOVER_POSTS)
    # One scope query answers both "may hand over" and "reads the feed" (it is needed unless
    # the user is a member without a manager's post).
    answers = may_change(user, hq) if (managers_post or not member) else False
    allowed_handover = managers_post and answers
    current = current_chief_assignment(hq) if allowed_handover else None
    notes = []
    feed = full and (member or answers)
    if feed:
        notes = list(
            TeamNote.objects.filter(customer=hq).select_related("author__staff")[:FEED_NOTES]
        )
    gaps = team.gaps(visible_only=True)
    context = {
        "coverage_chart": _coverage_chart(team),
        "hq": hq,
        "team": team,
        "nodes": team.nodes,
        "root": team.hq,
        "levels": team.levels,
        "gaps": gaps,
        "gap_labels": GAP_LABELS,
        "level_labels": LEVEL_LABELS,
        "members": team.members(),
        "full_view": full,
        "reads_feed": feed,
        "is_member": member,
        "can_post": can_post,
        "note_form": note_form or (TeamNoteForm() if can_post else None),
        "notes": notes,
        "can_handover": allowed_handover,
        "handover_form": handover
        if handover is not None
        else (_handover_form(hq, current) if allowed_handover else None),
        "current_chief": current,
        "industry_label": Industry(hq.industry).label if hq.industry else "",
        "segment_label": Segment(hq.segment).label if hq.segment else "",
        "provinces": [lv for lv in team.levels if lv.unit.kind == OrgUnitKind.PROVINCE],
        "prefecture_count": len(team.prefectures),
        # The group's money goes to whoever may see the money of its head (the KPI rule);
        # anyone else sees the money of their part of it.
        "kpi": _kpi_of(user, hq),
    }
    return render(request, "accounts/team.html", context)


def _coverage_chart(team) -> dict | None:
    """Nodes per level (the group, then each province) with and without an account manager."""
    served: dict[str, list[int]] = {}
    names = {lv.unit.code: lv.unit.name for lv in team.levels}
    group = team.levels[0].unit.code if team.levels else ""
    for node in team.nodes:
        if not node.visible:
            continue
        key = node.province.code if node.province else group
        counts = served.setdefault(key, [0, 0])
        counts[1 if node.gap else 0] += 1
    if len(served) < 2:
        return None
    keys = sorted(served, key=lambda k: (k != group, k))
    return {
        "categories": [short_name(names.get(k, k)) for k in keys],
        "horizontal": True,
        "axes": [{"format": "count"}],
        "series": [
            {"name": _("Served"), "data": [served[k][0] for k in keys], "format": "count",
             "colour": "#2fb344", "stack": "nodes"},
            {"name": _("Gap"), "data": [served[k][1] for k in keys], "format": "count",
             "colour": "#d63939", "stack": "nodes"},
        ],
    }  # fmt: skip


@login_required
@require_GET
def team(request, pk):
    customer, hq, derived, full, member = _team_for(request, pk)
    if customer.pk != hq.pk:
        return redirect(f"{reverse('accounts:team', args=[hq.pk])}#node-{customer.pk}")
    return _render_team(request, customer, hq, derived, full, member)


@login_required
@require_POST
def team_note(request, pk):
    customer, hq, derived, full, member = _team_for(request, pk)
    chief = derived.chief
    if chief is None or chief.user_id != request.user.pk:
        raise PermissionDenied(_("Only the chief account manager posts to the team."))
    form = TeamNoteForm(request.POST)
    if form.is_valid():
        try:
            do_post_team_note(hq, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Your note was shared with the team."))
            return redirect(f"{reverse('accounts:team', args=[hq.pk])}#team-feed")
    return _render_team(request, customer, hq, derived, full, member, note_form=form)


@login_required
@require_POST
def team_handover(request, pk):
    customer, hq, derived, full, member = _team_for(request, pk)
    if not can_handover(request.user, hq):
        raise PermissionDenied(
            _("Only administrators and the sales managers of the customer hand it over.")
        )
    current = current_chief_assignment(hq)
    form = _handover_form(hq, current, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        expected = (data["current"], data["version"])
        try:
            do_handover_chief_am(
                hq, data["new_manager"], on=data["on"], expected=expected, actor=request.user
            )
        except StaleObjectError as error:
            return render_conflict(request, str(error), reverse("accounts:team", args=[hq.pk]))
        except ValidationError as error:
            add_validation_errors(form, _map_handover_errors(error))
        else:
            messages.success(
                request,
                _("%(customer)s was handed over to %(name)s.")
                % {"customer": hq.name, "name": data["new_manager"].staff.name},
            )
            return redirect("accounts:team", pk=hq.pk)
    derived = derive_team(hq)  # unchanged, but the form needs the page around it
    return _render_team(request, customer, hq, derived, full, member, handover=form)


def _map_handover_errors(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    mapped = {}
    for name, errors in error.error_dict.items():
        key = {"user": "new_manager", "start": "on"}.get(name, name)
        mapped.setdefault(key if key in HandoverForm.base_fields else None, []).extend(errors)
    return ValidationError({k or "__all__": v for k, v in mapped.items()})


# ---------------------------------------------------------------- my customers

SORT_KEYS = ("name", "gaps", "branches", "provinces", "revenue_ytd", "growth", "ict_share")


def _my_hqs(user) -> tuple[list[Customer], str]:
    """The HQ customers the user leads as chief AM; for a manager without any, the top-level
    customers of the vertical segments (党政军, 金融, 大企业: the HQs) in their scope, at most
    MANAGER_LIST_LIMIT."""
    today = timezone.localdate()
    led = list(
        Customer._base_manager.filter(
            parent__isnull=True,
            pk__in=Assignment.objects.filter(
                active_on_q(today), user_id=user.pk, role=Role.CHIEF_AM
            ).values("customer_id"),
        ).order_by("code")
    )
    if led:
        return led, "chief"
    grant = grant_of(user)
    manager = (
        user.is_superuser
        or grant.everything
        or bool(grant.posts & {Post.SALES_MANAGER, Post.SALES_CONTROL, Post.INDUSTRY_MANAGER})
    )
    if not manager:
        return [], "none"
    hqs = list(
        Customer.objects.restrict(user, "view")
        .filter(parent__isnull=True, segment__in=VERTICAL_SEGMENTS)
        .order_by("code")[:MANAGER_LIST_LIMIT]
    )
    return hqs, "manager"


def _restrict_teams(user, hqs, teams) -> None:
    """A manager's list counts only the branches (and gaps) in their data scope: one query."""
    if user.is_superuser or grant_of(user).everything or not hqs:
        return
    vendor = connections[Customer.objects.db].vendor
    in_trees = Q()
    for hq in hqs:
        in_trees |= subtree_q("path", hq.path, vendor)
    visible = set(
        Customer.objects.restrict(user, "view").filter(in_trees).values_list("pk", flat=True)
    )
    for team in teams.values():
        if any(node.pk not in visible for node in team.nodes):
            team.restrict_to(visible)


def _group_months(user, hq_ids):
    from gecrm.kpi import engine
    from gecrm.kpi.models import GroupMonth

    month = engine.latest_month()
    if month is None or not hq_ids:
        return None, {}
    rows = (
        GroupMonth.objects.restrict(user, VIEW_FINANCIAL)
        .filter(month=month, group_id__in=hq_ids)
        .values_list("group_id", "revenue_ytd_cents", "revenue_pytd_cents", "ict_ytd_cents")
    )
    return month, {gid: (ytd, pytd, ict) for gid, ytd, pytd, ict in rows}


def _as_float(value):
    return None if value is None else float(value)


@login_required
@require_GET
def my_customers(request):
    from gecrm.core.months import format_month
    from gecrm.kpi.measures import Sums

    user = request.user
    hqs, mode = _my_hqs(user)
    teams = derive_teams(hqs)
    if mode == "manager":
        _restrict_teams(user, hqs, teams)
    month, money = _group_months(user, [h.pk for h in hqs])
    rows = []
    total = Sums()
    for hq in hqs:
        team = teams[hq.pk]
        sums = Sums.of_group(*money[hq.pk]) if hq.pk in money else None
        if sums is not None:
            total = total + sums
        chief = team.chief
        rows.append(
            {
                "pk": hq.pk,
                "code": hq.code,
                "name": hq.name,
                "industry": Industry(hq.industry).label if hq.industry else "",
                "chief": chief,
                "branches": sum(1 for n in team.branches if n.visible),
                "provinces": len(team.provinces),
                "prefectures": len(team.prefectures),
                "gaps": len(team.gaps(visible_only=True)),
                "gap_kinds": sorted({g.kind for g in team.gaps(visible_only=True)}),
                "members": len(team.members()),
                "revenue_ytd": sums.revenue_ytd if sums else None,
                "growth": sums.growth if sums else None,
                "ict": bool(sums and sums.ict_ytd_cents > 0),
                "ict_share": sums.ict_share if sums else None,
            }
        )
    query = request.GET.get("q", "").strip()
    if query:
        rows = [r for r in rows if query.lower() in r["name"].lower() or query in r["code"]]
    only_gaps = request.GET.get("gaps") == "1"
    if only_gaps:
        rows = [r for r in rows if r["gaps"]]
    sort = request.GET.get("sort", "")
    key = sort.lstrip("-")
    if key in SORT_KEYS:
        present = [r for r in rows if r[key] is not None]
        missing = [r for r in rows if r[key] is None]
        present.sort(key=lambda r: r[key], reverse=sort.startswith("-"))
        rows = present + missing
    else:
        sort = ""
    shown = sorted(
        [r for r in rows if r["revenue_ytd"] is not None], key=lambda r: -r["revenue_ytd"]
    )[:20]
    chart = None
    if shown:
        chart = {
            "categories": [r["name"] for r in shown],
            "horizontal": True,
            "tall": len(shown) > 8,
            "axes": [{"format": "money"}, {"format": "ratio"}],
            "series": [
                {"name": _("Revenue YTD"), "data": [_as_float(r["revenue_ytd"]) for r in shown],
                 "format": "money", "colour": "#0b57d0", "type": "bar", "axis": 0},
                {"name": _("Revenue growth"), "data": [_as_float(r["growth"]) for r in shown],
                 "format": "ratio", "colour": "#2fb344", "type": "scatter", "axis": 1},
                {"name": _("ICT revenue share"),
                 "data": [_as_float(r["ict_share"]) for r in shown], "format": "ratio",
                 "colour": "#f76707", "type": "scatter", "axis": 1},
            ],
        }  # fmt: skip
    query_without_sort = request.GET.copy()
    query_without_sort.pop("sort", None)
    with_money = [r for r in rows if r["revenue_ytd"] is not None]
    context = {
        "rows": rows,
        "mode": mode,
        "count": len(hqs),
        "month_label": format_month(month) if month else "",
        "total": total if with_money else None,
        "ict_groups": sum(1 for r in with_money if r["ict"]),
        "with_money": len(with_money),
        "gap_total": sum(r["gaps"] for r in rows),
        "with_gaps": sum(1 for r in rows if r["gaps"]),
        "gap_labels": GAP_LABELS,
        "sort": sort,
        "q": query,
        "only_gaps": only_gaps,
        "query_without_sort": query_without_sort.urlencode(),
        "chart": chart,
        "sort_columns": [
            ("name", _("HQ customer")),
            ("branches", _("Branches")),
            ("provinces", _("Provinces")),
            ("gaps", _("Gaps")),
            ("revenue_ytd", _("Revenue YTD")),
            ("growth", _("Revenue growth")),
            ("ict_share", _("ICT revenue share")),
        ],
    }
    return render(request, "accounts/my_customers.html", context)


urlpatterns = [
    path("mine/", my_customers, name="my_customers"),
    path("<int:pk>/", team, name="team"),
    path("<int:pk>/notes/", team_note, name="team_note"),
    path("<int:pk>/handover/", team_handover, name="team_handover"),
]
