"""The vertical team of an HQ customer (纵向团队), derived from data — never typed in.

The team of an HQ customer (a top-level customer) is
- its chief account manager (the active `chief_am` assignment of the HQ),
- the account manager(s) of every branch (active `am` assignments), at every level,
- the industry manager(s) of the customer's industry at the group and in each province where
  the customer has branches: staff holding the `industry_manager` post in an industry team of
  that industry whose administrative unit is the group or the province (广东银行行业组 for a
  bank's 广东 branches), and anyone assigned to a node in the `industry_manager` role,
- the embedded pre-sales, project and service-support managers assigned to any node.

Gaps are what the operating model asks for and the data lacks: an HQ without a chief AM, a
branch without an account manager, a province involved (or the group) without an industry
manager of the customer's industry.

`derive_teams(hqs)` builds the teams of several HQ customers with a constant number of queries
(the subtrees, their active assignments, the industry managers, the org units on the paths),
as plain data for pages, the "my customers" list and the note feed.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Q
from django.utils import timezone

from gecrm.access.scopes import subtree_q
from gecrm.core.models import PATH_SEPARATOR
from gecrm.customers.models import Customer
from gecrm.org.choices import OrgUnitKind, Post
from gecrm.org.models import OrgUnit, Staff

from .choices import Role
from .models import Assignment, active_on_q

ADMINISTRATIVE = (
    OrgUnitKind.GROUP,
    OrgUnitKind.PROVINCE,
    OrgUnitKind.PREFECTURE,
    OrgUnitKind.DISTRICT,
)
# The roles shown at a node, in this order (industry managers get their own rows by level).
NODE_ROLES = (
    Role.CHIEF_AM,
    Role.AM,
    Role.INDUSTRY_MANAGER,
    Role.PRESALES,
    Role.PROJECT_MANAGER,
    Role.SERVICE_MANAGER,
)
EMBEDDED_ROLES = (Role.PRESALES, Role.PROJECT_MANAGER, Role.SERVICE_MANAGER)

GAP_NO_CHIEF = "no_chief_am"
GAP_NO_AM = "no_am"
GAP_NO_INDUSTRY_MANAGER = "no_industry_manager"


@dataclass(frozen=True)
class Member:
    """A person on the team in one role, at one node (customer) or level (org unit)."""

    user_id: int
    username: str
    name: str
    role: str
    since: datetime.date | None = None
    org_unit: str = ""  # the name of the person's org unit

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@dataclass
class Unit:
    pk: int
    code: str
    name: str
    kind: str
    path: str


@dataclass
class Node:
    """A customer of the tree with the people serving it."""

    pk: int
    code: str
    name: str
    depth: int
    path: str
    parent_id: int | None
    org_unit: Unit
    level: str  # group, province, prefecture or district: the owning unit's administrative level
    province: Unit | None
    admin_code: str = ""  # the code of that administrative unit (深圳's for its bank team)
    people: dict[str, list[Member]] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    visible: bool = True  # False: shown only as the way to a visible node (no people)

    @property
    def is_hq(self) -> bool:
        return self.parent_id is None

    @property
    def account_managers(self) -> list[Member]:
        return self.people.get(Role.AM, [])

    @property
    def gap(self) -> str:
        if self.is_hq:
            return "" if self.people.get(Role.CHIEF_AM) else GAP_NO_CHIEF
        return "" if self.account_managers else GAP_NO_AM

    def roles(self) -> list[tuple[str, list[Member]]]:
        """(role label, members) for the roles present, in the order of NODE_ROLES."""
        return [(str(Role(r).label), self.people[r]) for r in NODE_ROLES if self.people.get(r)]


@dataclass
class Level:
    """The group or a province involved, with its industry manager(s) of the customer's industry."""

    unit: Unit
    industry_managers: list[Member]
    branches: int = 0  # nodes of the tree owned in this province (the group: the HQ if owned there)
    visible: bool = True

    @property
    def gap(self) -> str:
        return "" if self.industry_managers else GAP_NO_INDUSTRY_MANAGER


@dataclass
class Gap:
    kind: str
    node: Node | None = None
    level: Level | None = None


