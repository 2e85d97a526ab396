"""The deterministic demo data set: org, staff, products, customers and contacts.

`build_demo(scale=…, seed=…)` wipes the business tables and regenerates them. The same seed and
scale give the same rows. Scale 1 is the pilot of DOMAIN.md §4 (75 HQ customers of the vertical
segments with their branches), the rest of the vertical industries (2–4 local groups per industry
and unit of scale, no chief AM) and 10,000 SME and clustered customers; the SME/cluster count and
the local groups grow linearly with the scale, branches grow with its logarithm, so scale 100
gives about a million customers.

Demo generation is not an import: it bypasses the actions (no per-row validation queries, no
per-row change log) and writes with `executemany` (SQLite) or `COPY` (PostgreSQL), computing
materialised paths itself. Every row it writes passes the models' `full_clean` (see the tests).
"""

import bisect
import datetime
import functools
import hashlib
import itertools
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gecrm.access.models import ApiToken
from gecrm.accounts.models import Assignment, Program
from gecrm.catalog.choices import ICT_CATEGORIES
from gecrm.catalog.models import Product
from gecrm.core import months as month_utils
from gecrm.core.importing import insert_rows
from gecrm.core.models import ObjectChange, TreeModel
from gecrm.customers.choices import SEGMENT_CENTRE_NAMES, Industry, Segment
from gecrm.customers.grams import deferred_grams, wipe_grams
from gecrm.customers.models import Contact, Customer
from gecrm.customers.pinyin import name_keys
from gecrm.customers.uscc import ALPHABET, VALUES, WEIGHTS
from gecrm.finance.actions import rebuild_rollup
from gecrm.finance.models import BatchMonth, ImportBatch, Revenue
from gecrm.kpi.models import Computation, Snapshot
from gecrm.org.choices import Post
from gecrm.org.models import OrgUnit, Region, Staff, StaffPost

from . import billing, data

SME_PER_SCALE = 10_000
CHUNK = 50_000
GROUP_HQ_REGION = "110102"  # 北京市西城区: where the group-level HQ customers sit
STAFF_EMAIL_DOMAIN = "demo.gecrm.cn"

VERTICAL_SEGMENTS = ("gov", "fin", "ent")
SEGMENT_CODES = {"gov": "GOV", "fin": "FIN", "ent": "ENT", "sme": "SME", "cluster": "CLU"}
PILOT_PREFECTURES = {"广州市", "深圳市", "南京市", "苏州市"}

POST_ABBR = {
    Post.INDUSTRY_EXPANSION_MANAGER: "iem",
    Post.INDUSTRY_MANAGER: "im",
    Post.CHIEF_AM: "cam",
    Post.AM: "am",
    Post.SALES_MANAGER: "sm",
    Post.TELESALES_MANAGER: "tsm",
    Post.INDUSTRY_EXPANSION: "ie",
    Post.CAMPAIGN_PLANNING: "cp",
    Post.SALES_CONTROL: "sc",
    Post.PRESALES: "ps",
    Post.PROJECT_MANAGER: "pm",
    Post.SERVICE_MANAGER: "svc",
    Post.HOTLINE_AGENT: "hl",
}

CUSTOMER_FIELDS = (
    "id", "code", "parent_id", "path", "depth", "name", "uscc", "segment", "industry",
    "region_id", "org_unit_id", "address", "lat", "lon", "status", "created_at", "updated_at",
    "version",
)  # fmt: skip
# What is written: the rows plus the pinyin search keys of the name (see `with_name_keys`).
CUSTOMER_WRITE_FIELDS = (*CUSTOMER_FIELDS, "name_pinyin", "name_initials")
NAME_POS = CUSTOMER_FIELDS.index("name")
CONTACT_FIELDS = (
    "customer_id", "name", "title", "phone", "email", "is_primary", "created_at", "updated_at",
    "version",
)  # fmt: skip
ORG_FIELDS = (
    "id", "code", "parent_id", "path", "depth", "name", "kind", "region_id", "segment",
    "industry", "created_at", "updated_at", "version",
)  # fmt: skip
STAFF_FIELDS = ("id", "user_id", "name", "org_unit_id", "email", "phone", "created_at",
                "updated_at", "version")  # fmt: skip
STAFF_POST_FIELDS = ("staff_id", "post")
ASSIGNMENT_FIELDS = ("customer_id", "user_id", "role", "start", "end", "created_at", "updated_at",
                     "version")  # fmt: skip
# SME and clustered customers each account manager serves by name (the rest by grid).
SME_BOOK = 40
# Demo assignments start on a day drawn from the 600 days after the first day of the month this
# many months before the last billed month (2024-01-01 for a demo built in December 2026): dates
# follow the day the demo is built, and every assignment has started by the end of the KPI
# comparison month a year before the last one.
ASSIGNMENTS_SINCE_MONTHS = 34
# The HQ of the chief AM the README and `gecrm demo` present (`grp_c_fin_bank_cam03`), a
# group-level bank that is always covered. HQ codes and chief AM usernames follow the generation
# order (`data.PILOT_HQ`), which neither the seed nor the scale changes, so the persona stays the
# same whatever the scale (the widest bank does not: SCALE >= 10 adds branches).
PERSONA_BANK_HQ = "FIN0007"
USER_FIELDS = ("id", "password", "last_login", "is_superuser", "username", "first_name",
               "last_name", "email", "is_staff", "is_active", "date_joined")  # fmt: skip

# Models the demo owns; anything else that points at them is wiped with them.
WIPED_MODELS = (ObjectChange, ApiToken, Contact, Customer, StaffPost, Staff, OrgUnit, Product,
                ImportBatch, Snapshot, Computation, Program)  # fmt: skip
# The columns of a customer row that billing reads: id, path, depth, segment, industry, status.
BILLED_FIELDS = tuple(CUSTOMER_FIELDS.index(name) for name in (
    "id", "path", "depth", "segment", "industry", "status"))  # fmt: skip
REVENUE_FIELDS = ("month", "customer_id", "product_id", "amount_cents", "batch_id")


def label(choice) -> str:
    """The Chinese label of an enumeration member, whatever the active language."""
    with translation.override(None):
        return str(choice.label)


# ----------------------------------------------------------------------------------------------
# Plumbing: wiping and bulk writing


def wiped_models() -> list:
    """The demo's models plus every model that references one of them, transitively."""
    User = get_user_model()
    keep = {Region, User}
    found = list(WIPED_MODELS)
    queue = list(WIPED_MODELS)
    while queue:
        model = queue.pop()
        for rel in model._meta.get_fields(include_hidden=True):
            if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
                continue
            dependent = rel.related_model
            if dependent in keep or dependent in found or not dependent._meta.managed:
                continue
            found.append(dependent)
            queue.append(dependent)
    return found


def wipe() -> None:
    """Empty the business tables and drop non-superuser logins; regions and superusers stay."""
    # Dependents come after what they reference: delete them first, so that SQLite's foreign key
    # checks of each deleted parent row look into tables that are already empty.
    models = wiped_models()[::-1]
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses to run while deferred FK checks are pending in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (names from the models)
        wipe_grams(cursor)  # the name bigram index (filled by triggers, not a model)
        _delete_plain_users(cursor, set(models))


