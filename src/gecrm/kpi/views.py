"""Pages of the KPI engine: the dashboard, one page per report, and the targets.

Every figure comes through the reports API (`kpi.reports`, `kpi.scorecards`), which scopes by
user: someone who sees all money reads the stored snapshots, anyone else the same measures over
their own groups only. Computing a month and setting targets change what everyone reads, so
they are for superusers and the group's sales controllers (`can_manage_kpi`).
"""

import dataclasses
import html
import io
from operator import itemgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gecrm.access.scopes import sees_all_money
from gecrm.core.exceptions import StaleObjectError
from gecrm.core.exporting import export_started
from gecrm.core.importing import can_import
from gecrm.core.months import format_month, parse_month
from gecrm.core.views import add_validation_errors, render_conflict
from gecrm.customers.choices import Industry
from gecrm.org.models import OrgUnit

from . import engine, jobs, scorecards, territory
from .actions import do_set_target, do_update_target, targets_with_actuals
from .forms import ReportFilterForm, TargetForm, month_choices
from .models import Snapshot, Target
from .reports import (
    FORMATS,
    REPORTS,
    NotComputedError,
    ReportError,
    row_value,
    staff_names,
    write_report,
)
from .scorecards import INDUSTRY, ORG_UNIT
from .templatetags.gecrm_kpi import DASH, beats_badge, report_cell

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
# Columns that stay in the exports but that the page shows inside another cell.
SHOWN_ELSEWHERE = {
    "industry-territory": {"name"},
    "org-scorecard": {"name", "parent", "depth"},
    "org-territory": {"name", "parent", "depth"},
    "chief-am-scorecard": {"name"},
    "customer-ranking": {"name"},
}
# The page's first cell shows a name with its code: (code column, name column).
NAMED_CODES = {
    "org-scorecard": ("org_unit", "name"),
    "org-territory": ("org_unit", "name"),
    "chief-am-scorecard": ("chief_am", "name"),
    "customer-ranking": ("code", "name"),
}
# The dashboard's two views (README "KPIs by territory").
VERTICAL = "vertical"
HORIZONTAL = "horizontal"
CHART_ROWS = 20
# Rows a report page renders (an org scorecard has a row per unit: hundreds); exports hold all.
PAGE_ROWS = 200


def can_manage_kpi(user) -> bool:
    """May `user` compute months and set targets? Superusers and sales controllers
    (`core.importing.can_import`) whose money scope is the whole company: a province controller
    imports data of their province but does not set or recompute the company's figures."""
    return can_import(user) and sees_all_money(user)


def _industry_label(code: str) -> str:
    try:
        return str(Industry(code).label)
    except ValueError:
        return code


def _selected_month(request):
    """The month asked for (`?month=YYYY-MM`) or the latest computed one; and the computed
    months for the picker. An unreadable month falls back to the latest, with a message."""
    computed = engine.computed_months()
    latest = computed[-1] if computed else None
    raw = request.GET.get("month", "").strip()
    if not raw:
        return latest, computed
    try:
        return parse_month(raw), computed
    except ValueError as exc:
        messages.warning(request, str(exc))
        return latest, computed


def _month_context(request, month, computed) -> dict:
    choices = month_choices(computed)
    if month is not None and month not in computed:
        choices.insert(0, (format_month(month), format_month(month)))
    return {
        "month": month,
        "month_label": format_month(month) if month else "",
        "month_choices": choices,
        "is_computed": month is not None and month in computed,
        "can_compute": can_manage_kpi(request.user),
    }


def _ratio(value):
    return None if value is None else float(value)


def _money(value):
    return None if value is None else float(value)


# ---------------------------------------------------------------- dashboard


def _org_level(by_unit: dict) -> list:
    """The org units to compare on the dashboard: below the highest unit the user's figures
    reach, going down while there is just one (a province user gets their prefectures)."""
    units = list(
        OrgUnit._base_manager.filter(code__in=list(by_unit))
        .order_by("path")
        .values_list("code", "name", "depth", "path")
    )
    if not units:
        return []
    depth = units[0][2]
    while True:
        level = [u for u in units if u[2] == depth]
        deeper = [u for u in units if u[2] == depth + 1]
        if len(level) > 1 or not deeper:
            return level
        depth += 1


