"""Org alignment (纵向对应): does every level have a counterpart of the group's vertical units?

DOMAIN.md §1: for the vertical segments (党政军, 金融, 大企业) the group, the provinces and the
prefectures have *corresponding* units or posts, so that a unit at one level has a counterpart
above and below. The seed's target: every province and half of the prefectures aligned within
the year (`RolloutTarget.aligned_provinces` / `aligned_prefectures`).

Definitions:

- **Subjects**: the service centres (客户服务中心, by segment) and industry teams (行业组, by
  industry) of a vertical segment that belong to the group itself — their nearest administrative
  ancestor is the group unit (a centre directly under it, or a team under such a centre).
- A province or prefecture **has the corresponding unit** of a centre when a centre of the same
  segment sits in its own part of the tree — below it, but not below one of its own lower
  administrative units (a 深圳 centre is 深圳's, not 广东's); of a team, when a team of the same
  industry does.
- It **has the corresponding post** when a member of its staff (in that same part of the tree)
  holds the `industry_manager` post in a unit of that segment (centre) or industry (team): a
  post can stand in for a unit where the volume does not justify one.
- **Aligned** = unit or post. A level's share is the aligned (subject, unit) pairs over all
  pairs; a province or prefecture is *fully aligned* when it is aligned for every subject.

Org units and staff posts are visible to everyone signed in, so the figures are not scoped.
The whole org tree (a few thousand units, never the customers) is read with one query and the
industry managers' units with another; the rest is a walk over those rows.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field

from gecrm.customers.choices import Industry, Segment, industry_segment
from gecrm.org.choices import OrgUnitKind, Post
from gecrm.org.models import OrgUnit, StaffPost

from .coverage import VERTICAL_SEGMENTS, short_name, target_for

ADMINISTRATIVE = {
    OrgUnitKind.GROUP,
    OrgUnitKind.PROVINCE,
    OrgUnitKind.PREFECTURE,
    OrgUnitKind.DISTRICT,
}
UNIT, POST, MISSING = "unit", "post", "missing"


@dataclass(frozen=True)
class Place:
    """A province or prefecture (an administrative org unit)."""

    pk: int
    code: str
    name: str
    kind: str
    province_code: str = ""  # a prefecture's province

    @property
    def short_name(self) -> str:
        return short_name(self.name)


@dataclass
class Subject:
    """A group-level vertical centre or team, and where its counterparts are."""

    pk: int
    code: str
    name: str
    kind: str  # centre / team
    segment: str
    industry: str
    provinces: dict[str, str] = field(default_factory=dict)  # code → unit / post / missing
    prefectures: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.industry if self.kind == OrgUnitKind.TEAM else self.segment)

    @property
    def label(self) -> str:
        if self.kind == OrgUnitKind.TEAM:
            return str(Industry(self.industry).label)
        return str(Segment(self.segment).label)

    @property
    def depth(self) -> int:
        return 1 if self.kind == OrgUnitKind.TEAM else 0

    def _count(self, cells: dict[str, str]) -> int:
        return sum(1 for state in cells.values() if state != MISSING)

    @property
    def provinces_aligned(self) -> int:
        return self._count(self.provinces)

    @property
    def prefectures_aligned(self) -> int:
        return self._count(self.prefectures)

    @property
    def province_share(self):
        return _share(self.provinces_aligned, len(self.provinces))

    @property
    def prefecture_share(self):
        return _share(self.prefectures_aligned, len(self.prefectures))


def _share(part: int, whole: int):
    if not whole:
        return None
    return (decimal.Decimal(part) / whole).quantize(decimal.Decimal("0.0001"))


@dataclass
class Alignment:
    year: int
    target: object  # RolloutTarget (stored or the defaults)
    provinces: list[Place] = field(default_factory=list)
    prefectures: list[Place] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)

    def _pairs(self, attr: str) -> tuple[int, int]:
        aligned = total = 0
        for subject in self.subjects:
            cells = getattr(subject, attr)
            total += len(cells)
            aligned += sum(1 for state in cells.values() if state != MISSING)
        return aligned, total

    @property
    def province_share(self):
        return _share(*self._pairs("provinces"))

    @property
    def prefecture_share(self):
        return _share(*self._pairs("prefectures"))

    def _fully(self, places: list[Place], attr: str) -> int:
        if not self.subjects:
            return 0
        return sum(
            1
            for place in places
            if all(getattr(s, attr)[place.code] != MISSING for s in self.subjects)
        )

    @property
    def provinces_fully_aligned(self) -> int:
        return self._fully(self.provinces, "provinces")

    @property
    def prefectures_fully_aligned(self) -> int:
        return self._fully(self.prefectures, "prefectures")

    def prefectures_by_province(self) -> list[dict]:
        """Per province: its prefectures, how many have every counterpart, and the share of
        aligned (subject, prefecture) pairs — where a province's prefectures lag."""
        result = []
        for province in self.provinces:
            places = [p for p in self.prefectures if p.province_code == province.code]
            pairs = aligned = fully = 0
            for place in places:
                states = [s.prefectures[place.code] for s in self.subjects]
                pairs += len(states)
                aligned += sum(1 for state in states if state != MISSING)
                fully += bool(states) and all(state != MISSING for state in states)
            result.append(
                {
                    "province": province,
                    "prefectures": len(places),
                    "fully_aligned": fully,
                    "share": _share(aligned, pairs),
                }
            )
        return result

    def subject(self, code: str) -> Subject | None:
        return next((s for s in self.subjects if s.code == code), None)