def _delete_plain_users(cursor, already_empty: set) -> None:
    """Drop every non-superuser login and what hangs on it, set-based (the ORM's collector
    fetches thousands of users in batches first)."""
    User = get_user_model()
    quote = connection.ops.quote_name
    users = quote(User._meta.db_table)
    plain = f"{quote(User._meta.get_field('is_superuser').column)} = %s"
    doomed = f"SELECT {quote(User._meta.pk.column)} FROM {users} WHERE {plain}"  # noqa: S608
    for rel in User._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        if rel.related_model in already_empty:
            continue
        table, column = quote(rel.related_model._meta.db_table), quote(rel.field.column)
        if rel.on_delete is models.SET_NULL:
            sql = f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({doomed})"  # noqa: S608
        else:
            sql = f"DELETE FROM {table} WHERE {column} IN ({doomed})"  # noqa: S608
        cursor.execute(sql, [False])
    cursor.execute(f"DELETE FROM {users} WHERE {plain}", [False])  # noqa: S608


def with_name_keys(rows: Iterable[tuple]) -> Iterable[tuple]:
    """Customer rows (`CUSTOMER_FIELDS`) with their name's pinyin keys appended."""
    for row in rows:
        yield (*row, *name_keys(row[NAME_POS]))


class BulkWriter:
    """Inserts plain tuples into a model's table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, model, fields: Iterable[str]):
        meta = model._meta
        quote = connection.ops.quote_name
        self.table = quote(meta.db_table)
        fields = tuple(fields)
        # get_field knows attnames too: "parent_id" → the parent field → its column.
        self.columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
        self.width = len(fields)

    def write(self, rows: Iterable[tuple]) -> int:
        count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY {self.table} ({self.columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                marks = ", ".join(["%s"] * self.width)
                sql = f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})"  # noqa: S608
                rows = list(rows)
                cursor.executemany(sql, rows)
                count = len(rows)
        return count


# ----------------------------------------------------------------------------------------------
# Regions


class Regions:
    """The GB/T 2260 table in memory, with names for addresses and city-centre coordinates."""

    def __init__(self):
        self.name: dict[str, str] = {}
        self.level: dict[str, str] = {}
        self.parent: dict[str, str | None] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        for code, name, level, parent in Region.objects.order_by("code").values_list(
            "code", "name", "level", "parent_id"
        ):
            self.name[code], self.level[code], self.parent[code] = name, level, parent
            if parent:
                self.children[parent].append(code)
        self.centres: dict[str, tuple[float, float]] = {}

    def province_of(self, code: str) -> str:
        return code[:2] + "0000"

    def full_name(self, code: str) -> str:
        parts = []
        node = code
        while node:
            if self.name[node] not in ("市辖区", "县"):
                parts.append(self.name[node])
            node = self.parent[node]
        return "".join(reversed(parts))

    def cities(self, province: str) -> list[str]:
        """Prefecture-level divisions; for a municipality, its districts."""
        result = []
        for child in self.children[province]:
            if self.name[child] in ("市辖区", "县"):
                result.extend(self.children[child])
            else:
                result.append(child)
        return result

    def centre(self, code: str) -> tuple[float, float] | None:
        """The centre of the city (or municipal district) that contains `code`, if known."""
        node = code
        while node:
            if node in self.centres:
                return self.centres[node]
            node = self.parent.get(node)
        return None


def short_place(name: str) -> str:
    """深圳市 → 深圳, 阿坝藏族羌族自治州 → 阿坝, 南山区 → 南山, 浦东新区 → 浦东."""
    if name.endswith("自治州") or name.endswith("自治县"):
        return name[:2]
    for suffix in ("新区", "区", "县", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


# ----------------------------------------------------------------------------------------------
# Org


@dataclass
class Unit:
    id: int
    code: str
    name: str
    kind: str
    parent: "Unit | None"
    region_id: str | None
    segment: str = ""
    industry: str = ""
    path: str = ""
    depth: int = 0
    prefix: str = ""  # the place word that starts the names of its centres: 广东, 深圳, 集团
    weight: int = 1

    def row(self, now) -> tuple:
        return (
            self.id, self.code, self.parent.id if self.parent else None, self.path, self.depth,
            self.name, self.kind, self.region_id, self.segment, self.industry, now, now, 1,
        )  # fmt: skip


@dataclass
class Slot:
    """Where SME and clustered customers are placed: an owning unit in one city."""

    unit: Unit
    weight: float
    regions: list[str]
    city_code: str  # the prefecture-kind unit's region: the key of customer codes
    lat: float
    lon: float


@dataclass
class Org:
    units: list[Unit] = field(default_factory=list)
    by_code: dict[str, Unit] = field(default_factory=dict)
    province_units: dict[str, Unit] = field(default_factory=dict)  # province region → unit
    city_units: dict[str, Unit] = field(default_factory=dict)  # city/district region → unit
    district_units: dict[str, Unit] = field(default_factory=dict)  # county region → unit
    teams: dict[tuple[str, str], Unit] = field(default_factory=dict)  # (unit code, industry)
    slots: list[Slot] = field(default_factory=list)

    def add(self, code, name, kind, parent=None, region=None, segment="", industry="", **extra):
        unit = Unit(
            id=len(self.units) + 1,
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            region_id=region,
            segment=segment,
            industry=industry,
            path=TreeModel.make_path(parent.path if parent else None, code),
            depth=parent.depth + 1 if parent else 0,
            **extra,
        )
        self.units.append(unit)
        self.by_code[code] = unit
        return unit

    def add_centres(self, admin: Unit, segments, team_filter: Callable[[str], bool]) -> None:
        for segment in segments:
            centre = self.add(
                f"{admin.code}.C.{SEGMENT_CODES[segment]}",
                f"{admin.prefix}{SEGMENT_CENTRE_NAMES[segment]}",
                "centre",
                admin,
                admin.region_id,
                segment,
            )
            for industry in Industry:
                if not industry.value.startswith(segment + ".") or not team_filter(industry):
                    continue
                suffix = "组" if segment == "cluster" else "行业组"
                team = self.add(
                    f"{centre.code}.{industry.value.split('.', 1)[1]}",
                    f"{admin.prefix}{label(industry)}{suffix}",
                    "team",
                    centre,
                    admin.region_id,
                    segment,
                    industry.value,
                )
                self.teams[(admin.code, industry.value)] = team

    def team_or_unit(self, unit: Unit, industry: str) -> Unit:
        return self.teams.get((unit.code, industry), unit)


def build_org(regions: Regions, rng: random.Random) -> Org:
    org = Org()
    all_segments = [s.value for s in Segment]
    group = org.add("GRP", "集团公司政企客户事业部", "group", prefix="集团")
    org.add_centres(group, all_segments, lambda industry: True)

    for prov_code, (abbr, short, weight) in data.PROVINCES.items():
        full = regions.name[prov_code]
        level_word = full[-1] if full[-1] in "省市" else ""
        province = org.add(
            abbr, f"{short}{level_word}公司政企客户部", "province", group, prov_code,
            prefix=short, weight=weight,
        )  # fmt: skip
        org.province_units[prov_code] = province
        org.add_centres(province, all_segments, lambda industry: True)

        for city in prefecture_regions(regions, prov_code):
            _add_prefecture(org, regions, rng, province, city)
    return org


def prefecture_regions(regions: Regions, province: str) -> list[str]:
    """The cities (municipal districts) of a province that get a prefecture-level org unit."""
    if province in data.DETAILED_PROVINCES:
        return regions.cities(province)
    return [data.CAPITALS[province]]


def prefecture_entry(regions: Regions, city: str) -> tuple[str, tuple]:
    """(display name, `data.PREFECTURES` entry) of a prefecture-level org unit's region."""
    city_name = regions.name[city]
    province = regions.province_of(city)
    if regions.level[city] == "county":  # a municipal district (北京市朝阳区)
        return (
            data.PROVINCES[province][1] + short_place(city_name),
            data.PREFECTURES[regions.name[province] + city_name],
        )
    return short_place(city_name), data.PREFECTURES[city_name]