@login_required
@require_GET
def dashboard(request):
    user = request.user
    month, computed = _selected_month(request)
    context = _month_context(request, month, computed)
    context["reports"] = list(REPORTS.values())
    if context["is_computed"]:
        view = _dashboard_view(request, user, month)
        horizontal = view == HORIZONTAL
        source = territory if horizontal else scorecards
        total = source.totals(user, month)
        by_industry = source.figures(user, month, INDUSTRY)
        by_unit = source.figures(user, month, ORG_UNIT)
        context.update(view=view, horizontal=horizontal, view_choices=_view_choices(request))
        context["total"] = total
        context["beats_all"] = _beats(total.covered, total.all)
        industries = sorted(by_industry, key=lambda c: -by_industry[c].all.revenue_ytd_cents)
        labels = [_industry_label(c) for c in industries]
        everyone = _("All customers") if horizontal else _("All groups")

        def industry_chart(measure, colours):
            series = [
                _series(everyone, [_ratio(getattr(by_industry[c].all, measure))
                                   for c in industries], "ratio", colours[0])
            ]  # fmt: skip
            if not horizontal:
                series.append(
                    _series(_("Covered groups"), [_ratio(getattr(by_industry[c].covered, measure))
                                                  for c in industries], "ratio", colours[1])
                )  # fmt: skip
            return {"categories": labels, "axes": [{"format": "ratio"}], "series": series}

        context["industry_growth_chart"] = industry_chart("growth", ("#4299e1", "#0b57d0"))
        context["industry_penetration_chart"] = industry_chart(
            "ict_penetration", ("#ffa94d", "#f76707")
        )
        level = _org_level(by_unit)
        context["org_rows"] = [
            {"code": code, "name": name, "figures": by_unit[code]} for code, name, _d, _p in level
        ]
        shown = sorted(level, key=lambda u: -by_unit[u[0]].all.revenue_ytd_cents)[:CHART_ROWS]
        context["org_chart"] = {
            "categories": [name for _c, name, _d, _p in shown],
            "horizontal": True,
            "axes": [{"format": "money"}, {"format": "ratio"}],
            "series": [
                _series(_("Revenue YTD"), [_money(by_unit[u[0]].all.revenue_ytd) for u in shown],
                        "money", "#0b57d0"),
                *([] if horizontal else [_series(_("Covered revenue YTD"),
                        [_money(by_unit[u[0]].covered.revenue_ytd) for u in shown], "money",
                        "#74c0fc")]),
                _series(_("Revenue growth"), [_ratio(by_unit[u[0]].all.growth) for u in shown],
                        "ratio", "#2fb344", kind="scatter", axis=1),
                _series(_("ICT penetration"),
                        [_ratio(by_unit[u[0]].all.ict_penetration) for u in shown], "ratio",
                        "#f76707", kind="scatter", axis=1),
            ],
        }  # fmt: skip
        context["industry_rows"] = [
            {
                "code": c,
                "label": _industry_label(c),
                "figures": by_industry[c],
                "beats": _beats(by_industry[c].covered, by_industry[c].all),
            }
            for c in industries
        ]
    return render(request, "kpi/dashboard.html", context)


def _dashboard_view(request, user, month) -> str:
    """`?view=vertical|horizontal`; without it `_default_view`."""
    view = request.GET.get("view", "")
    if view in (VERTICAL, HORIZONTAL):
        return view
    return _default_view(user, month)


def _default_view(user, month) -> str:
    """The group view, unless the user has no group with money but customers with money in
    their territory (a province's branches, a province's industry manager)."""
    if scorecards.totals(user, month).all.all_groups:
        return VERTICAL
    return HORIZONTAL if territory.totals(user, month).all.all_groups else VERTICAL


def _view_choices(request) -> list[dict]:
    """The view switch's links (the page's other parameters kept)."""
    choices = []
    for view, label in ((VERTICAL, _("By group (vertical)")),
                        (HORIZONTAL, _("By territory (horizontal)"))):  # fmt: skip
        query = request.GET.copy()
        query["view"] = view
        choices.append({"view": view, "label": label, "query": query.urlencode()})
    return choices