def alignment(year: int) -> Alignment:
    """The alignment matrix of the current org tree, with `year`'s targets."""
    result = Alignment(year=year, target=target_for(year))
    units = list(
        OrgUnit._base_manager.order_by("path").values_list(
            "pk", "code", "name", "kind", "segment", "industry", "path"
        )
    )
    kind_of = {code: kind for _pk, code, _n, kind, _s, _i, _p in units}

    def owner(path: str, *, itself: bool = False) -> str:
        """The code of the nearest administrative unit above the unit at `path` (or the unit
        itself, when `itself` and it is administrative)."""
        codes = [c for c in path.split("/") if c]
        for code in reversed(codes if itself else codes[:-1]):
            if kind_of.get(code) in ADMINISTRATIVE:
                return code
        return ""

    vertical_industries = {
        i.value for i in Industry if industry_segment(i.value) in VERTICAL_SEGMENTS
    }
    has_unit: set[tuple[str, str, str]] = set()  # (admin code, kind, segment or industry)
    for pk, code, name, kind, segment, industry, path in units:
        if kind == OrgUnitKind.PROVINCE:
            result.provinces.append(Place(pk, code, name, kind))
        elif kind == OrgUnitKind.PREFECTURE:
            result.prefectures.append(Place(pk, code, name, kind, owner(path)))
        elif kind == OrgUnitKind.CENTRE and segment in VERTICAL_SEGMENTS:
            admin = owner(path)
            has_unit.add((admin, OrgUnitKind.CENTRE, segment))
            if kind_of.get(admin) == OrgUnitKind.GROUP:
                result.subjects.append(Subject(pk, code, name, kind, segment, ""))
        elif kind == OrgUnitKind.TEAM and industry in vertical_industries:
            admin = owner(path)
            has_unit.add((admin, OrgUnitKind.TEAM, industry))
            if kind_of.get(admin) == OrgUnitKind.GROUP:
                result.subjects.append(
                    Subject(pk, code, name, kind, industry_segment(industry), industry)
                )
    result.provinces.sort(key=lambda p: p.code)
    # The seed's order: 党政军, 金融, 大企业, each centre before its teams.
    industries = [i.value for i in Industry]
    result.subjects.sort(
        key=lambda s: (
            VERTICAL_SEGMENTS.index(s.segment),
            s.kind == OrgUnitKind.TEAM,
            industries.index(s.industry) if s.industry else -1,
            s.code,
        )
    )

    # Industry managers stand in for a missing unit of their unit's segment / industry.
    has_post: set[tuple[str, str, str]] = set()
    manager_units = (
        StaffPost.objects.filter(post=Post.INDUSTRY_MANAGER)
        .values_list(
            "staff__org_unit__path", "staff__org_unit__segment", "staff__org_unit__industry"
        )
        .distinct()
    )
    for path, segment, industry in manager_units:
        admin = owner(path, itself=True)
        segment = segment or (industry_segment(industry) if industry else "")
        if segment:
            has_post.add((admin, OrgUnitKind.CENTRE, segment))
        if industry:
            has_post.add((admin, OrgUnitKind.TEAM, industry))

    for subject in result.subjects:
        kind, value = subject.key
        for places, cells in (
            (result.provinces, subject.provinces),
            (result.prefectures, subject.prefectures),
        ):
            for place in places:
                if (place.code, kind, value) in has_unit:
                    cells[place.code] = UNIT
                elif (place.code, kind, value) in has_post:
                    cells[place.code] = POST
                else:
                    cells[place.code] = MISSING
    return result