def _add_prefecture(org: Org, regions: Regions, rng: random.Random, province: Unit, city: str):
    city_name = regions.name[city]
    display, (abbr, lat, lon, weight) = prefecture_entry(regions, city)
    regions.centres[city] = (lat, lon)
    unit = org.add(
        f"{province.code}.{abbr}", f"{display}分公司政企客户部", "prefecture", province, city,
        prefix=display, weight=weight,
    )  # fmt: skip
    org.city_units[city] = unit

    # Vertical counterparts: the pilot prefectures have all of them, the others about half
    # (the seed's target for the year), so the org browser shows the gaps.
    pilot = city_name in PILOT_PREFECTURES
    vertical = [s for s in VERTICAL_SEGMENTS if pilot or rng.random() < 0.5]
    org.add_centres(unit, vertical, lambda industry: pilot or rng.random() < 0.6)
    org.add_centres(unit, ["sme", "cluster"], lambda industry: False)

    districts = data.DISTRICT_PREFECTURES.get(city_name, {})
    district_units = []
    for district in regions.children[city]:
        district_name = regions.name[district]
        if district_name in districts:
            district_unit = org.add(
                f"{unit.code}.{districts[district_name]}",
                f"{display}{district_name}分局",
                "district",
                unit,
                district,
                prefix=display + short_place(district_name),
            )
            org.district_units[district] = district_unit
            district_units.append(district_unit)

    # Where this city's SME and clustered customers go: its districts (mostly), or the city.
    if district_units:
        org.slots.append(Slot(unit, weight * 0.2, [city], city, lat, lon))
        for district_unit in district_units:
            org.slots.append(
                Slot(district_unit, weight * 0.8 / len(district_units),
                     [district_unit.region_id], city, lat, lon)
            )  # fmt: skip
    else:
        org.slots.append(Slot(unit, weight, regions.children.get(city) or [city], city, lat, lon))


# ----------------------------------------------------------------------------------------------
# People


class People:
    """Chinese names with pinyin, mobile numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames = [(s, p) for s, p, _ in data.SURNAMES]
        self.surname_cum = list(itertools.accumulate(w for _, _, w in data.SURNAMES))
        self.given = data.GIVEN_CHARS

    def name(self) -> tuple[str, str, str]:
        """(full name, surname pinyin, given-name pinyin)."""
        rnd = self.rng.random
        surname, surname_py = self.surnames[
            bisect.bisect_right(self.surname_cum, rnd() * self.surname_cum[-1])
        ]
        given = self.given
        first = given[int(rnd() * len(given))]
        if rnd() < 0.7:
            second = given[int(rnd() * len(given))]
            return surname + first[0] + second[0], surname_py, first[1] + second[1]
        return surname + first[0], surname_py, first[1]

    def mobile(self) -> str:
        rnd = self.rng.random
        prefixes = data.MOBILE_PREFIXES
        return f"{prefixes[int(rnd() * len(prefixes))]}{int(rnd() * 100_000_000):08d}"


@dataclass
class Person:
    username: str
    name: str
    surname_py: str
    given_py: str
    unit: Unit
    post: str
    phone: str


@dataclass
class Login:
    username: str
    name: str
    post: str
    org_unit: str
    note: str = ""


def plan_staff(org: Org, people: People, chief_owners: list[Unit], mult: int) -> list[Person]:
    """Staff in every post, spread over the org; one chief AM per vertical HQ customer."""
    staff: list[Person] = []
    counters: dict[tuple[str, str], int] = defaultdict(int)
    rng = people.rng

    def hire(unit: Unit, post: str, n: int = 1) -> None:
        for _seq in range(n):
            counters[(unit.code, post)] += 1
            username = (
                f"{unit.code.lower().replace('.', '_')}_{POST_ABBR[post]}"
                f"{counters[(unit.code, post)]:02d}"
            )
            name, surname_py, given_py = people.name()
            staff.append(Person(username, name, surname_py, given_py, unit, post, people.mobile()))

    for unit in org.units:
        kind, segment = unit.kind, unit.segment
        admin = unit.parent.parent if kind == "team" else unit.parent if kind == "centre" else unit
        level = admin.kind if admin else "group"
        if kind == "group":
            hire(unit, Post.SALES_CONTROL, 2)
            hire(unit, Post.CAMPAIGN_PLANNING)
            hire(unit, Post.SERVICE_MANAGER)
        elif kind == "province":
            hire(unit, Post.SALES_CONTROL, 2 if unit.weight >= 6 else 1)
            hire(unit, Post.CAMPAIGN_PLANNING)
            hire(unit, Post.HOTLINE_AGENT, 1 + unit.weight // 3)
            hire(unit, Post.TELESALES_MANAGER)
            hire(unit, Post.SERVICE_MANAGER)
        elif kind == "prefecture":
            hire(unit, Post.AM, (2 + unit.weight // 3) * mult)
            hire(unit, Post.SALES_MANAGER, 2 if unit.weight >= 5 else 1)
            hire(unit, Post.TELESALES_MANAGER)
            hire(unit, Post.SALES_CONTROL)
            hire(unit, Post.SERVICE_MANAGER)
            if unit.weight >= 3:
                hire(unit, Post.CAMPAIGN_PLANNING)
            if unit.weight >= 5:
                hire(unit, Post.PRESALES)
                hire(unit, Post.PROJECT_MANAGER)
        elif kind == "district":
            hire(unit, Post.AM, rng.randint(1, 3) * mult)
            hire(unit, Post.SALES_MANAGER)
        elif kind == "centre":
            if segment in VERTICAL_SEGMENTS:
                if level in ("group", "province"):
                    hire(unit, Post.INDUSTRY_EXPANSION_MANAGER)
                    hire(unit, Post.PRESALES)
                    hire(unit, Post.PROJECT_MANAGER)
                else:
                    hire(unit, Post.INDUSTRY_EXPANSION)
            elif level in ("group", "province"):
                hire(unit, Post.INDUSTRY_EXPANSION)
                hire(unit, Post.CAMPAIGN_PLANNING)
            else:
                hire(unit, Post.SALES_MANAGER)
        elif kind == "team":
            if segment in VERTICAL_SEGMENTS:
                hire(unit, Post.INDUSTRY_MANAGER)
                hire(unit, Post.AM, 1 if level == "group" else rng.randint(1, 2) * mult)
            else:
                hire(unit, Post.SALES_MANAGER)
    for unit in chief_owners:
        hire(unit, Post.CHIEF_AM)
    return staff


# ----------------------------------------------------------------------------------------------
# Customers


class Codes:
    """USCCs unique by construction: the 9 free characters encode the customer's serial number
    through an affine bijection of 31^9 whose seed-drawn multiplier scatters every digit."""

    SPACE = 31**9

    def __init__(self, rng: random.Random):
        self.multiplier = rng.randrange(self.SPACE // 3, self.SPACE) // 31 * 31 + 1  # ⟂ 31
        self.offset = rng.randrange(self.SPACE)
        self._prefix_sums: dict[str, int] = {}

    def uscc(self, serial: int, kind: str, region: str) -> str:
        head = kind + region
        prefix_sum = self._prefix_sums.get(head)
        if prefix_sum is None:
            prefix_sum = sum(VALUES[ch] * w for ch, w in zip(head, WEIGHTS, strict=False))
            self._prefix_sums[head] = prefix_sum
        x = (serial * self.multiplier + self.offset) % self.SPACE
        chars = []
        total = prefix_sum
        for weight in WEIGHTS[8:]:
            x, value = divmod(x, 31)
            chars.append(ALPHABET[value])
            total += value * weight
        return head + "".join(chars) + ALPHABET[(31 - total % 31) % 31]


@dataclass
class Build:
    """State shared by the customer generators."""

    regions: Regions
    org: Org
    rng: random.Random
    people: People
    codes: Codes
    now: object
    branch_mult: int
    next_id: int = 1
    customers: list[tuple] = field(default_factory=list)
    contacts: list[tuple] = field(default_factory=list)
    hq_owners: list[Unit] = field(default_factory=list)
    hq_provinces: dict[str, int] = field(default_factory=dict)
    hq_names: dict[str, str] = field(default_factory=dict)

    def address(self, region: str) -> str:
        rnd = self.rng.random
        road = data.ROADS[int(rnd() * len(data.ROADS))]
        return f"{self.regions.full_name(region)}{road}{1 + int(rnd() * 300)}号"

    def coordinates(self, region: str) -> tuple[str | None, str | None]:
        centre = self.regions.centre(region)
        if centre is None:
            return None, None
        rnd = self.rng.random
        return (f"{centre[0] + rnd() * 0.1 - 0.05:.6f}", f"{centre[1] + rnd() * 0.1 - 0.05:.6f}")

    def customer(self, *, code, parent, name, segment, industry, region, unit, status="active"):
        """Append one vertical customer; returns (id, path, depth)."""
        cid = self.next_id
        self.next_id += 1
        path = TreeModel.make_path(parent[1] if parent else None, code)
        depth = parent[2] + 1 if parent else 0
        lat, lon = self.coordinates(region)
        uscc = self.codes.uscc(cid, "11" if segment == "gov" else "91", region)
        self.customers.append((
            cid, code, parent[0] if parent else None, path, depth, name, uscc, segment, industry,
            region, unit.id, self.address(region), lat, lon, status, self.now, self.now, 1,
        ))  # fmt: skip
        return cid, path, depth

    def add_contacts(self, customer_id: int, segment: str, domain: str, n: int) -> None:
        titles = data.CONTACT_TITLES[segment]
        for i in range(n):
            name, surname_py, given_py = self.people.name()
            self.contacts.append((
                customer_id, name, titles[int(self.rng.random() * len(titles))],
                self.people.mobile(), f"{given_py}.{surname_py}@{domain}", i == 0,
                self.now, self.now, 1,
            ))  # fmt: skip


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, heavier ones likelier (Efraimidis–Spirakis), in a stable order."""
    keyed = sorted(zip(items, weights, strict=True), key=lambda iw: rng.random() ** (1 / iw[1]))
    return [item for item, _ in keyed[-k:]][::-1]