def _beats(covered, benchmark):
    from .measures import beats_industry

    return beats_industry(covered, benchmark)


def kpi_summary(user) -> dict | None:
    """The home page's small KPI card: the latest computed month's totals in the user's scope
    (by group; by territory for who has no group but customers with money), or None when
    nothing is computed or the user sees no money at all."""
    month = engine.latest_month()
    if month is None:
        return None
    total = scorecards.totals(user, month)
    horizontal = False
    if not total.all.all_groups:
        # No group of theirs (a province's industry manager): their territory's customers.
        total, horizontal = territory.totals(user, month), True
        if not total.all.all_groups:
            return None
    return {
        "month": month,
        "month_label": format_month(month),
        "total": total,
        "horizontal": horizontal,
    }


# ---------------------------------------------------------------- reports


def _report_or_404(name: str):
    report = REPORTS.get(name)
    if report is None:
        raise Http404(_("No such report."))
    return report


def _sort_rows(rows: list[dict], sort: str, keys) -> tuple[list[dict], str]:
    """Rows (complete or outline: `reports.row_value`) sorted by a column (`key` ascending,
    `-key` descending), nulls last."""
    key = sort.lstrip("-")
    if key not in keys:
        return rows, ""
    descending = sort.startswith("-")
    valued = [(row_value(r, key), r) for r in rows]
    present = [pair for pair in valued if pair[0] is not None]
    missing = [r for value, r in valued if value is None]
    present.sort(key=itemgetter(0), reverse=descending)
    return [r for _value, r in present] + missing, sort


def _series(name, values, fmt="ratio", colour=None, *, kind="bar", axis=0):
    return {"name": name, "data": values, "format": fmt, "colour": colour, "type": kind,
            "axis": axis}  # fmt: skip


def _pair_chart(categories, title, pairs, fmt="ratio", *, horizontal=False) -> dict:
    """A chart of a few measures per category: `pairs` = [(name, values, colour, kind)]."""
    return {
        "title": title,
        "categories": categories,
        "horizontal": horizontal,
        "axes": [{"format": fmt}],
        "series": [_series(n, v, fmt, c, kind=k) for n, v, c, k in pairs],
    }


def _top_by_revenue(report, rows, limit=CHART_ROWS):
    """The `limit` rows of largest YTD revenue, complete."""
    top = sorted(rows, key=lambda r: -(row_value(r, "revenue_ytd") or 0))[:limit]
    return [report.complete(r) for r in top]


