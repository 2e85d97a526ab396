"""KPI reports: one registry for the command line (`gecrm report NAME`) and the web pages.

`REPORTS[name]` is a `Report` with
- `name`, `title` (translatable), `columns` (tuple of `Column(key, label, kind)`; `key` is the
  CSV/JSON header, `label` the translatable heading, `kind` one of text/int/money/ratio/bool),
  `filters` ({name: translatable help});
- `rows(user, month, **filters) -> list[dict]`: one dict per row with every column key
  (values `Decimal` for money (2 places) and ratios (4 places), `int`, `str`, `bool` or None for
  a null measure). Rows may carry extra keys for the UI (labels, `beats_industry` of the
  industry scorecard, `depth`…); exports write the columns only.

The org unit and chief AM scorecards have a row per unit or chief AM (hundreds, a thousand)
and a page shows 200 of them: `outline(user, month, **filters)` answers their rows with the keys
and names only (plus the sets' sums under `"_sums"`), `row_value(row, key)` any column of such a
row (what a page sorts on), `complete(row)` the full row; `rows()` is `complete` of every
outline row. The other reports' outline rows are already complete.

`user` is the requesting user: figures are scoped (`scorecards.figures`); `user=None` is the
operator at the command line without `--user` (everything). `month` is a YYYYMM int that must
have been computed (`engine.compute`), otherwise `NotComputedError`. Bad filters raise
`ReportError` with a message for the user (translatable).

`write_report(report, rows, fmt, stream, month=…)` writes CSV (the project's spreadsheet writer:
formula escaping, null → empty cell, money with 2 decimals, ratios with 4, booleans true/false),
`.xlsx` (numbers as numbers, codes as text) or JSON. JSON keeps decimals as strings
(`"1234.50"`, `"0.1235"`): exact, and what a client gets is what the CSV shows; null is null and
booleans are booleans.
"""

from __future__ import annotations

import decimal
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import F, FloatField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gecrm.access.scopes import unit_subtree_ids
from gecrm.core import months as month_utils
from gecrm.core.spreadsheets import write_csv, write_xlsx
from gecrm.customers.choices import Industry, Segment, industry_segment
from gecrm.org.models import OrgUnit

from . import engine, territory
from .measures import Figures, Sums, beats_industry, benchmark
from .models import Snapshot
from .scorecards import CHIEF_AM, INDUSTRY, ORG_UNIT, figures, group_months, industries

FORMATS = ("csv", "xlsx", "json")
MAX_LIMIT = 500
DEFAULT_LIMIT = 20


class ReportError(Exception):
    """Bad report parameters; the message says what to do."""


class NotComputedError(ReportError):
    """The month has no snapshots yet."""

    def __init__(self, month: int):
        self.month = month
        super().__init__(
            _("%(month)s has not been computed yet. Run: gecrm kpi compute --month %(month)s")
            % {"month": month_utils.format_month(month)}
        )


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text int money ratio bool


def _measure_columns(prefix: str = "") -> tuple[Column, ...]:
    return (
        Column(f"{prefix}groups", pgettext_lazy("customer groups", "groups"), "int"),
        Column(f"{prefix}revenue_ytd", gettext_lazy("revenue YTD"), "money"),
        Column(f"{prefix}revenue_pytd", gettext_lazy("revenue PYTD"), "money"),
        Column(f"{prefix}growth", gettext_lazy("revenue growth"), "ratio"),
        Column(f"{prefix}ict_penetration", gettext_lazy("ICT penetration"), "ratio"),
        Column(f"{prefix}ict_share", gettext_lazy("ICT revenue share"), "ratio"),
    )


def _covered_columns() -> tuple[Column, ...]:
    return (
        Column("covered_groups", gettext_lazy("covered groups"), "int"),
        Column("covered_revenue_ytd", gettext_lazy("covered revenue YTD"), "money"),
        Column("covered_revenue_pytd", gettext_lazy("covered revenue PYTD"), "money"),
        Column("covered_growth", gettext_lazy("covered revenue growth"), "ratio"),
        Column("covered_ict_penetration", gettext_lazy("covered ICT penetration"), "ratio"),
        Column("covered_ict_share", gettext_lazy("covered ICT revenue share"), "ratio"),
    )