def plan_verticals(b: Build) -> None:
    """The pilot HQ customers of the vertical segments, with branches across the country
    (`b.hq_names` holds their codes, in generation order)."""
    rng, org, regions = b.rng, b.org, b.regions
    brands = {ind: rng.sample(data.BRANDS, len(data.BRANDS)) for ind in data.COMPANY_TEMPLATES}
    gov_systems = rng.sample(data.GOV_SYSTEMS, len(data.GOV_SYSTEMS))
    provincial_bodies = rng.sample(data.PROVINCIAL_BODIES, len(data.PROVINCIAL_BODIES))
    used_names: set[str] = set()
    provinces = list(data.PROVINCES)
    province_weights = [data.PROVINCES[p][2] for p in provinces]
    serial = defaultdict(int)

    for segment in VERTICAL_SEGMENTS:
        industries = [i.value for i in Industry if i.value.startswith(segment + ".")]
        n_in_segment = 0
        for owner, count in data.PILOT_HQ[segment].items():
            for _seq in range(count):
                industry = industries[n_in_segment % len(industries)]
                n_in_segment += 1
                serial[segment] += 1
                hq_code = f"{SEGMENT_CODES[segment]}{serial[segment]:04d}"
                owner_unit = org.by_code["GRP"] if owner == "group" else org.province_units[owner]
                home = GROUP_HQ_REGION if owner == "group" else data.CAPITALS[owner]
                home_province = regions.province_of(home)

                if segment == "gov" and owner == "group" and gov_systems:
                    picked = next((s for s in gov_systems if s[0] == industry), gov_systems[0])
                    gov_systems.remove(picked)
                    industry, hq_name, prov_t, city_t, dist_t, domain = picked
                    words = {}
                    domain = f"{domain}.gov.cn"
                    national = True
                elif segment == "gov":
                    picked = provincial_bodies.pop(0)
                    industry, hq_t, city_t, dist_t, domain = picked
                    prov_t = None
                    words = {"P": regions.name[home_province]}
                    hq_name = hq_t.format(**words)
                    domain = f"{domain}.{data.PROVINCES[home_province][0].lower()}.gov.cn"
                    national = False
                else:
                    kinds, hq_t, prov_t, city_t, dist_t, domain_word = data.COMPANY_TEMPLATES[
                        industry
                    ]
                    brand, brand_py = brands[industry].pop() if brands[industry] else (
                        data.PROVINCES[home_province][1], "demo")  # fmt: skip
                    words = {"b": brand, "k": kinds[int(rng.random() * len(kinds))]}
                    hq_name = hq_t.format(**words)
                    if hq_name in used_names:  # the brand table ran out for this industry
                        words["b"] = data.PROVINCES[home_province][1] + brand
                        hq_name = hq_t.format(**words)
                    domain = f"{brand_py}-{domain_word}.com.cn"
                    national = True
                used_names.add(hq_name)

                owner_team = org.team_or_unit(owner_unit, industry)
                hq = b.customer(
                    code=hq_code, parent=None, name=hq_name, segment=segment,
                    industry=industry, region=home, unit=owner_team,
                )  # fmt: skip
                b.add_contacts(hq[0], segment, domain, rng.randint(2, 3))
                b.hq_owners.append(owner_team)
                b.hq_names[hq_code] = hq_name

                templates = (prov_t, city_t, dist_t)
                if national:
                    k = min(len(provinces), rng.randint(3, 8) + 2 * (b.branch_mult - 1))
                    chosen = _weighted_sample(rng, provinces, province_weights, k)
                    if owner != "group" and owner not in chosen:
                        chosen[-1] = owner
                    for province in chosen:
                        _branch_province(b, hq_code, hq, province, segment, industry, words,
                                         templates, domain)  # fmt: skip
                    b.hq_provinces[hq_code] = len(chosen)
                else:
                    cities = regions.cities(home_province)
                    for city in rng.sample(cities, min(len(cities), rng.randint(3, 6))):
                        _branch_city(b, hq_code, hq, home_province, city, segment, industry,
                                     words, templates, domain)  # fmt: skip
                    b.hq_provinces[hq_code] = 1


