"""Who sees what: every data-scope rule of gecrm, in one module.

A rule is a queryset filter built from the user's posts (`org.StaffPost`), org unit and active
account assignments (`accounts.Assignment`). `customer_scope(user, action)` answers a `Q` over
customers (or None for "everything"); with `prefix="customer__"` the same rule filters any model
attached to a customer (contacts, assignments, and later revenue, opportunities and tickets).

Actions:
- "view"            read the object;
- "change"          edit it (narrower: AMs their own accounts, managers their subtree);
- "view_financial"  see its money (revenue, bills); hotline agents see customers but no money.

The filters are index-friendly by construction: org units as `org_unit_id IN (subtree ids)` and
customer trees as prefix ranges on the indexed materialised `path`, computed from the user's few
assignments with one small query when the rule is built.
"""

from dataclasses import dataclass, field
from functools import reduce

from django.db import connections
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gecrm.core.models import PATH_SEPARATOR
from gecrm.core.querysets import register_scope
from gecrm.org.choices import OrgUnitKind, Post

VIEW = "view"
CHANGE = "change"
VIEW_FINANCIAL = "view_financial"

# Posts whose holder answers for every customer owned in their org unit's subtree.
UNIT_VIEW_POSTS = {
    Post.SALES_MANAGER,
    Post.TELESALES_MANAGER,
    Post.SALES_CONTROL,
    Post.CAMPAIGN_PLANNING,
}
UNIT_CHANGE_POSTS = {Post.SALES_MANAGER, Post.TELESALES_MANAGER, Post.SALES_CONTROL}
# Posts limited to the segment / industry of their service centre or industry team.
INDUSTRY_POSTS = {
    Post.INDUSTRY_MANAGER,
    Post.INDUSTRY_EXPANSION_MANAGER,
    Post.INDUSTRY_EXPANSION,
}
# Group-level staff in these posts see (and edit) everything, like an administrator.
GROUP_MANAGER_POSTS = {Post.SALES_MANAGER, Post.SALES_CONTROL}
# Posts that see the whole tree below each customer they are assigned to.
ACCOUNT_POSTS = {Post.AM, Post.CHIEF_AM}
# Assignment roles that give edit rights (with the tree below the customer).
ACCOUNT_ROLES = ("am", "chief_am")
ADMINISTRATIVE_KINDS = {
    OrgUnitKind.GROUP,
    OrgUnitKind.PROVINCE,
    OrgUnitKind.PREFECTURE,
    OrgUnitKind.DISTRICT,
}

NOTHING = Q(pk__in=[])


@dataclass
class Grant:
    """The data a user's rules are made of, loaded once per user object (three small queries)."""

    posts: set[str] = field(default_factory=set)
    unit: object = None  # org.OrgUnit or None
    admin_unit: object = None  # the unit's nearest group/province/prefecture/district
    # Active assignments: (role, customer id, code, name, path)
    assignments: list[tuple] = field(default_factory=list)
    # Org unit subtrees already resolved to ids, by path (for this user object's lifetime).
    unit_ids: dict = field(default_factory=dict)
    # Figures other apps derive from this grant for the same request (e.g. a KPI page's scoped
    # sums of a month), keyed by the app; dropped with the grant (`forget_grant`).
    memo: dict = field(default_factory=dict)

    @property
    def everything(self) -> bool:
        return (
            self.unit is not None
            and self.unit.kind == OrgUnitKind.GROUP
            and bool(self.posts & GROUP_MANAGER_POSTS)
        )