def _report_charts(report, rows) -> list[dict]:
    """The report's charts: its main measures against their benchmark, per row (at most
    CHART_ROWS rows, the largest by revenue, so that labels stay readable). `rows` may be
    outline rows (`reports.Report.outline`)."""
    if not rows:
        return []
    name = report.name
    if name == "industry-scorecard":
        labels = [r["industry_label"] for r in rows]
        return [
            _pair_chart(labels, _("Revenue growth: all vs covered groups"), [
                (_("All groups"), [_ratio(r["growth"]) for r in rows], "#74c0fc", "bar"),
                (_("Covered groups"), [_ratio(r["covered_growth"]) for r in rows], "#0b57d0",
                 "bar"),
            ]),
            _pair_chart(labels, _("ICT penetration: all vs covered groups"), [
                (_("All groups"), [_ratio(r["ict_penetration"]) for r in rows], "#ffc078", "bar"),
                (_("Covered groups"), [_ratio(r["covered_ict_penetration"]) for r in rows],
                 "#f76707", "bar"),
            ]),
        ]  # fmt: skip
    if name == "chief-am-scorecard":
        shown = _top_by_revenue(report, rows)
        labels = [r["name"] for r in shown]
        return [
            _pair_chart(labels, _("Revenue growth against their industries"), [
                (_("Their groups"), [_ratio(r["growth"]) for r in shown], "#0b57d0", "bar"),
                (_("Industry average"), [_ratio(r["industry_growth"]) for r in shown],
                 "#868e96", "line"),
            ]),
            _pair_chart(labels, _("ICT penetration against their industries"), [
                (_("Their groups"), [_ratio(r["ict_penetration"]) for r in shown], "#f76707",
                 "bar"),
                (_("Industry average"), [_ratio(r["industry_ict_penetration"]) for r in shown],
                 "#868e96", "line"),
            ]),
        ]  # fmt: skip
    if name in ("org-scorecard", "org-territory"):
        # The level below the top, going down while it holds one unit (a province's
        # industry manager gets the prefectures, not the province alone).
        depth = min(r["depth"] for r in rows) + 1
        level = [r for r in rows if r["depth"] == depth] or rows
        while len(level) == 1:
            depth += 1
            deeper = [r for r in rows if r["depth"] == depth]
            if not deeper:
                break
            level = deeper
        shown = _top_by_revenue(report, level)
    else:
        shown = [report.complete(r) for r in rows[:CHART_ROWS]]
    labels = [r["name"] for r in shown]
    covered = "covered_revenue_ytd" in shown[0]
    money = [
        _series(_("Revenue YTD"), [_money(r["revenue_ytd"]) for r in shown], "money", "#0b57d0")
    ]
    if covered:
        money.append(
            _series(
                _("Covered revenue YTD"),
                [_money(r["covered_revenue_ytd"]) for r in shown],
                "money",
                "#74c0fc",
            )  # fmt: skip
        )
    ratios = [_series(_("Revenue growth"), [_ratio(r["growth"]) for r in shown], "ratio",
                      "#2fb344", kind="scatter", axis=1)]  # fmt: skip
    third = "ict_penetration" if "ict_penetration" in shown[0] else "ict_share"
    ratios.append(
        _series(
            _("ICT penetration") if third == "ict_penetration" else _("ICT revenue share"),
            [_ratio(r[third]) for r in shown],
            "ratio",
            "#f76707",
            kind="scatter",
            axis=1,
        )  # fmt: skip
    )
    return [
        {
            "title": _("Revenue YTD (bars) with growth and ICT (dots)"),
            "categories": labels,
            "horizontal": True,
            "tall": True,
            "axes": [{"format": "money"}, {"format": "ratio"}],
            "series": money + ratios,
        }
    ]


def _html(value) -> str:
    """`conditional_escape` without its lazy-string wrapper (called for every cell)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _cells(report, columns, row, *, indent: bool) -> list:
    """A row's table cells as HTML, built here rather than cell by cell in the template
    (an org scorecard has hundreds of rows of 17 columns); f-strings and `_html`, as
    `format_html` would write them."""
    cells = []
    for index, column in enumerate(columns):
        key = column.key
        if index == 0 and report.name in ("industry-scorecard", "industry-territory"):
            cell = (
                f'<td class="gecrm-nowrap">{_html(row["industry_label"])} '
                f'<span class="gecrm-code">{_html(row["industry"])}</span></td>'
            )
        elif index == 0 and report.name in ("org-scorecard", "org-territory",
                                            "chief-am-scorecard"):  # fmt: skip
            depth = row.get("depth", 0) if indent else 0
            cell = (
                f'<td class="gecrm-nowrap">{"&emsp;" * depth}{_html(row["name"])} '
                f'<span class="gecrm-code">{_html(row[key])}</span></td>'
            )
        elif key == "code" and report.name == "customer-ranking":
            url = reverse("web:customer_detail", args=[row["code"]])
            cell = (
                f'<td class="gecrm-nowrap"><a href="{_html(url)}">{_html(row["name"])}</a> '
                f'<span class="gecrm-code">{_html(row["code"])}</span></td>'
            )
        elif key in ("org_unit", "chief_am") and f"{key}_name" in row:
            if row[key]:
                cell = (
                    f'<td class="gecrm-nowrap">{_html(row[f"{key}_name"] or row[key])} '
                    f'<span class="gecrm-code">{_html(row[key])}</span></td>'
                )
            else:
                cell = f'<td class="gecrm-nowrap">{DASH}</td>'
        elif key == "industry":
            cell = f'<td class="gecrm-nowrap">{_html(row.get("industry_label") or DASH)}</td>'
        elif key == "segment" and "segment_label" in row:
            cell = f'<td class="gecrm-nowrap">{_html(row["segment_label"])}</td>'
        elif key == "industries":
            cell = f"<td>{_html(row.get('industries_label') or DASH)}</td>"
        else:
            css = "gecrm-nowrap" if column.kind == "text" else "gecrm-num"
            cell = f'<td class="{css}">{_html(report_cell(row, column))}</td>'
        cells.append(SafeString(cell))
    return cells


def _add_names(report, rows) -> None:
    """The names of the org units and chief AMs of a page's rows (two queries at most), shown
    beside their codes; the exports keep their columns."""
    if report.name != "customer-ranking" or not rows:
        return
    units = dict(
        OrgUnit._base_manager.filter(code__in={r["org_unit"] for r in rows}).values_list(
            "code", "name"
        )
    )
    chiefs = staff_names({r["chief_am"] for r in rows if r["chief_am"]})
    for row in rows:
        row["org_unit_name"] = units.get(row["org_unit"], "")
        row["chief_am_name"] = chiefs.get(row["chief_am"], "")


def _headed(report, columns) -> list:
    """The page's columns: the one shown with its name is headed by both labels."""
    named = NAMED_CODES.get(report.name)
    if not named:
        return columns
    labels = {c.key: c.label for c in report.columns}
    return [
        dataclasses.replace(c, label=f"{labels[named[1]]} / {c.label}") if c.key == named[0]
        else c
        for c in columns
    ]  # fmt: skip