def plan_local_groups(b: Build, scale: float) -> None:
    """The rest of the vertical industries: groups that are not pilots (`data.LOCAL_GROUPS`), so
    that the pilots have an industry to be compared with. Each is a top-level customer of a
    prefecture unit's (or, for a fifth, its province's) team, mostly without branches, with no
    chief AM. Generated after the pilots, in code order after theirs: the pilots stay the same."""
    rng, org, regions = b.rng, b.org, b.regions
    used_names = {row[5] for row in b.customers}
    serial = {seg: sum(1 for c in b.hq_names if c.startswith(SEGMENT_CODES[seg]))
              for seg in VERTICAL_SEGMENTS}  # fmt: skip
    provinces = list(data.PROVINCES)
    province_weights = [data.PROVINCES[p][2] for p in provinces]
    low, high = data.LOCAL_GROUPS_PER_SCALE
    for industry, templates in data.LOCAL_GROUPS.items():
        segment = industry.split(".", 1)[0]
        n = max(data.LOCAL_GROUPS_MIN, round(scale * rng.randint(low, high)))
        kinds = data.COMPANY_TEMPLATES.get(industry, ([""],))[0]
        for _seq in range(n):
            for _attempt in range(20):  # a name already taken: draw another
                province = _weighted_sample(rng, provinces, province_weights, 1)[0]
                cities = [c for c in regions.cities(province) if c in org.city_units]
                city = cities[int(rng.random() * len(cities))]
                hq_t, branch_t, word = templates[int(rng.random() * len(templates))]
                brand, brand_py = data.BRANDS[int(rng.random() * len(data.BRANDS))]
                if regions.level[city] == "county":  # a municipal district: the municipality
                    place = regions.name[province]
                else:
                    place = regions.name[city]
                words = {"b": brand, "k": kinds[int(rng.random() * len(kinds))],
                         "C": short_place(place), "Cf": place}  # fmt: skip
                name = hq_t.format(**words)
                if name not in used_names:
                    break
            else:
                continue
            used_names.add(name)
            abbr = data.PROVINCES[province][0]
            if segment == "gov":
                domain = f"{word}.{abbr.lower()}.gov.cn"
            elif "{b}" in hq_t:
                domain = f"{brand_py}-{word}.com.cn"
            else:
                domain = f"{abbr.lower()}{word}.com.cn"
            owner = org.city_units[city] if rng.random() < 0.8 else org.province_units[province]
            serial[segment] += 1
            code = f"{SEGMENT_CODES[segment]}{serial[segment]:04d}"
            hq = b.customer(
                code=code, parent=None, name=name, segment=segment, industry=industry,
                region=city, unit=org.team_or_unit(owner, industry),
            )  # fmt: skip
            b.add_contacts(hq[0], segment, domain, rng.randint(1, 2))
            districts = [d for d in regions.children.get(city, [])
                         if "开发区" not in regions.name[d]]  # fmt: skip
            r = rng.random()
            n_branches = min(len(districts), 0 if r < 0.6 else 1 if r < 0.85 else 2)
            for district in rng.sample(districts, n_branches):
                branch_words = dict(words, D=short_place(regions.name[district]),
                                    Df=regions.name[district])  # fmt: skip
                district_unit = org.district_units.get(district)
                branch = b.customer(
                    code=f"{code}.{abbr}.{district}", parent=hq,
                    name=branch_t.format(**branch_words), segment=segment, industry=industry,
                    region=district, unit=district_unit or org.team_or_unit(owner, industry),
                )  # fmt: skip
                b.add_contacts(branch[0], segment, domain, 1)


def _branch_province(b: Build, hq_code, hq, province, segment, industry, words, templates, domain):
    rng, org, regions = b.rng, b.org, b.regions
    abbr = data.PROVINCES[province][0]
    province_unit = org.province_units[province]
    capital = data.CAPITALS[province]
    names = dict(words, P=regions.name[province])
    branch = b.customer(
        code=f"{hq_code}.{abbr}", parent=hq, name=templates[0].format(**names), segment=segment,
        industry=industry, region=capital, unit=org.team_or_unit(province_unit, industry),
    )  # fmt: skip
    b.add_contacts(branch[0], segment, domain, rng.randint(1, 3))
    cities = regions.cities(province)
    n = min(len(cities), rng.randint(0, 3) * b.branch_mult)
    weights = [_city_weight(regions, city, capital) for city in cities]
    for city in _weighted_sample(rng, cities, weights, n):
        _branch_city(b, hq_code, branch, province, city, segment, industry, names, templates,
                     domain)  # fmt: skip


def _city_weight(regions: Regions, city: str, capital: str) -> float:
    if city == capital or regions.parent.get(capital) == city:
        return 6.0
    return 3.0 if city in regions.centres else 1.0


def _branch_city(b: Build, hq_code, parent, province, city, segment, industry, words, templates,
                 domain):  # fmt: skip
    rng, org, regions = b.rng, b.org, b.regions
    abbr = data.PROVINCES[province][0]
    province_team = org.team_or_unit(org.province_units[province], industry)
    city_unit = org.city_units.get(city)
    owner = org.team_or_unit(city_unit, industry) if city_unit else province_team
    if regions.level[city] == "county":  # a municipal district: the district template
        province_name = regions.name[province]
        names = dict(words, C=short_place(province_name), Cf=province_name,
                     D=short_place(regions.name[city]), Df=regions.name[city])  # fmt: skip
        branch = b.customer(
            code=f"{hq_code}.{abbr}.{city}", parent=parent, name=templates[2].format(**names),
            segment=segment, industry=industry, region=city, unit=owner,
        )  # fmt: skip
        b.add_contacts(branch[0], segment, domain, rng.randint(1, 2))
        return
    names = dict(words, C=short_place(regions.name[city]), Cf=regions.name[city])
    branch = b.customer(
        code=f"{hq_code}.{abbr}.{city}", parent=parent, name=templates[1].format(**names),
        segment=segment, industry=industry, region=city, unit=owner,
    )  # fmt: skip
    b.add_contacts(branch[0], segment, domain, rng.randint(1, 3))
    # Development zones (…开发区) are divisions too, but no bank names a branch after one.
    districts = [d for d in regions.children.get(city, []) if "开发区" not in regions.name[d]]
    n = min(len(districts), rng.randint(0, 2) * b.branch_mult)
    for district in rng.sample(districts, n):
        district_unit = org.district_units.get(district)
        district_names = dict(names, D=short_place(regions.name[district]),
                              Df=regions.name[district])  # fmt: skip
        leaf = b.customer(
            code=f"{hq_code}.{abbr}.{district}", parent=branch,
            name=templates[2].format(**district_names), segment=segment, industry=industry,
            region=district, unit=district_unit or owner,
            status="active" if rng.random() < 0.95 else "prospect",
        )  # fmt: skip
        b.add_contacts(leaf[0], segment, domain, 1)