def grant_of(user) -> Grant:
    """The user's posts, org unit and active assignments (cached on the user object)."""
    cached = getattr(user, "_gecrm_grant", None)
    if cached is not None:
        return cached
    from gecrm.accounts.models import Assignment, active_on_q
    from gecrm.org.models import OrgUnit, Staff

    grant = Grant()
    staff = Staff._base_manager.filter(user_id=user.pk).select_related("org_unit").first()
    if staff is not None:
        grant.posts = set(staff.posts.values_list("post", flat=True))
        grant.unit = staff.org_unit
        grant.admin_unit = staff.org_unit
        if staff.org_unit.kind not in ADMINISTRATIVE_KINDS:
            grant.admin_unit = (
                OrgUnit._base_manager.filter(
                    code__in=staff.org_unit.ancestor_codes, kind__in=ADMINISTRATIVE_KINDS
                )
                .order_by("-depth")
                .first()
            ) or staff.org_unit
        grant.assignments = list(
            Assignment._base_manager.filter(active_on_q(timezone.localdate()), user_id=user.pk)
            .order_by("customer__path", "role")
            .values_list(
                "role", "customer_id", "customer__code", "customer__name", "customer__path"
            )
        )
    user._gecrm_grant = grant
    return grant


def forget_grant(user) -> None:
    """Drop the cached grant (after the user's posts or assignments changed)."""
    user.__dict__.pop("_gecrm_grant", None)


# ---------------------------------------------------------------------------- building blocks


def subtree_q(field_name: str, path: str, vendor: str) -> Q:
    """`field_name` lies in the subtree at `path` (`/A/B/`), as an index range scan.

    SQLite only uses an index for LIKE under `case_sensitive_like`, so there it is the range
    `[path, path with its last "/" bumped to "0")`; it holds exactly the strings starting with
    `path` because codes never contain "/". PostgreSQL's LIKE 'x%' uses the pattern index Django
    creates for indexed text columns (a range would depend on the collation).
    """
    if vendor == "postgresql":
        return Q(**{f"{field_name}__startswith": path})
    upper = path[:-1] + chr(ord(PATH_SEPARATOR) + 1)
    return Q(**{f"{field_name}__gte": path, f"{field_name}__lt": upper})


def _any(qs: list[Q]) -> Q:
    return reduce(lambda a, b: a | b, qs) if qs else NOTHING