MEASURES = ("groups", "revenue_ytd", "revenue_pytd", "growth", "ict_penetration", "ict_share")


def row_value(row: dict, key: str):
    """A column's value of a row, complete or outline (a measure from the row's `"_sums"`:
    `{prefix: Sums}`, computed when asked: a page sorts on one column)."""
    if key in row:
        return row[key]
    for prefix, sums in row.get("_sums", {}).items():
        if key.startswith(prefix) and key[len(prefix) :] in MEASURES:
            return getattr(sums, key[len(prefix) :])
    return None


def measure_values(sums: Sums, prefix: str = "") -> dict:
    """The six reported measures of a set, keyed like `_measure_columns(prefix)`."""
    return {
        f"{prefix}groups": sums.groups,
        f"{prefix}revenue_ytd": sums.revenue_ytd,
        f"{prefix}revenue_pytd": sums.revenue_pytd,
        f"{prefix}growth": sums.growth,
        f"{prefix}ict_penetration": sums.ict_penetration,
        f"{prefix}ict_share": sums.ict_share,
    }


def _label(choices, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _require_computed(month: int) -> None:
    if not engine.is_computed(month):
        raise NotComputedError(month)


def _unknown_filters(report: Report, filters: dict) -> None:
    unknown = sorted(set(filters) - set(report.filters))
    if unknown:
        raise ReportError(
            _("Unknown filter %(names)s. Filters of %(report)s: %(known)s.")
            % {
                "names": ", ".join(unknown),
                "report": report.name,
                "known": ", ".join(report.filters) or _("none"),
            }
        )


def _org_unit(code) -> OrgUnit:
    unit = OrgUnit._base_manager.filter(code=str(code).strip()).first()
    if unit is None:
        raise ReportError(_("No org unit with code “%(code)s”.") % {"code": code})
    return unit


def _choice(choices, value, what: str) -> str:
    value = str(value).strip()
    for code, label in choices.choices:
        if value in (code, str(label)):
            return code
    raise ReportError(
        _("Unknown %(what)s “%(value)s”. Use one of: %(codes)s.")
        % {"what": what, "value": value, "codes": ", ".join(choices.values)}
    )


def _bool(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "是"):
        return True
    if text in ("false", "0", "no", "否"):
        return False
    raise ReportError(_("%(name)s must be true or false.") % {"name": name})


@dataclass
class Report:
    name: str
    title: str
    columns: tuple[Column, ...]
    filters: dict = field(default_factory=dict)
    # Columns holding codes: text cells in .xlsx so that Excel keeps them as typed.
    text_columns: tuple[str, ...] = ()
    # The same figures in the other view (README "KPIs by territory"): a vertical (group)
    # report names its horizontal (territory) twin, and the other way round.
    horizontal: str = ""
    vertical: str = ""

    def rows(self, user, month: int, **filters) -> list[dict]:
        return [self.complete(row) for row in self.outline(user, month, **filters)]

    def outline(self, user, month: int, **filters) -> list[dict]:
        """The rows, in order, possibly without their measures (see `complete`)."""
        _unknown_filters(self, filters)
        _require_computed(month)
        return self.build(user, month, **filters)

    def complete(self, row: dict) -> dict:
        """The full row of an outline row (the same row when it is complete already)."""
        return row

    def build(self, user, month: int, **filters) -> list[dict]:  # pragma: no cover
        raise NotImplementedError

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


# ------------------------------------------------------------------------ industry scorecard


class IndustryScorecard(Report):
    """One row per industry (groups whose top-level customer has an industry), by code."""

    def build(self, user, month, **filters):
        rows = []
        by_industry = figures(user, month, INDUSTRY)
        for code in sorted(by_industry):
            f = by_industry[code]
            row = {"industry": code}
            row.update(measure_values(f.all))
            row.update(measure_values(f.covered, "covered_"))
            # For the UI only (not a CSV column): covered vs the whole industry.
            row["industry_label"] = _label(Industry, code)
            row["beats_industry"] = beats_industry(f.covered, f.all)
            rows.append(row)
        return rows


def _territory_values(sums: Sums) -> dict:
    """The measures of a set of customers (the territory view): `customers` (with YTD revenue),
    `ict_customers` (with YTD ICT revenue) and the five money measures."""
    return {
        "customers": sums.groups,
        "ict_customers": sums.ict_groups,
        **{k: v for k, v in measure_values(sums).items() if k != "groups"},
    }


class IndustryTerritory(Report):
    """One row per industry, horizontally: the customers (branches included) of the industry
    whose money the user may see, each for itself (`kpi.territory`, grouped in SQL); by code.
    No coverage: a property of groups."""

    def build(self, user, month, **filters):
        by_industry = territory.figures(user, month, INDUSTRY)
        rows = []
        for code in sorted(by_industry):
            row = {
                "industry": code,
                "name": _label(Industry, code),
                "segment": industry_segment(code),
                **_territory_values(by_industry[code].all),
            }
            # For the UI only (not CSV columns).
            row["industry_label"] = row["name"]
            row["segment_label"] = _label(Segment, row["segment"])
            rows.append(row)
        return rows


# ------------------------------------------------------------------------ org scorecard


def _benchmarks(by_industry: dict[str, Figures]):
    """`benchmark` memoised per set of industries (hundreds of rows share a few sets)."""
    cache: dict[frozenset, Sums] = {}

    def of(codes) -> Sums:
        key = frozenset(codes)
        if key not in cache:
            cache[key] = benchmark(by_industry, key)
        return cache[key]

    return of


class OrgScorecard(Report):
    """Per org unit, each with the groups owned anywhere in its subtree; ordered by the tree.

    `beats_industry`: the unit's covered groups against the average of all groups of the
    industries those covered groups are in (`industry_growth`, `industry_ict_penetration`).
    """

    def build(self, user, month, root=None, **filters):
        by_unit = figures(user, month, ORG_UNIT)
        by_industry = figures(user, month, INDUSTRY)
        units = OrgUnit._base_manager.filter(code__in=list(by_unit))
        if root not in (None, ""):
            unit = _org_unit(root)
            units = units.filter(path__startswith=unit.path)
        units = units.order_by("path").values_list("code", "name", "path", "depth")
        # Industries of covered groups per owning unit, rolled up the tree like the figures.
        industries_of = industries(user, month, ORG_UNIT)
        benchmark_of = _benchmarks(by_industry)
        rows = []
        for code, name, path, depth in units:
            f = by_unit[code]
            parts = [c for c in path.split("/") if c]
            bench = benchmark_of(industries_of.get(code, ()))
            row = {"org_unit": code, "name": name, "parent": parts[-2] if len(parts) > 1 else ""}
            row["depth"] = depth
            row["_sums"] = {"": f.all, "covered_": f.covered, "industry_": bench}
            rows.append(row)
        return rows

    def complete(self, row):
        if "_sums" not in row:
            return row
        sums = row["_sums"]
        full = {key: row[key] for key in ("org_unit", "name", "parent", "depth")}
        full.update(measure_values(sums[""]))
        full.update(measure_values(sums["covered_"], "covered_"))
        full["industry_growth"] = sums["industry_"].growth
        full["industry_ict_penetration"] = sums["industry_"].ict_penetration
        full["beats_industry"] = beats_industry(sums["covered_"], sums["industry_"])
        return full


class OrgTerritory(Report):
    """Per org unit, horizontally: the customers (branches included) owned anywhere in its
    subtree, each for itself (`kpi.territory`); ordered by the tree. No coverage or industry
    benchmark: those are properties of groups."""

    def build(self, user, month, root=None, **filters):
        by_unit = territory.figures(user, month, ORG_UNIT)
        units = OrgUnit._base_manager.filter(code__in=list(by_unit))
        if root not in (None, ""):
            units = units.filter(path__startswith=_org_unit(root).path)
        units = units.order_by("path").values_list("code", "name", "path", "depth")
        rows = []
        for code, name, path, depth in units:
            parts = [c for c in path.split("/") if c]
            sums = by_unit[code].all
            rows.append(
                {
                    "org_unit": code,
                    "name": name,
                    "parent": parts[-2] if len(parts) > 1 else "",
                    "depth": depth,
                    **_territory_values(sums),
                }
            )
        return rows


# ------------------------------------------------------------------------ chief AM scorecard


def staff_names(usernames) -> dict[str, str]:
    """{username: the staff name, else the login's last and first name, else the username}."""
    users = get_user_model()._default_manager.filter(username__in=usernames)
    return {
        username: name if name is not None else f"{last}{first}".strip() or username
        for username, first, last, name in users.values_list(
            "username", "first_name", "last_name", "staff__name"
        )
    }


class ChiefAmScorecard(Report):
    """Per chief AM (the groups they are chief AM of on the month's last day), against the
    average of all groups of the industries their groups are in."""

    def build(self, user, month, **filters):
        by_chief = figures(user, month, CHIEF_AM)
        by_industry = figures(user, month, INDUSTRY)
        industries_of = industries(user, month, CHIEF_AM)
        benchmark_of = _benchmarks(by_industry)
        # The names of the month's chief AMs (a superset of the user's) by a subquery: a list
        # of 1,000 usernames cost more to send than the query.
        names = staff_names(Snapshot.objects.filter(month=month, dimension=CHIEF_AM).values("key"))
        missing = set(by_chief) - set(names)
        if missing:
            names.update(staff_names(missing))
        rows = []
        for username in sorted(by_chief):
            f: Figures = by_chief[username]
            codes = sorted(industries_of.get(username, ()))
            rows.append(
                {
                    "chief_am": username,
                    "name": names.get(username, username),
                    "industries": ";".join(codes),
                    "_sums": {"": f.all, "industry_": benchmark_of(codes)},
                }
            )
        return rows

    def complete(self, row):
        if "_sums" not in row:
            return row
        sums = row["_sums"]
        full = {"chief_am": row["chief_am"], "name": row["name"]}
        full.update(measure_values(sums[""]))
        full["industries"] = row["industries"]
        full.update(measure_values(sums["industry_"], "industry_"))
        full["beats_industry"] = beats_industry(sums[""], sums["industry_"])
        return full


# ------------------------------------------------------------------------ customer ranking

ORDERS = ("revenue", "growth", "ict_share")
DIRECTIONS = ("top", "bottom")


class CustomerRanking(Report):
    """Top or bottom customer groups by YTD revenue, growth or ICT share.

    Groups whose ordering measure is null (growth without PYTD revenue, share without YTD
    revenue) are left out of those rankings. `beats_industry` compares the group itself (its
    growth, its ICT penetration: 1 with YTD ICT revenue, else 0) with its industry's average.
    """

    def build(
        self,
        user,
        month,
        order="revenue",
        direction="top",
        limit=DEFAULT_LIMIT,
        industry=None,
        segment=None,
        org_unit=None,
        covered=None,
        **filters,
    ):
        order = str(order or "revenue").strip()
        if order not in ORDERS:
            raise ReportError(
                _("order must be one of: %(values)s.") % {"values": ", ".join(ORDERS)}
            )
        direction = str(direction or "top").strip()
        if direction not in DIRECTIONS:
            raise ReportError(
                _("direction must be one of: %(values)s.") % {"values": ", ".join(DIRECTIONS)}
            )
        try:
            limit = int(limit if limit not in (None, "") else DEFAULT_LIMIT)
        except (TypeError, ValueError):
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            raise ReportError(
                _("limit must be a whole number from 1 to %(max)s.") % {"max": MAX_LIMIT}
            )
        queryset = group_months(user, month)
        if industry not in (None, ""):
            queryset = queryset.filter(industry=_choice(Industry, industry, _("industry")))
        if segment not in (None, ""):
            queryset = queryset.filter(segment=_choice(Segment, segment, _("segment")))
        if org_unit not in (None, ""):
            from django.db import connection

            ids = unit_subtree_ids(_org_unit(org_unit), connection.vendor)
            queryset = queryset.filter(org_unit_id__in=ids)
        if covered not in (None, ""):
            queryset = queryset.filter(covered=_bool(covered, "covered"))
        if order == "revenue":
            expression = "revenue_ytd_cents"
        elif order == "growth":
            queryset = queryset.exclude(revenue_pytd_cents=0).annotate(
                ordering=Cast(F("revenue_ytd_cents") - F("revenue_pytd_cents"), FloatField())
                / Cast("revenue_pytd_cents", FloatField())
            )
            expression = "ordering"
        else:
            queryset = queryset.exclude(revenue_ytd_cents=0).annotate(
                ordering=Cast("ict_ytd_cents", FloatField())
                / Cast("revenue_ytd_cents", FloatField())
            )
            expression = "ordering"
        sign = "-" if direction == "top" else ""
        values = queryset.order_by(f"{sign}{expression}", "group__code").values(
            "group__code",
            "group__name",
            "industry",
            "org_unit__code",
            "chief_am__username",
            "covered",
            "revenue_ytd_cents",
            "revenue_pytd_cents",
            "ict_ytd_cents",
        )[:limit]
        benchmark_of = _benchmarks(figures(user, month, INDUSTRY))
        rows = []
        for rank, g in enumerate(values, 1):
            sums = Sums.of_group(
                g["revenue_ytd_cents"], g["revenue_pytd_cents"], g["ict_ytd_cents"]
            )
            bench = benchmark_of([g["industry"]])
            rows.append(
                {
                    "rank": rank,
                    "code": g["group__code"],
                    "name": g["group__name"],
                    "industry": g["industry"],
                    "org_unit": g["org_unit__code"],
                    "chief_am": g["chief_am__username"] or "",
                    "covered": g["covered"],
                    "revenue_ytd": sums.revenue_ytd,
                    "revenue_pytd": sums.revenue_pytd,
                    "growth": sums.growth,
                    "ict_share": sums.ict_share,
                    "beats_industry": beats_industry(sums, bench),
                }
            )
        return rows


# ------------------------------------------------------------------------ the registry

INDUSTRY_SCORECARD_COLUMNS = (
    Column("industry", gettext_lazy("industry")),
    *_measure_columns(),
    *_covered_columns(),
)

# The measures of the territory reports (`_territory_values`).
TERRITORY_MEASURE_COLUMNS = (
    Column("customers", gettext_lazy("customers with revenue"), "int"),
    Column("ict_customers", gettext_lazy("customers with ICT revenue"), "int"),
    Column("revenue_ytd", gettext_lazy("revenue YTD"), "money"),
    Column("revenue_pytd", gettext_lazy("revenue PYTD"), "money"),
    Column("growth", gettext_lazy("revenue growth"), "ratio"),
    Column("ict_penetration", gettext_lazy("ICT penetration"), "ratio"),
    Column("ict_share", gettext_lazy("ICT revenue share"), "ratio"),
)

# The key columns and filter of both org unit scorecards (by group and by territory).
ORG_UNIT_COLUMNS = (
    Column("org_unit", gettext_lazy("org unit code")),
    Column("name", gettext_lazy("org unit name")),
    Column("parent", gettext_lazy("parent org unit code")),
    Column("depth", gettext_lazy("depth"), "int"),
)
ORG_UNIT_FILTERS = {"root": gettext_lazy("org unit code: only this unit and the units below it")}

REPORTS: dict[str, Report] = {
    "industry-scorecard": IndustryScorecard(
        name="industry-scorecard",
        title=gettext_lazy("Industry scorecard"),
        columns=INDUSTRY_SCORECARD_COLUMNS,
        text_columns=("industry",),
        horizontal="industry-territory",
    ),
    "industry-territory": IndustryTerritory(
        name="industry-territory",
        title=gettext_lazy("Industry scorecard by territory"),
        columns=(
            Column("industry", gettext_lazy("industry")),
            Column("name", gettext_lazy("industry name")),
            Column("segment", gettext_lazy("segment")),
            *TERRITORY_MEASURE_COLUMNS,
        ),
        text_columns=("industry", "segment"),
        vertical="industry-scorecard",
    ),
    "org-scorecard": OrgScorecard(
        name="org-scorecard",
        title=gettext_lazy("Org unit scorecard"),
        columns=(
            *ORG_UNIT_COLUMNS,
            *_measure_columns(),
            *_covered_columns(),
            Column("industry_growth", gettext_lazy("industry revenue growth"), "ratio"),
            Column("industry_ict_penetration", gettext_lazy("industry ICT penetration"), "ratio"),
            Column("beats_industry", gettext_lazy("beats industry average"), "bool"),
        ),
        filters=ORG_UNIT_FILTERS,
        text_columns=("org_unit", "parent"),
        horizontal="org-territory",
    ),
    "org-territory": OrgTerritory(
        name="org-territory",
        title=gettext_lazy("Org unit scorecard by territory"),
        columns=(
            *ORG_UNIT_COLUMNS,
            *TERRITORY_MEASURE_COLUMNS,
        ),
        filters=ORG_UNIT_FILTERS,
        text_columns=("org_unit", "parent"),
        vertical="org-scorecard",
    ),
    "chief-am-scorecard": ChiefAmScorecard(
        name="chief-am-scorecard",
        title=gettext_lazy("Chief account manager scorecard"),
        columns=(
            Column("chief_am", gettext_lazy("chief account manager username")),
            Column("name", gettext_lazy("chief account manager name")),
            *_measure_columns(),
            Column("industries", gettext_lazy("industries")),
            Column("industry_groups", gettext_lazy("industry groups"), "int"),
            Column("industry_revenue_ytd", gettext_lazy("industry revenue YTD"), "money"),
            Column("industry_revenue_pytd", gettext_lazy("industry revenue PYTD"), "money"),
            Column("industry_growth", gettext_lazy("industry revenue growth"), "ratio"),
            Column("industry_ict_penetration", gettext_lazy("industry ICT penetration"), "ratio"),
            Column("industry_ict_share", gettext_lazy("industry ICT revenue share"), "ratio"),
            Column("beats_industry", gettext_lazy("beats industry average"), "bool"),
        ),
        text_columns=("chief_am",),
    ),
    "customer-ranking": CustomerRanking(
        name="customer-ranking",
        title=gettext_lazy("Customer ranking"),
        columns=(
            Column("rank", gettext_lazy("rank"), "int"),
            Column("code", gettext_lazy("customer code")),
            Column("name", gettext_lazy("customer name")),
            Column("industry", gettext_lazy("industry")),
            Column("org_unit", gettext_lazy("org unit")),
            Column("chief_am", gettext_lazy("chief account manager")),
            Column("covered", gettext_lazy("covered"), "bool"),
            Column("revenue_ytd", gettext_lazy("revenue YTD"), "money"),
            Column("revenue_pytd", gettext_lazy("revenue PYTD"), "money"),
            Column("growth", gettext_lazy("revenue growth"), "ratio"),
            Column("ict_share", gettext_lazy("ICT revenue share"), "ratio"),
            Column("beats_industry", gettext_lazy("beats industry average"), "bool"),
        ),
        filters={
            "order": gettext_lazy("revenue, growth or ict_share (default revenue)"),
            "direction": gettext_lazy("top or bottom (default top)"),
            "limit": gettext_lazy("number of groups, 1 to 500 (default 20)"),
            "industry": gettext_lazy("industry code"),
            "segment": gettext_lazy("segment code"),
            "org_unit": gettext_lazy("org unit code (with the units below it)"),
            "covered": gettext_lazy("true: covered groups only; false: uncovered only"),
        },
        text_columns=("code", "org_unit", "chief_am", "industry"),
    ),
}


def get_report(name: str) -> Report:
    try:
        return REPORTS[name]
    except KeyError:
        raise ReportError(
            _("Unknown report “%(name)s”. Reports: %(names)s.")
            % {"name": name, "names": ", ".join(REPORTS)}
        ) from None


# ------------------------------------------------------------------------ output


def _json_value(value):
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return value


def write_report(
    report: Report, rows: list[dict], fmt: str, stream, *, month=None, meta: dict | None = None
) -> None:
    """Write `rows` of `report` to the binary `stream` as csv, xlsx or json (see module doc).

    `meta` adds keys to the JSON document after `month` (e.g. the pilot table's programme)."""
    keys = report.keys
    if fmt == "csv":
        write_csv(stream, keys, ([row.get(k) for k in keys] for row in rows))
    elif fmt == "xlsx":
        write_xlsx(
            stream,
            keys,
            ([row.get(k) for k in keys] for row in rows),
            text_columns=report.text_columns,
        )
    elif fmt == "json":
        document = {
            "report": report.name,
            "month": month_utils.format_month(month) if month else None,
            **(meta or {}),
            "columns": keys,
            "rows": [{k: _json_value(row.get(k)) for k in keys} for row in rows],
        }
        stream.write(json.dumps(document, ensure_ascii=False, indent=1).encode())
        stream.write(b"\n")
    else:
        raise ReportError(
            _("Unknown format “%(fmt)s”. Use one of: %(formats)s.")
            % {"fmt": fmt, "formats": ", ".join(FORMATS)}
        )