def generate_smes(b: Build, count: int) -> Iterable[tuple[list[tuple], list[tuple]]]:
    """SME and clustered customers in chunks of (customer rows, contact rows)."""
    rng = b.rng
    rnd = rng.random
    slots = b.org.slots
    slot_cum = list(itertools.accumulate(s.weight for s in slots))
    slot_total = slot_cum[-1]
    city_names = {s.city_code: b.regions.name[s.city_code] for s in slots}
    for slot in slots:  # municipal districts: company names start with the city (北京)
        if b.regions.level[slot.city_code] == "county":
            city_names[slot.city_code] = b.regions.name[b.regions.province_of(slot.city_code)]
    full_names = {r: b.regions.full_name(r) for s in slots for r in s.regions}
    brand_chars = data.SME_BRAND_CHARS
    nb = len(brand_chars)
    business, forms, shops = data.SME_BUSINESS, data.SME_FORMS, data.CLUSTER_SHOPS
    roads, buildings = data.ROADS, data.PREMIUM_BUILDINGS
    sme_titles, cluster_titles = data.CONTACT_TITLES["sme"], data.CONTACT_TITLES["cluster"]
    domains = data.EMAIL_DOMAINS
    uscc = b.codes.uscc
    people = b.people
    now = b.now
    make_path = TreeModel.make_path

    def pick(seq):
        return seq[int(rnd() * len(seq))]

    done = 0
    while done < count:
        n = min(CHUNK, count - done)
        customers, contacts = [], []
        for _seq in range(n):
            cid = b.next_id
            b.next_id += 1
            slot = slots[bisect.bisect_right(slot_cum, rnd() * slot_total)]
            region = slot.regions[int(rnd() * len(slot.regions))]
            brand = brand_chars[int(rnd() * nb)] + brand_chars[int(rnd() * nb)]
            road = f"{full_names[region]}{pick(roads)}{1 + int(rnd() * 500)}号"
            r = rnd()
            if r < 0.6:
                segment, industry, prefix = "sme", "", "SME"
                name = f"{city_names[slot.city_code]}{brand}{pick(business)}{pick(forms)}"
                address = road
                titles = sme_titles
            elif r < 0.72:
                segment, industry, prefix = "cluster", "cluster.premium", "CLU"
                name = f"{city_names[slot.city_code]}{brand}{pick(business)}{pick(forms)}"
                address = f"{road}{pick(data.BRANDS)[0]}{pick(buildings)}{2 + int(rnd() * 40)}层"
                titles = cluster_titles
            else:
                segment, industry, prefix = "cluster", "cluster.standard", "CLU"
                road_name = pick(roads)
                name = f"{brand}{pick(shops)}（{road_name}店）"
                address = f"{full_names[region]}{road_name}{1 + int(rnd() * 500)}号"
                titles = cluster_titles
            s = rnd()
            status = (
                "active" if s < 0.85 else "prospect" if s < 0.92 else "dormant" if s < 0.97
                else "closed"
            )  # fmt: skip
            code = f"{prefix}-{slot.city_code}-{cid:07d}"
            # 92: registered as an individual business (个体工商户), like most street shops.
            kind = "92" if industry == "cluster.standard" else "91"
            customers.append((
                cid, code, None, make_path(None, code), 0, name, uscc(cid, kind, region),
                segment, industry, region, slot.unit.id, address, f"{slot.lat + rnd() * 0.2 - 0.1:.6f}",
                f"{slot.lon + rnd() * 0.2 - 0.1:.6f}", status, now, now, 1,
            ))  # fmt: skip
            if rnd() < 0.5:
                person, surname_py, given_py = people.name()
                contacts.append((
                    cid, person, pick(titles), people.mobile(),
                    f"{given_py}{surname_py}{int(rnd() * 1000)}@{pick(domains)}", True, now,
                    now, 1,
                ))  # fmt: skip
        done += n
        yield customers, contacts


# ----------------------------------------------------------------------------------------------
# Account assignments


class AssignmentPlan:
    """Who serves which customer: a chief AM per pilot HQ, AMs for the branches and the other
    vertical groups (which have no chief AM), a book of SME/cluster customers per AM, pre-sales
    and service managers on some large accounts.

    Each customer goes to a holder of the post in its owning unit or the nearest unit above it.
    """

    def __init__(
        self,
        org: Org,
        staff: list[Person],
        user_ids: dict[str, int],
        rng,
        now,
        since: datetime.date,
    ):
        self.rng = rng
        self.now = now
        self.since = since
        self.rows: list[tuple] = []
        self.holders: dict[tuple[str, str], list[int]] = defaultdict(list)
        for person in staff:
            self.holders[(person.unit.code, person.post)].append(user_ids[person.username])
        self.units_by_id = {u.id: u for u in org.units}
        self.next_holder: dict[tuple[str, str], int] = defaultdict(int)
        self.sme_quota = {
            code: SME_BOOK * len(ids)
            for (code, post), ids in self.holders.items()
            if post == Post.AM
        }
        self._nearest: dict[tuple[int, str], tuple[str, str] | None] = {}

    def start(self) -> datetime.date:
        return self.since + datetime.timedelta(days=int(self.rng.random() * 600))

    def add(self, customer_id: int, user_id: int, role: str) -> None:
        self.add_dated(customer_id, user_id, role, self.start(), None)

    def add_dated(self, customer_id, user_id, role, start: datetime.date, end) -> None:
        end = end.isoformat() if end else None
        self.rows.append((customer_id, user_id, role, start.isoformat(), end, self.now, self.now,
                          1))  # fmt: skip

    def nearest(self, unit_id: int, post: str) -> tuple[str, str] | None:
        key = (unit_id, post)
        if key not in self._nearest:
            unit = self.units_by_id[unit_id]
            while unit is not None and (unit.code, post) not in self.holders:
                unit = unit.parent
            self._nearest[key] = (unit.code, post) if unit is not None else None
        return self._nearest[key]

    def assign(self, customer_id: int, unit_id: int, post: str) -> None:
        slot = self.nearest(unit_id, post)
        if slot is None:
            return
        ids = self.holders[slot]
        turn = self.next_holder[slot]
        self.next_holder[slot] = turn + 1
        self.add(customer_id, ids[turn % len(ids)], post)

    def verticals(self, b: "Build", chiefs: list[int], coverage: billing.Coverage) -> None:
        hq_index = 0
        rnd = self.rng.random
        for row in b.customers:
            cid, depth, unit_id = row[0], row[4], row[10]
            pilot = depth == 0 and row[1] in b.hq_names
            if pilot:
                start, end = coverage.chief_dates(row[1], self.start())
                self.add_dated(cid, chiefs[hq_index], Post.CHIEF_AM, start, end)
                hq_index += 1
            if not pilot or self.units_by_id[unit_id].code.startswith("GRP"):
                self.assign(cid, unit_id, Post.AM)
            if depth <= 1 and rnd() < 0.3:
                self.assign(cid, unit_id, Post.PRESALES)
            if depth <= 1 and rnd() < 0.3:
                self.assign(cid, unit_id, Post.SERVICE_MANAGER)

    def smes(self, customers: list[tuple]) -> None:
        quota = self.sme_quota
        for row in customers:
            slot = self.nearest(row[10], Post.AM)
            if slot is None or quota.get(slot[0], 0) <= 0:
                continue
            quota[slot[0]] -= 1
            self.assign(row[0], row[10], Post.AM)


# ----------------------------------------------------------------------------------------------
# The whole build


@dataclass
class DemoResult:
    counts: dict[str, int]
    logins: list[Login]
    seconds: float
    months: list[int] = field(default_factory=list)  # the billed months, ascending
    kpi_months: list[int] = field(default_factory=list)  # months whose KPI snapshots were computed
    kpi_note: str = ""  # why no KPI snapshots were computed, if so