@dataclass
class Team:
    hq: Node
    nodes: list[Node]  # the tree in pre-order (path order)
    levels: list[Level]  # the group first, then the provinces involved in code order
    industry: str
    segment: str

    # The leader stays known when the HQ node itself is outside the viewer's scope (restrict_to):
    # whoever sees part of a team may know whom to work with.
    leader: Member | None = None

    @property
    def chief(self) -> Member | None:
        chiefs = self.hq.people.get(Role.CHIEF_AM) or []
        return chiefs[0] if chiefs else self.leader

    @property
    def branches(self) -> list[Node]:
        return [n for n in self.nodes if not n.is_hq]

    @property
    def provinces(self) -> list[Level]:
        return [lv for lv in self.levels if lv.unit.kind == OrgUnitKind.PROVINCE]

    @property
    def prefectures(self) -> set[str]:
        """Codes of the prefectures where a node is owned (by the prefecture or a unit in it)."""
        return {n.admin_code for n in self.nodes if n.level == OrgUnitKind.PREFECTURE}

    def members(self) -> list[Member]:
        """Everyone on the team, each person once (their first role in tree/level order)."""
        seen: dict[int, Member] = {}
        for node in self.nodes:
            for role in NODE_ROLES:
                for member in node.people.get(role, ()):
                    seen.setdefault(member.user_id, member)
        for level in self.levels:
            for member in level.industry_managers:
                seen.setdefault(member.user_id, member)
        return list(seen.values())

    @property
    def member_ids(self) -> set[int]:
        return {m.user_id for m in self.members()}

    def gaps(self, *, visible_only: bool = False) -> list[Gap]:
        gaps = []
        for node in self.nodes:
            if node.gap and (node.visible or not visible_only):
                gaps.append(Gap(node.gap, node=node))
        for level in self.levels:
            if level.gap and (level.visible or not visible_only):
                gaps.append(Gap(level.gap, level=level))
        return gaps

    def restrict_to(self, visible_ids: set[int]) -> None:
        """Keep the people of the nodes in `visible_ids` and of the levels those nodes lie in;
        the other nodes stay only as the way from the HQ to a visible node (no people)."""
        keep: set[int] = set()
        by_path = {n.path: n for n in self.nodes}
        for node in self.nodes:
            if node.pk in visible_ids:
                keep.add(node.pk)
                for code_path in _ancestor_paths(node.path):
                    ancestor = by_path.get(code_path)
                    if ancestor is not None:
                        keep.add(ancestor.pk)
        self.leader = self.chief
        provinces = {n.province.code for n in self.nodes if n.pk in visible_ids and n.province}
        hq_visible = self.hq.pk in visible_ids
        for node in self.nodes:
            node.visible = node.pk in visible_ids
            if not node.visible:
                node.people = {}
            node.children = [c for c in node.children if c.pk in keep]
        self.nodes = [n for n in self.nodes if n.pk in keep]
        for level in self.levels:
            level.visible = (
                hq_visible if level.unit.kind == OrgUnitKind.GROUP else level.unit.code in provinces
            )
            if not level.visible:
                level.industry_managers = []
        self.levels = [lv for lv in self.levels if lv.visible]


def _ancestor_paths(path: str) -> list[str]:
    codes = [c for c in path.split(PATH_SEPARATOR) if c]
    return [
        PATH_SEPARATOR + PATH_SEPARATOR.join(codes[:i]) + PATH_SEPARATOR
        for i in range(1, len(codes))
    ]


def _codes(path: str) -> list[str]:
    return [c for c in path.split(PATH_SEPARATOR) if c]


def _any(qs: list[Q]) -> Q:
    result = qs[0]
    for q in qs[1:]:
        result |= q
    return result


def derive_team(hq: Customer, *, day: datetime.date | None = None) -> Team:
    return derive_teams([hq], day=day)[hq.pk]