def unit_subtree_ids(unit, vendor: str, cache: dict | None = None) -> list[int]:
    """The ids of `unit` and every unit below it (at most a few thousand; one indexed query).

    A literal list rather than a subquery: PostgreSQL then plans with the per-unit statistics
    and reads the scope from the (org_unit, code) index instead of scanning every customer.
    """
    from gecrm.org.models import OrgUnit

    cache = {} if cache is None else cache
    if unit.path not in cache:
        cache[unit.path] = list(
            OrgUnit._base_manager.filter(subtree_q("path", unit.path, vendor))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return cache[unit.path]


def _unit_q(grant, unit, prefix: str, vendor: str) -> Q:
    ids = unit_subtree_ids(unit, vendor, grant.unit_ids)
    return Q(**{f"{prefix}org_unit_id__in": ids})


def _industry_q(grant: Grant, prefix: str, vendor: str) -> Q:
    unit = grant.unit
    q = _unit_q(grant, grant.admin_unit, prefix, vendor)
    if unit.industry:
        # With its segment, so that the (segment, industry) index serves the filter.
        segment = unit.segment or unit.industry.split(".", 1)[0]
        return q & Q(**{f"{prefix}segment": segment, f"{prefix}industry": unit.industry})
    if unit.segment:
        return q & Q(**{f"{prefix}segment": unit.segment})
    return q


def _assigned_q(
    grant: Grant, prefix: str, vendor: str, *, roles=None, trees: bool, groups: bool = False
) -> Q:
    rows = [a for a in grant.assignments if roles is None or a[0] in roles]
    if not rows:
        return NOTHING
    if groups:
        # Rows of customer groups (`group_id`, a top-level customer): a top-level customer lies
        # in an assigned tree only when it is itself assigned (it has no ancestors), so the
        # trees reduce to the assigned top-level customers' ids.
        if trees:
            rows = [a for a in rows if a[4].count(PATH_SEPARATOR) == 2]
        ids = sorted({a[1] for a in rows})
        return Q(**{f"{prefix}group_id__in": ids}) if ids else NOTHING
    if not trees:
        return Q(**{f"{prefix}pk__in": sorted({a[1] for a in rows})})
    # Drop paths inside another assigned tree: fewer, non-overlapping ranges.
    paths = sorted({a[4] for a in rows})
    roots = []
    for path in paths:
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    # As a subquery of ids: the planner then resolves the few trees through the path index
    # first, instead of walking a million rows in the list's sort order testing each range.
    from gecrm.customers.models import Customer

    trees = Customer._base_manager.filter(_any([subtree_q("path", p, vendor) for p in roots]))
    return Q(**{f"{prefix}pk__in": trees.values("pk")})


# ---------------------------------------------------------------------------- the rules


def _unit_roots(grant: Grant, action: str) -> list[tuple]:
    """The org units whose subtrees' customers the grant's posts reach for `action`, each with
    whether the reach is limited to the unit's segment / industry (industry posts)."""
    roots = []
    unit_posts = UNIT_CHANGE_POSTS if action == CHANGE else UNIT_VIEW_POSTS
    if grant.posts & unit_posts:
        roots.append((grant.unit, False))
    if grant.posts & INDUSTRY_POSTS:
        roots.append((grant.admin_unit, True))
    return roots


def customer_scope(
    user, action: str = VIEW, *, prefix: str = "", vendor: str = "sqlite", groups: bool = False
):
    """The customers `user` may see (`action="view"`), edit ("change") or see the money of
    ("view_financial"), as a `Q` on customers (fields under `prefix`), or None for all.

    `groups=True` filters rows of customer groups instead (`kpi.GroupMonth`): rows carrying the
    top-level customer as `group_id` and its `org_unit_id`, `segment` and `industry` as their
    own columns. The same rules then read those columns — no join to the customer table."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return None
    grant = grant_of(user)
    if grant.unit is None:
        return NOTHING
    if grant.everything:
        return None
    posts = grant.posts
    if action == VIEW and Post.HOTLINE_AGENT in posts:
        # To take a call about any customer: names, codes and contacts, never money.
        return None
    parts = [
        _industry_q(grant, prefix, vendor) if limited else _unit_q(grant, unit, prefix, vendor)
        for unit, limited in _unit_roots(grant, action)
    ]
    if action == CHANGE:
        if posts & ACCOUNT_POSTS:
            parts.append(
                _assigned_q(grant, prefix, vendor, roles=ACCOUNT_ROLES, trees=True, groups=groups)
            )
    else:
        if posts & ACCOUNT_POSTS:
            parts.append(_assigned_q(grant, prefix, vendor, trees=True, groups=groups))
        else:
            # Pre-sales, project and service managers (and anyone else assigned): exactly those.
            parts.append(_assigned_q(grant, prefix, vendor, trees=False, groups=groups))
    parts = [p for p in parts if p is not NOTHING]
    return _any(parts)


def creatable_unit_ids(user, vendor: str = "sqlite") -> list[int] | None:
    """The org units a new customer may belong to so that `user` could edit it afterwards
    (None: any unit). The unit part of the change rule: unit and industry posts their subtrees;
    account posts edit the trees of their accounts wherever these are owned, so any unit (the
    parent decides); posts that edit nothing, none."""
    if user.is_superuser:
        return None
    grant = grant_of(user)
    if grant.unit is None:
        return []
    if grant.everything:
        return None
    if grant.posts & ACCOUNT_POSTS and any(a[0] in ACCOUNT_ROLES for a in grant.assignments):
        return None
    ids: set[int] = set()
    for unit, _limited in _unit_roots(grant, CHANGE):
        ids.update(unit_subtree_ids(unit, vendor, grant.unit_ids))
    return sorted(ids)


def _vendor(queryset) -> str:
    return connections[queryset.db].vendor


def _filtered(queryset, q):
    """`queryset` under the rule's `q`; "nothing" as `.none()`, so that callers can tell a scope
    that is empty by rule (posts that edit nothing) without a query (`query.is_empty()`)."""
    if q is None:
        return queryset
    return queryset.none() if q is NOTHING else queryset.filter(q)


@register_scope("customers.customer")
def customers_rule(queryset, user, action):
    return _filtered(queryset, customer_scope(user, action, vendor=_vendor(queryset)))


@register_scope("customers.contact")
def contacts_rule(queryset, user, action):
    q = customer_scope(user, action, prefix="customer__", vendor=_vendor(queryset))
    return _filtered(queryset, q)


@register_scope("accounts.assignment")
def assignments_rule(queryset, user, action):
    """Assignments of the customers in scope; everyone also sees their own (not edits them)."""
    q = customer_scope(user, action, prefix="customer__", vendor=_vendor(queryset))
    if q is None:
        return queryset
    if action == VIEW:
        q = q | Q(user_id=user.pk)
    return _filtered(queryset, q)


@register_scope("accounts.pilotcustomer")
def pilot_customers_rule(queryset, user, action):
    """A programme's pilot customers: those whose customer one may see (or edit)."""
    q = customer_scope(user, action, prefix="customer__", vendor=_vendor(queryset))
    return _filtered(queryset, q)


@register_scope("finance.revenue")
@register_scope("finance.customermonth")
def revenue_rule(queryset, user, action):
    """Money is read with the "view_financial" rule whatever the action asked."""
    q = customer_scope(user, VIEW_FINANCIAL, prefix="customer__", vendor=_vendor(queryset))
    return _filtered(queryset, q)


@register_scope("kpi.groupmonth")
def group_month_rule(queryset, user, action):
    """A group's figures (all its branches' money) go to who may see the money of its head.

    Read from the row's own copy of the head's org unit, segment and industry (as of the
    computation, like the org unit roll-up of the same rows): `org_unit_id IN (…)` then uses the
    (month, org_unit) index instead of joining every row to its customer."""
    q = customer_scope(user, VIEW_FINANCIAL, vendor=_vendor(queryset), groups=True)
    return _filtered(queryset, q)


def sees_all_money(user) -> bool:
    """True when the user's financial scope is everything: whole-company aggregates (KPI
    snapshots, every import batch) are then theirs to read as stored."""
    # With the database's vendor: the unit subtree ids resolved here are cached on the grant
    # for the user's next queries (a SQLite range would be wrong under a PostgreSQL collation).
    return customer_scope(user, VIEW_FINANCIAL, vendor=connections["default"].vendor) is None


def sees_some_money(user) -> bool:
    """True when the user may read the money of at least one customer (false for a hotline
    agent, whose post sees names and contacts only, and for anyone whose posts and assignments
    give no financial scope): the money pages are of no use to them."""
    return customer_scope(user, VIEW_FINANCIAL, vendor=connections["default"].vendor) is not NOTHING


@register_scope("kpi.snapshot")
def snapshot_rule(queryset, user, action):
    """Stored aggregates cover every group: only for those who see all money. Everyone else
    gets the same measures aggregated from `GroupMonth` rows in their scope."""
    return queryset if sees_all_money(user) else queryset.none()


@register_scope("finance.importbatch")
def import_batch_rule(queryset, user, action):
    """Billing imports: all of them for those who see all money, otherwise one's own."""
    return queryset if sees_all_money(user) else queryset.filter(created_by_id=user.pk)


def _administrators_change(queryset, user, action):
    """Org units, staff and products: visible to everyone signed in; edited (and so created) by
    administrators (superusers and the group's sales managers / controllers) only. Posts decide
    data scope, so editing staff is granting rights."""
    if action == VIEW or grant_of(user).everything:
        return queryset
    return queryset.none()


register_scope("org.orgunit")(_administrators_change)
register_scope("org.staff")(_administrators_change)
register_scope("catalog.product")(_administrators_change)


# ---------------------------------------------------------------------------- explanations


def describe_scope(user) -> list[str]:
    """The user's rules in words, one sentence each (the "my data scope" page)."""
    if user.is_superuser:
        return [_("You are a system administrator: you see and edit everything.")]
    grant = grant_of(user)
    if grant.unit is None:
        return [_("You have no staff profile, so you see no customers.")]
    if grant.everything:
        return [
            _("You are a manager of the group's G&E division (%(unit)s): you see everything.")
            % {"unit": grant.unit.name}
        ]
    lines = []
    posts = grant.posts
    if Post.HOTLINE_AGENT in posts:
        lines.append(
            _(
                "As a hotline agent you see every customer's name, code and contacts, but no "
                "financial data, and you edit nothing."
            )
        )
    if posts & UNIT_VIEW_POSTS:
        lines.append(
            _("You see every customer owned by %(unit)s and the units below it.")
            % {"unit": grant.unit.name}
        )
    if posts & UNIT_CHANGE_POSTS:
        lines.append(_("You may edit those customers."))
    if posts & INDUSTRY_POSTS:
        lines.append(
            _(
                "You see and edit the customers of %(what)s owned by %(unit)s and the units below it."
            )
            % {"what": _limit_label(grant.unit), "unit": grant.admin_unit.name}
        )
    if posts & ACCOUNT_POSTS:
        lines.append(
            _(
                "You see the customers you are assigned to and all their branches; you edit "
                "those you serve as account manager or chief account manager."
            )
        )
    elif grant.assignments:
        lines.append(_("You see the customers you are assigned to."))
    if not lines:
        lines.append(_("Your posts give you no customers."))
    return lines


def _limit_label(unit) -> str:
    from gecrm.customers.choices import Industry, Segment

    if unit.industry:
        return str(Industry(unit.industry).label)
    if unit.segment:
        return str(Segment(unit.segment).label)
    return _("every segment")


def why_visible(user, customer) -> list[str]:
    """Why `user` may see `customer`: one sentence per rule that lets them (empty: they cannot)."""
    if user.is_superuser:
        return [_("You are a system administrator.")]
    grant = grant_of(user)
    if grant.unit is None:
        return []
    if grant.everything:
        return [
            _("You are a manager of the group's G&E division (%(unit)s).")
            % {"unit": grant.unit.name}
        ]
    reasons = []
    posts = grant.posts
    owner_path = customer.org_unit.path
    if posts & UNIT_VIEW_POSTS and owner_path.startswith(grant.unit.path):
        if customer.org_unit_id == grant.unit.pk:
            reasons.append(
                _("The customer belongs to your org unit %(unit)s.") % {"unit": grant.unit.name}
            )
        else:
            reasons.append(
                _("The customer belongs to %(owner)s, below your org unit %(unit)s.")
                % {"owner": customer.org_unit.name, "unit": grant.unit.name}
            )
    if posts & INDUSTRY_POSTS and owner_path.startswith(grant.admin_unit.path):
        unit = grant.unit
        if (unit.industry and customer.industry == unit.industry) or (
            not unit.industry and (not unit.segment or customer.segment == unit.segment)
        ):
            reasons.append(
                _("The customer is in %(what)s, which you manage in %(unit)s.")
                % {"what": _limit_label(unit), "unit": grant.admin_unit.name}
            )
    for role, customer_id, code, name, path in grant.assignments:
        if customer_id == customer.pk:
            reasons.append(
                _("You are assigned to this customer as %(role)s.") % {"role": _role_label(role)}
            )
        elif posts & ACCOUNT_POSTS and customer.path.startswith(path):
            if role == "chief_am" and path.count(PATH_SEPARATOR) == 2:
                reasons.append(
                    _("You are the chief account manager of its group %(name)s (%(code)s).")
                    % {"name": name, "code": code}
                )
            else:
                reasons.append(
                    _("You serve %(name)s (%(code)s) as %(role)s, and this is one of its branches.")
                    % {"name": name, "code": code, "role": _role_label(role)}
                )
    if Post.HOTLINE_AGENT in posts and not reasons:
        reasons.append(
            _("Hotline agents see every customer's name, code and contacts to take calls.")
        )
    return reasons


def _role_label(role: str) -> str:
    from gecrm.accounts.choices import Role

    return str(Role(role).label)