def scale_factors(scale: float) -> tuple[int, int]:
    """(branch multiplier, staff multiplier): both grow slowly with the scale."""
    big = max(scale, 1.0)
    return 1 + int(math.log10(big)), 1 + int(math.log2(big) / 2)


def build_demo(
    *,
    scale: float = 1.0,
    seed: int = 2026,
    progress: Callable[[str], None] | None = None,
    end_month: int | None = None,
    kpi: bool = True,
) -> DemoResult:
    """Wipe the business tables and generate the demo data set in one transaction, then compute
    the KPI snapshots of the last billed month and of the same month a year earlier.

    Billing covers the 24 months ending with `end_month` (default: the month before the current
    one); the same seed, scale and end month give the same data.
    """
    started = time.monotonic()
    end_month = end_month or billing.default_end_month()
    say = progress or (lambda message: None)
    branch_mult, staff_mult = scale_factors(scale)
    sme_count = round(SME_PER_SCALE * scale)
    now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    User = get_user_model()

    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB for the index builds
        _drop_indexes(Revenue)
        wipe()
        say("wiped the business tables")

        regions = Regions()
        org = build_org(regions, random.Random(f"{seed}:org"))
        BulkWriter(OrgUnit, ORG_FIELDS).write(u.row(now) for u in org.units)
        say(f"org units: {len(org.units)}")

        products = Product.objects.bulk_create(
            Product(code=code, name=name, category=category, is_ict=category in ICT_CATEGORIES)
            for code, name, category in data.PRODUCTS
        )

        b = Build(
            regions=regions,
            org=org,
            rng=random.Random(f"{seed}:verticals"),
            people=People(random.Random(f"{seed}:vertical-people")),
            codes=Codes(random.Random(f"{seed}:uscc")),
            now=now,
            branch_mult=branch_mult,
        )
        plan_verticals(b)
        pilots = list(b.hq_names)  # the pilot HQ customers, in generation order
        b.rng = random.Random(f"{seed}:local-groups")
        plan_local_groups(b, scale)
        customer_writer = BulkWriter(Customer, CUSTOMER_WRITE_FIELDS)
        contact_writer = BulkWriter(Contact, CONTACT_FIELDS)
        with deferred_grams():  # the name bigrams in one sorted insert (SQLite)
            n_customers = customer_writer.write(with_name_keys(b.customers))
        n_contacts = contact_writer.write(b.contacts)
        say(f"vertical customers: {n_customers}")

        people = People(random.Random(f"{seed}:staff"))
        staff = plan_staff(org, people, b.hq_owners, staff_mult)
        logins = _write_staff(staff, org, now, User)
        say(f"staff: {len(staff)}")
        user_ids = dict(User.objects.exclude(username="admin").values_list("username", "id"))
        since = month_utils.first_day(month_utils.add_months(end_month, -ASSIGNMENTS_SINCE_MONTHS))
        plan = AssignmentPlan(
            org, staff, user_ids, random.Random(f"{seed}:assignments"), now, since
        )
        coverage = billing.plan_coverage(
            [(row[1], row[8]) for row in b.customers if row[4] == 0 and row[1] in b.hq_names],
            keep=_persona_bank(b),
            seed=seed,
            end_month=end_month,
        )
        # Chief AMs were hired in the order the HQ customers were generated.
        plan.verticals(
            b, [user_ids[p.username] for p in staff if p.post == Post.CHIEF_AM], coverage
        )

        admin = User.objects.get(username="admin")
        months = billing.demo_months(end_month)
        batch = ImportBatch.objects.create(
            file_name="demo",
            checksum=hashlib.sha256(f"demo:{scale}:{seed}:{end_month}".encode()).hexdigest(),
            first_month=months[0],
            last_month=months[-1],
            created_by=admin,
        )
        bill = billing.Billing(
            seed=seed,
            end_month=end_month,
            coverage=coverage,
            products={p.code: (p.pk, p.is_ict) for p in products},
            batch_id=batch.pk,
        )
        fact_table = Revenue._meta.db_table
        insert_rows(fact_table, REVENUE_FIELDS, bill.rows(_billed(b.customers)))

        b.rng = random.Random(f"{seed}:sme")
        b.people = People(random.Random(f"{seed}:sme-people"))
        for customers, contacts in generate_smes(b, sme_count):
            with deferred_grams():
                n_customers += customer_writer.write(with_name_keys(customers))
            n_contacts += contact_writer.write(contacts)
            plan.smes(customers)
            insert_rows(fact_table, REVENUE_FIELDS, bill.rows(_billed(customers)))
            say(f"customers: {n_customers:,}, revenue facts: {bill.facts:,}")
        n_assignments = BulkWriter(Assignment, ASSIGNMENT_FIELDS).write(plan.rows)
        say(f"assignments: {n_assignments:,}")

        build_pilot_programme(org, admin, end_month, pilots)
        say(f"pilot programme: {len(pilots)} HQ customers")

        _add_indexes(Revenue)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh statistics: plan the rollup on them
                cursor.execute(f"ANALYZE {connection.ops.quote_name(fact_table)}")
        say("revenue fact indexes built")
        BatchMonth.objects.bulk_create(BatchMonth(batch=batch, month=m) for m in months)
        ImportBatch.objects.filter(pk=batch.pk).update(
            rows=bill.facts, facts=bill.facts, total_cents=bill.total_cents
        )
        rebuild_rollup(None)
        say("customer-month rollup built")
        say(f"billing: {len(months)} months, {bill.facts:,} revenue facts")

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(),
                [User, OrgUnit, Staff, StaffPost, Customer, Contact, Product, Assignment],
            ):
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

        counts = {
            "org_units": len(org.units),
            "staff": len(staff),
            "products": len(data.PRODUCTS),
            "customers": n_customers,
            "headquarters": sum(1 for row in b.customers if row[4] == 0),
            "contacts": n_contacts,
            "assignments": n_assignments,
            "billing_months": len(months),
            "revenue_facts": bill.facts,
            "negative_facts": bill.negative,
        }
        ObjectChange.objects.create(
            actor=admin,
            actor_name=admin.username,
            object_type="demo.dataset",
            object_id=str(seed),
            object_repr=f"demo data set, scale {scale}, seed {seed}",
            action=ObjectChange.Action.CREATE,
            changes={key: [None, value] for key, value in counts.items()},
            source="demo",
        )
    logins = _pick_logins(logins, b)
    result = DemoResult(counts, logins, 0.0, months)
    if kpi:
        _compute_kpis(result, say)
    result.seconds = time.monotonic() - started
    return result


PILOT_PROGRAMME = "PILOT-1"
PILOT_PROVINCES = ("110000", "310000", "440000", "320000")  # 北京 上海 广东 江苏