def derive_teams(hqs, *, day: datetime.date | None = None) -> dict[int, Team]:
    """The teams of the HQ customers `hqs` as of `day` (today), keyed by HQ id, in four queries
    whatever the number of HQs and branches."""
    hqs = [h for h in hqs if h.parent_id is None]
    if not hqs:
        return {}
    day = day or timezone.localdate()
    vendor = connections[Customer.objects.db].vendor
    in_trees = _any([subtree_q("path", h.path, vendor) for h in hqs])

    # 1. The subtrees, in path order (pre-order).
    rows = list(
        Customer._base_manager.filter(in_trees)
        .order_by("path")
        .values_list("pk", "code", "name", "depth", "path", "parent_id", "org_unit__path")
    )
    # 2. The active assignments of every node.
    assignments = list(
        Assignment._base_manager.filter(
            active_on_q(day),
            _any([subtree_q("customer__path", h.path, vendor) for h in hqs]),
            role__in=NODE_ROLES,
        )
        .order_by("customer__path", "role", "start", "user__username")
        .values_list(
            "customer_id",
            "role",
            "start",
            "user_id",
            "user__username",
            "user__staff__name",
            "user__staff__org_unit__name",
        )
    )
    # 3. Industry managers of the HQs' industries (a few per administrative unit at most).
    industries = {(h.segment, h.industry) for h in hqs}
    manager_q = _any(
        [
            Q(org_unit__industry=industry)
            if industry
            else Q(org_unit__segment=segment, org_unit__industry="")
            for segment, industry in industries
        ]
    )
    managers = list(
        Staff._base_manager.filter(
            manager_q, posts__post=Post.INDUSTRY_MANAGER, user__is_active=True
        )
        .order_by("user__username")
        .values_list(
            "user_id",
            "user__username",
            "name",
            "org_unit__name",
            "org_unit__path",
            "org_unit__segment",
            "org_unit__industry",
        )
        .distinct()
    )
    # 4. The org units on all those paths (names, kinds: levels and provinces).
    codes = {c for row in rows for c in _codes(row[6])} | {
        c for m in managers for c in _codes(m[4])
    }
    units = {
        code: Unit(pk, code, name, kind, path)
        for pk, code, name, kind, path in OrgUnit._base_manager.filter(code__in=codes).values_list(
            "pk", "code", "name", "kind", "path"
        )
    }

    @functools.cache
    def admin_of(path: str) -> Unit | None:
        admins = [units[c] for c in _codes(path) if c in units and units[c].kind in ADMINISTRATIVE]
        return admins[-1] if admins else None

    @functools.cache
    def province_of(path: str) -> Unit | None:
        return next(
            (
                units[c]
                for c in _codes(path)
                if c in units and units[c].kind == OrgUnitKind.PROVINCE
            ),
            None,
        )

    nodes_by_id: dict[int, Node] = {}
    teams: dict[int, Team] = {}
    hq_by_code = {h.code: h for h in hqs}
    for pk, code, name, depth, path, parent_id, unit_path in rows:
        unit = units.get(_codes(unit_path)[-1])
        admin = admin_of(unit_path)
        node = Node(
            pk=pk,
            code=code,
            name=name,
            depth=depth,
            path=path,
            parent_id=parent_id,
            org_unit=unit,
            level=admin.kind if admin else "",
            province=province_of(unit_path),
            admin_code=admin.code if admin else "",
        )
        nodes_by_id[pk] = node
        if parent_id is None:
            hq = hq_by_code[code]
            teams[pk] = Team(
                hq=node, nodes=[node], levels=[], industry=hq.industry, segment=hq.segment
            )
        else:
            nodes_by_id[parent_id].children.append(node)
            teams[_team_key(path, hq_by_code)].nodes.append(node)

    for customer_id, role, start, user_id, username, staff_name, unit_name in assignments:
        member = Member(user_id, username, staff_name or username, role, start, unit_name or "")
        people = nodes_by_id[customer_id].people.setdefault(role, [])
        if all(m.user_id != user_id for m in people):
            people.append(member)

    managers_of: dict[str, list] = {}
    for manager in managers:
        segment, industry = manager[5], manager[6]
        managers_of.setdefault(industry or f"segment:{segment}", []).append(manager)
    for team in teams.values():
        key = team.industry or f"segment:{team.segment}"
        _add_levels(team, units, managers_of.get(key, []), admin_of)
    return teams


def _team_key(path: str, hq_by_code: dict) -> int:
    return hq_by_code[_codes(path)[0]].pk


def _add_levels(team: Team, units: dict, managers: list, admin_of) -> None:
    """The group and the provinces involved, each with its industry managers."""
    group_code = _codes(team.hq.org_unit.path)[0]
    levels: dict[str, Level] = {}
    group = units.get(group_code)
    if group is not None:
        levels[group_code] = Level(group, [])
    for node in team.nodes:
        key = node.province.code if node.province else group_code
        if key not in levels and key in units:
            levels[key] = Level(units[key], [])
        if key in levels:
            levels[key].branches += 1
    for user_id, username, name, unit_name, unit_path, segment, industry in managers:
        if industry != team.industry or (not industry and segment != team.segment):
            continue
        admin = admin_of(unit_path)
        if admin is not None and admin.code in levels:
            levels[admin.code].industry_managers.append(
                Member(user_id, username, name, Role.INDUSTRY_MANAGER, None, unit_name)
            )
    # Assigned industry managers count for the level of the node they serve.
    for node in team.nodes:
        for member in node.people.get(Role.INDUSTRY_MANAGER, []):
            key = node.province.code if node.province else group_code
            level = levels.get(key)
            if level is not None and all(
                m.user_id != member.user_id for m in level.industry_managers
            ):
                level.industry_managers.append(member)
    group_level = levels.pop(group_code, None)
    ordered = sorted(levels.values(), key=lambda lv: lv.unit.code)
    team.levels = ([group_level] if group_level else []) + ordered


def hq_of(customer: Customer) -> str:
    """The code of the HQ customer whose tree `customer` belongs to."""
    return _codes(customer.path)[0]