def _twin_url(request, name: str, view: str) -> str:
    """The report page `name` with the request's parameters, `view` set (the choice made)."""
    query = request.GET.copy()
    query["view"] = view
    return f"{reverse('kpi:report', args=[name])}?{query.urlencode()}"


def _twins(report, request) -> list[dict]:
    """The view switch of a report with a vertical/horizontal twin (the filters kept)."""
    vertical = report.vertical or report.name
    horizontal = report.horizontal or report.name
    if vertical == horizontal:
        return []
    return [
        {"name": name, "label": label, "active": name == report.name,
         "url": _twin_url(request, name, view)}
        for name, view, label in ((vertical, VERTICAL, _("By group (vertical)")),
                                  (horizontal, HORIZONTAL, _("By territory (horizontal)")))
    ]  # fmt: skip


def _twin_redirect(request, report, month, rows):
    """The redirect to the report's twin when the view asked for (`?view=`) is the twin's, or
    — a group report asked without it — when the user lands on the territory view
    (`_default_view`, as the dashboard); else None. `rows`: the report's rows for `month`
    (None: not read); a group report with rows is the user's view: no query more."""
    view = request.GET.get("view", "")
    if view not in (VERTICAL, HORIZONTAL):
        if not report.horizontal or month is None or rows is None or rows:
            return None
        view = _default_view(request.user, month)
    twin = report.horizontal if view == HORIZONTAL else report.vertical
    return redirect(_twin_url(request, twin, view)) if twin else None


def _report_rows(request, report, month, *, outline=False):
    """(rows, filter form, error, not computed) for the report page (`outline`: outline rows,
    `reports.Report.outline`) and its exports (complete rows)."""
    form = ReportFilterForm(report, request.user, request.GET or None)
    filters = form.filters()
    try:
        read = report.outline if outline else report.rows
        return read(request.user, month, **filters), form, None, False
    except NotComputedError as exc:
        return [], form, str(exc), True
    except ReportError as exc:
        return [], form, str(exc), False