def build_pilot_programme(org: Org, admin, end_month: int, codes: list[str]) -> Program:
    """The seed's first programme (DOMAIN.md §4): the pilot HQ customers `codes` (generated by
    `plan_verticals` from `data.PILOT_HQ`, the seed's table) with the group or province that owns it
    as its responsible organisation; pilot units 北京 上海 广东 江苏 and 广州 深圳 南京 苏州; one
    phase 第一批; targets 75 pilot customers, growth and ICT penetration above industry. Written
    with the production actions (75 rows: validation and change log cost nothing here)."""
    from gecrm.accounts import actions

    year = end_month // 100
    provinces = [org.province_units[code] for code in PILOT_PROVINCES]
    prefectures = [
        org.by_code[f"{province.code}.{data.PREFECTURES[city][0]}"]
        for province, city in (
            (org.province_units["440000"], "广州市"),
            (org.province_units["440000"], "深圳市"),
            (org.province_units["320000"], "南京市"),
            (org.province_units["320000"], "苏州市"),
        )
    ]
    by_code = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in=[u.code for u in provinces + prefectures])
    }
    program = actions.do_create_program(
        {
            "code": PILOT_PROGRAMME,
            "name": "首席客户经理制试点（第一批）",
            "description": "以点带面、循序渐进：75户集团级总部客户，北京、上海、广东、江苏四省"
            "及广州、深圳、南京、苏州四个地市试点纵向团队。",
            "start": datetime.date(year, 1, 1),
            "end": datetime.date(year, 12, 31),
        },
        units=[by_code[u.code] for u in provinces + prefectures],
        actor=admin,
        source="demo",
    )
    phase = actions.do_add_phase(
        program,
        {
            "number": 1,
            "name": "第一批",
            "start": datetime.date(year, 1, 1),
            "end": datetime.date(year, 6, 30),
        },
        actor=admin,
        source="demo",
    )
    hqs = Customer.objects.filter(code__in=codes, parent__isnull=True).order_by("code")
    for customer in hqs.select_related("org_unit"):
        responsible = _administrative_owner(org, customer.org_unit.code)
        unit = by_code.get(responsible.code) or OrgUnit.objects.get(code=responsible.code)
        actions.do_add_pilot_customer(
            program, customer, unit, phase=phase, actor=admin, source="demo"
        )
    actions.do_set_program_target(
        program, {"customers": 75, "beat_industry": True}, actor=admin, source="demo"
    )
    return program


def _administrative_owner(org: Org, unit_code: str) -> Unit:
    """The group or province above (or at) an org unit: an HQ customer is owned by a team."""
    unit = org.by_code[unit_code]
    while unit.kind not in ("group", "province"):
        unit = unit.parent
    return unit


def _drop_indexes(model) -> None:
    """Drop the model's `Meta.indexes` before wiping and bulk-loading its table (`_add_indexes`
    builds them again): one sorted build each is much cheaper than maintaining them row by row.
    DDL is transactional on SQLite and PostgreSQL: if the build fails, the rollback restores
    them."""
    with connection.cursor() as cursor:
        for index in model._meta.indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(index.name)}")


def _add_indexes(model) -> None:
    editor = connection.schema_editor()  # not entered: only used to render the SQL
    with connection.cursor() as cursor:
        for index in model._meta.indexes:
            cursor.execute(str(index.create_sql(model, editor)))


def _billed(customers: Iterable[tuple]) -> Iterable[tuple]:
    """The columns of generated customer rows that billing reads."""
    i_id, i_path, i_depth, i_segment, i_industry, i_status = BILLED_FIELDS
    return (
        (row[i_id], row[i_path], row[i_depth], row[i_segment], row[i_industry], row[i_status])
        for row in customers
    )


def _compute_kpis(result: DemoResult, say: Callable[[str], None]) -> None:
    """KPI snapshots of the last billed month and of the same month a year earlier."""
    try:
        from gecrm.kpi.engine import compute  # the KPI engine is optional for the demo
    except ImportError:
        result.kpi_note = _("the KPI engine (gecrm.kpi.engine) is not installed")
        return
    last = result.months[-1]
    for month in (last, month_utils.add_months(last, -12)):
        compute(month, reason="demo")
        result.kpi_months.append(month)
        say(f"KPI snapshots: {month_utils.format_month(month)}")


@functools.cache
def demo_password_hash(hasher: str) -> str:
    """The demo password, hashed once per process and hasher: hashing is slow on purpose."""
    return make_password(data.DEMO_PASSWORD)


def _write_staff(staff: list[Person], org: Org, now, User) -> dict[str, Person]:
    """Create the logins (all with the demo password) and staff profiles."""
    password = demo_password_hash(settings.PASSWORD_HASHERS[0])
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User(username="admin", is_superuser=True, is_staff=True)
    admin.password = password
    admin.email = admin.email or f"admin@{STAFF_EMAIL_DOMAIN}"
    admin.is_active = admin.is_staff = admin.is_superuser = True
    admin.save()

    first_id = (User.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    user_ids = {p.username: first_id + i for i, p in enumerate(staff)}
    BulkWriter(User, USER_FIELDS).write(
        (user_ids[p.username], password, None, False, p.username, "", "",
         f"{p.username}@{STAFF_EMAIL_DOMAIN}", False, True, now)
        for p in staff
    )  # fmt: skip
    group = org.by_code["GRP"]
    staff_rows = [(1, admin.id, "系统管理员", group.id, admin.email, "", now, now, 1)]
    post_rows = []
    for i, person in enumerate(staff, start=2):
        staff_rows.append((
            i, user_ids[person.username], person.name, person.unit.id,
            f"{person.username}@{STAFF_EMAIL_DOMAIN}", person.phone, now, now, 1,
        ))  # fmt: skip
        post_rows.append((i, person.post))
    BulkWriter(Staff, STAFF_FIELDS).write(staff_rows)
    BulkWriter(StaffPost, STAFF_POST_FIELDS).write(post_rows)
    return {p.username: p for p in staff}


def _persona_bank(b: Build) -> str:
    """The code of the group-level bank HQ whose chief AM the demo presents."""
    owner = b.hq_owners[list(b.hq_names).index(PERSONA_BANK_HQ)]
    assert owner.code == "GRP.C.FIN.bank", f"{PERSONA_BANK_HQ} is owned by {owner.code}"
    return PERSONA_BANK_HQ


def _pick_logins(staff: dict[str, Person], b: Build) -> list[Login]:
    """A few demo users of different posts, for the README and the end of `gecrm demo`."""
    by_unit_post: dict[tuple[str, str], Person] = {}
    for person in staff.values():
        by_unit_post.setdefault((person.unit.code, person.post), person)

    def login(person: Person | None, note: str = "") -> Login | None:
        if person is None:
            return None
        return Login(person.username, person.name, label(Post(person.post)), person.unit.name,
                     note)  # fmt: skip

    # The chief AM of the persona bank. Chief AMs were hired in the order the HQ customers were
    # generated.
    hq_codes = list(b.hq_names)
    bank = _persona_bank(b)
    chiefs = [p for p in staff.values() if p.post == Post.CHIEF_AM]
    chief = chiefs[hq_codes.index(bank)]
    logins = [
        Login("admin", "系统管理员", _("administrator (superuser)"), b.org.by_code["GRP"].name),
        login(by_unit_post.get(("GD", Post.SALES_CONTROL))),
        login(by_unit_post.get(("GD.SZ", Post.AM))),
        login(
            chief,
            _("chief AM of %(customer)s, with branches in %(n)d provinces")
            % {"customer": b.hq_names[bank], "n": b.hq_provinces[bank]},
        ),
        login(by_unit_post.get(("GD.C.FIN.bank", Post.INDUSTRY_MANAGER))),
        login(by_unit_post.get(("GD", Post.HOTLINE_AGENT))),
    ]
    return [entry for entry in logins if entry is not None]