@login_required
@require_GET
def report_page(request, name):
    report = _report_or_404(name)
    month, computed = _selected_month(request)
    context = _month_context(request, month, computed)
    twin = _twin_redirect(request, report, month, None)  # `?view=` of the twin
    if twin is not None:
        return twin
    rows, form, error, not_computed = [], None, None, month is None
    if month is not None:
        rows, form, error, not_computed = _report_rows(request, report, month, outline=True)
    if context["is_computed"] and not error and not not_computed:
        twin = _twin_redirect(request, report, month, rows)  # no group: the territory view
        if twin is not None:
            return twin
    if form is None:
        form = ReportFilterForm(report, request.user)
    hidden = SHOWN_ELSEWHERE.get(report.name, set()) | {"beats_industry"}
    # The badge right after the row's name: visible without scrolling the wide tables.
    columns = [c for c in report.columns if c.key not in hidden]
    rows, sort = _sort_rows(rows, request.GET.get("sort", ""), {c.key for c in columns})
    # The page shows the first rows (in the chosen order), their measures computed for them
    # only; the exports hold them all.
    total_rows = len(rows)
    charts = _report_charts(report, rows)
    rows = [report.complete(row) for row in rows[:PAGE_ROWS]]
    # Group reports compare with the industry; the territory view has no such badge.
    with_badge = bool(rows) and "beats_industry" in rows[0]
    # Each label translated once per page (a chief AM scorecard names thousands of industries).
    labels = {code: str(label) for code, label in Industry.choices}
    _add_names(report, rows)
    for row in rows:
        if row.get("industry") and "industry_label" not in row:
            row["industry_label"] = labels.get(row["industry"], row["industry"])
        if row.get("industries"):
            row["industries_label"] = "、".join(
                labels.get(code, code) for code in row["industries"].split(";")
            )
    badges = {
        value: format_html('<td class="gecrm-nowrap">{}</td>', beats_badge(value))
        for value in (None, True, False)
    }
    for row in rows:
        cells = _cells(report, columns, row, indent=not sort)
        row["cells"] = cells
        # The whole row as one string (the badge right after the first cell): the template then
        # loops over rows only, not over every cell of 200 rows.
        badge = badges[row["beats_industry"]] if with_badge else ""
        row["html"] = mark_safe(  # noqa: S308 (cells and badge are escaped HTML)
            "".join([str(cells[0]), badge, *map(str, cells[1:])])
        )
    query = request.GET.copy()
    query.pop("sort", None)
    twins = _twins(report, request)
    view = request.GET.get("view", "")
    context.update(
        {
            "report": report,
            "reports": list(REPORTS.values()),
            "columns": _headed(report, columns),
            "with_badge": with_badge,
            "twins": twins,
            # The view chosen (`_twin_redirect`), kept when the filters are applied.
            "view": view if view in (VERTICAL, HORIZONTAL) and twins else "",
            "rows": rows,
            "filter_form": form,
            "error": None if not_computed else error,
            "not_computed": not_computed,
            "sort": sort,
            "query_without_sort": query.urlencode(),
            "export_query": request.GET.urlencode(),
            "formats": FORMATS,
            "total_rows": total_rows,
            "charts": [
                {**chart, "json_id": f"report-chart-data-{i}"} for i, chart in enumerate(charts, 1)
            ],
        }
    )
    return render(request, "kpi/report.html", context)


@login_required
@require_GET
def report_export(request, name, fmt):
    """The report as the CLI writes it (`reports.write_report`), with the page's filters."""
    report = _report_or_404(name)
    if fmt not in FORMATS:
        raise Http404(_("No such format."))
    month, _computed = _selected_month(request)
    if month is None:
        raise Http404(_("No month has been computed yet."))
    rows, form, error, not_computed = _report_rows(request, report, month)
    if not_computed:
        raise Http404(error)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    # In the order the page shows (its sort link), the whole of it.
    rows, sort = _sort_rows(rows, request.GET.get("sort", ""), {c.key for c in report.columns})
    export_started.send(
        sender=Snapshot,
        kind=f"report:{report.name}",
        user=request.user,
        fmt=fmt,
        filters={
            "month": format_month(month),
            **form.filters(),
            **({"sort": sort} if sort else {}),
        },
        rows=len(rows),
        personal_data="none",
        source="web",
    )
    buffer = io.BytesIO()
    write_report(report, rows, fmt, buffer, month=month)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
    filename = f"{report.name}-{format_month(month)}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def compute(request):
    """Compute (or recompute) a month's snapshots now; for `can_manage_kpi` users."""
    if not can_manage_kpi(request.user):
        return HttpResponseForbidden(_("Only administrators and sales controllers compute KPIs."))
    try:
        month = parse_month(request.POST.get("month", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("kpi:dashboard")
    jobs.run(engine.compute, month, reason="web")
    messages.success(request, _("%(month)s was computed.") % {"month": format_month(month)})
    back = request.POST.get("next", "")
    if not back.startswith("/kpi/"):
        back = reverse("kpi:dashboard")
    return redirect(f"{back.split('?')[0]}?month={format_month(month)}")


# ---------------------------------------------------------------- targets


def _target_year(request, computed) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        year = computed[-1] // 100 if computed else None
    if year is None:
        from django.utils import timezone

        year = timezone.localdate().year
    return year


@login_required
@require_GET
def target_list(request):
    computed = engine.computed_months()
    year = _target_year(request, computed)
    in_year = [m for m in computed if m // 100 == year]
    month = in_year[-1] if in_year else None
    statuses = targets_with_actuals(request.user, month, year=year)
    years = sorted({m // 100 for m in computed} | {year}, reverse=True)
    labels = _subject_labels(statuses)
    for status in statuses:
        status.label = labels.get((status.target.dimension, status.target.key), status.target.key)
    return render(
        request,
        "kpi/targets.html",
        {
            "statuses": statuses,
            "year": year,
            "years": years,
            "month": month,
            "month_label": format_month(month) if month else "",
            "can_edit": can_manage_kpi(request.user),
            "reports": list(REPORTS.values()),
        },
    )


def _subject_labels(statuses) -> dict:
    """Names of the org units and chief AMs the targets are for (two queries at most)."""
    from gecrm.org.models import Staff

    keys = {}
    for status in statuses:
        keys.setdefault(status.target.dimension, set()).add(status.target.key)
    labels = {}
    if keys.get(Target.Dimension.ORG_UNIT):
        for code, name in OrgUnit._base_manager.filter(
            code__in=keys[Target.Dimension.ORG_UNIT]
        ).values_list("code", "name"):
            labels[(Target.Dimension.ORG_UNIT, code)] = name
    for code in keys.get(Target.Dimension.INDUSTRY, ()):
        labels[(Target.Dimension.INDUSTRY, code)] = _industry_label(code)
    if keys.get(Target.Dimension.CHIEF_AM):
        for username, name in Staff._base_manager.filter(
            user__username__in=keys[Target.Dimension.CHIEF_AM]
        ).values_list("user__username", "name"):
            labels[(Target.Dimension.CHIEF_AM, username)] = f"{name} ({username})"
    return labels


@login_required
def target_edit(request, pk=None):
    """Create (no pk) or edit a target; the version loaded travels in a hidden field and a
    stale one answers 409 with nothing written."""
    if not can_manage_kpi(request.user):
        return HttpResponseForbidden(_("Only administrators and sales controllers set targets."))
    target = get_object_or_404(Target, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = TargetForm(request.POST, instance=target)
        if form.is_valid():
            fields = form.target_fields()
            try:
                if target is None:
                    target = do_set_target(fields, actor=request.user, source="web")
                    messages.success(request, _("The target was created."))
                else:
                    do_update_target(
                        target,
                        fields,
                        expected_version=form.cleaned_data["version"],
                        actor=request.user,
                        source="web",
                    )
                    messages.success(request, _("The target was saved."))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    error = _target_errors_on_form(error)
                add_validation_errors(form, error)
            except StaleObjectError as error:
                return render_conflict(request, str(error), reverse("kpi:target_edit", args=[pk]))
            else:
                return redirect(f"{reverse('kpi:targets')}?year={fields['year']}")
    else:
        initial = {}
        if target is None:
            computed = engine.computed_months()
            initial["year"] = _target_year(request, computed)
        form = TargetForm(instance=target, initial=initial or None)
    return render(
        request,
        "kpi/target_edit.html",
        {"form": form, "object": target, "is_create": target is None},
    )


def _target_errors_on_form(error: ValidationError) -> ValidationError:
    """The model names the target's dimension and key; the form shows them as one field."""
    mapped = {}
    for name, errors in error.error_dict.items():
        mapped.setdefault("subject" if name in ("dimension", "key") else name, []).extend(errors)
    return ValidationError(mapped)
