"""Pages of the accounts app: vertical-team coverage, org alignment and the rollout targets.

- `accounts:coverage` (/teams/coverage/): HQ customers covered by a vertical team, provinces and
  prefectures taking part, against the year's targets; the covered HQ customers as a sortable,
  filterable table, each linking to its team. A management view: administrators and managers
  (unit and industry posts), each over their own data scope (`accounts.coverage`); anyone else
  gets 404 like any page outside their scope.
- `accounts:alignment` (/teams/alignment/): group-level vertical centres and teams × provinces,
  prefecture shares, against the targets; `accounts:alignment_detail` lists the missing ones of
  one centre or team. Org data: every signed-in user.
- `accounts:rollout_target` (/teams/targets/<year>/): the year's targets, for administrators and
  the group's sales managers / controllers; the version loaded travels in a hidden field and a
  stale save answers 409 with nothing written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gecrm.core.exceptions import StaleObjectError
from gecrm.core.views import add_validation_errors, render_conflict
from gecrm.customers.choices import Segment
from gecrm.kpi.actions import attainment

from ..actions import ROLLOUT_TARGET_FIELDS, do_create_rollout_target, do_update_rollout_target
from ..alignment import MISSING, alignment
from ..coverage import (
    VERTICAL_SEGMENTS,
    add_manager_gaps,
    coverage,
    may_edit_rollout_targets,
    may_view_coverage,
    sort_rows,
    target_for,
    team_rows,
)
from ..coverage_forms import RolloutTargetForm
from ..models import RolloutTarget

PER_PAGE_CHOICES = (25, 50, 100)
CHART_ROWS = 20


def _year(request) -> int:
    """`?year=` when it is a plausible year, else the current one."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    return year if year is not None and 2000 <= year <= 2100 else timezone.localdate().year


def _years(year: int) -> list[int]:
    """The year picker: the years with stored targets, the last few and the next one."""
    current = timezone.localdate().year
    stored = set(RolloutTarget.objects.values_list("year", flat=True))
    return sorted(stored | set(range(current - 3, current + 2)) | {year}, reverse=True)


def _chart_series(name, values, fmt="count", colour=None, *, kind="bar", axis=0, dashed=False):
    return {
        "name": name,
        "data": values,
        "format": fmt,
        "colour": colour,
        "type": kind,
        "axis": axis,
        "dashed": dashed,
    }


# ---------------------------------------------------------------- coverage dashboard


def _team_url():
    """How a row links to its team: `accounts:team` (the team page, by customer pk); the
    customer page while a partial install has no team page."""
    try:
        reverse("accounts:team", args=[0])
    except NoReverseMatch:
        return lambda row: reverse("web:customer_detail", args=[row.code])
    return lambda row: reverse("accounts:team", args=[row.pk])


@login_required
@require_GET
def coverage_dashboard(request):
    user = request.user
    if not may_view_coverage(user):
        # Not a manager: the org alignment (org data, open to everyone) instead; no figure of
        # customers is shown.
        return redirect(f"{reverse('accounts:alignment')}?year={_year(request)}")
    year = _year(request)
    figures = coverage(user, year)
    target = figures.target
    segment = request.GET.get("segment", "")
    if segment not in VERTICAL_SEGMENTS:
        segment = ""
    query = request.GET.get("q", "").strip()[:100]
    rows, ordering = sort_rows(
        team_rows(user, figures.day, segment=segment, query=query),
        request.GET.get("ordering", ""),
    )
    try:
        per_page = int(request.GET.get("per_page", ""))
    except ValueError:
        per_page = PER_PAGE_CHOICES[0]
    if per_page not in PER_PAGE_CHOICES:
        per_page = PER_PAGE_CHOICES[0]
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(request.GET.get("page"))
    team_url = _team_url()
    for row in page.object_list:
        row.url = team_url(row)
    add_manager_gaps(user, list(page.object_list), figures.day)

    # A province's managers see one province: their prefectures say more.
    by_prefecture = len(figures.provinces) == 1 and len(figures.prefectures) > 1
    places = sorted(
        figures.prefectures if by_prefecture else figures.provinces,
        key=lambda p: (-p.customers, p.code),
    )[:CHART_ROWS]
    series = [
        _chart_series(_("Covered HQ customers"), [p.customers for p in places], colour="#0b57d0")
    ]
    if not by_prefecture:
        series.append(
            _chart_series(
                _("Prefectures taking part"), [p.prefectures for p in places], colour="#f76707"
            )
        )
    province_chart = {
        "categories": [p.short_name for p in places],
        "horizontal": True,
        "axes": [{"format": "count"}],
        "series": series,
    }
    segment_chart = {
        "categories": [s.label for s in figures.segments],
        "axes": [{"format": "count"}],
        "series": [
            _chart_series(_("HQ customers"), [s.hq_customers for s in figures.segments],
                          colour="#74c0fc"),
            _chart_series(_("Covered by a vertical team"), [s.covered for s in figures.segments],
                          colour="#0b57d0"),
        ],
    }  # fmt: skip
    headline = [
        {
            "id": "covered",
            "label": _("HQ customers covered"),
            "value": figures.covered,
            "target": target.covered_customers,
            "light": attainment(target.covered_customers, figures.covered),
            "sub": _("of %(n)s HQ customers of the vertical segments")
            % {"n": figures.hq_customers},
        },
        {
            "id": "provinces",
            "label": _("Provinces taking part"),
            "value": len(figures.provinces),
            "target": target.provinces,
            "light": attainment(target.provinces, len(figures.provinces)),
            "sub": "、".join(p.short_name for p in figures.provinces[:8])
            + ("…" if len(figures.provinces) > 8 else ""),
        },
        {
            "id": "prefectures",
            "label": _("Prefectures taking part"),
            "value": len(figures.prefectures),
            "target": target.prefectures,
            "light": attainment(target.prefectures, len(figures.prefectures)),
            "sub": "、".join(p.short_name for p in figures.prefectures[:8])
            + ("…" if len(figures.prefectures) > 8 else ""),
        },
    ]
    if not figures.everything:
        # The targets are the company's: a part of it is not measured against them.
        for card in headline:
            card["light"] = "none"
    return render(
        request,
        "accounts/coverage.html",
        {
            "tab": "coverage",
            "can_view_coverage": True,
            "year": year,
            "years": _years(year),
            "figures": figures,
            "target": target,
            "headline": headline,
            "province_chart": province_chart,
            "by_prefecture": by_prefecture,
            "segment_chart": segment_chart,
            "page": page,
            "paginator": paginator,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "per_page": per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "ordering": ordering,
            "segment": segment,
            "segments": [(s, Segment(s).label) for s in VERTICAL_SEGMENTS],
            "query": query,
            "is_filtered": bool(segment or query),
            "can_edit": may_edit_rollout_targets(user),
        },
    )


# ---------------------------------------------------------------- alignment


@login_required
@require_GET
def alignment_page(request):
    year = _year(request)
    matrix = alignment(year)
    target = matrix.target
    rows = []
    for subject in matrix.subjects:
        rows.append(
            {
                "subject": subject,
                "cells": [subject.provinces[p.code] for p in matrix.provinces],
                "province_light": attainment(target.aligned_provinces, subject.province_share),
                "prefecture_light": attainment(
                    target.aligned_prefectures, subject.prefecture_share
                ),
            }
        )
    names = [f"{s.name}" for s in matrix.subjects]
    chart = {
        "categories": names,
        "horizontal": True,
        "tall": True,
        "axes": [{"format": "ratio"}],
        "series": [
            _chart_series(_("Provinces aligned"), [_float(s.province_share) for s in matrix.subjects],
                          "ratio", "#0b57d0"),
            _chart_series(_("Prefectures aligned"),
                          [_float(s.prefecture_share) for s in matrix.subjects], "ratio",
                          "#f76707"),
            _chart_series(_("Prefecture target"),
                          [_float(target.aligned_prefectures)] * len(names), "ratio", "#868e96",
                          kind="line", dashed=True),
        ],
    }  # fmt: skip
    by_province = matrix.prefectures_by_province()
    for row in by_province:
        row["light"] = attainment(target.aligned_prefectures, row["share"])
    return render(
        request,
        "accounts/alignment.html",
        {
            "tab": "alignment",
            "year": year,
            "years": _years(year),
            "matrix": matrix,
            "target": target,
            "rows": rows,
            "by_province": by_province,
            "chart": chart,
            "province_light": attainment(target.aligned_provinces, matrix.province_share),
            "prefecture_light": attainment(target.aligned_prefectures, matrix.prefecture_share),
            "can_edit": may_edit_rollout_targets(request.user),
            "can_view_coverage": may_view_coverage(request.user),
        },
    )


def _float(value):
    return None if value is None else float(value)


@login_required
@require_GET
def alignment_detail(request, code):
    year = _year(request)
    matrix = alignment(year)
    subject = matrix.subject(code)
    if subject is None:
        raise Http404(_("No group-level service centre or industry team of a vertical segment."))
    missing_provinces = [p for p in matrix.provinces if subject.provinces[p.code] == MISSING]
    by_province = {p.code: p for p in matrix.provinces}
    groups = {}
    for place in matrix.prefectures:
        if subject.prefectures[place.code] == MISSING:
            groups.setdefault(place.province_code, []).append(place)
    missing_prefectures = [
        {"province": by_province.get(code), "prefectures": places}
        for code, places in sorted(groups.items())
    ]
    posts_only = [p for p in matrix.provinces + matrix.prefectures if _state(subject, p) == "post"]
    return render(
        request,
        "accounts/alignment_detail.html",
        {
            "tab": "alignment",
            "can_view_coverage": may_view_coverage(request.user),
            "year": year,
            "matrix": matrix,
            "subject": subject,
            "target": matrix.target,
            "missing_provinces": missing_provinces,
            "missing_prefectures": missing_prefectures,
            "missing_prefecture_count": sum(len(g["prefectures"]) for g in missing_prefectures),
            "posts_only": posts_only,
            "province_light": attainment(matrix.target.aligned_provinces, subject.province_share),
            "prefecture_light": attainment(
                matrix.target.aligned_prefectures, subject.prefecture_share
            ),
        },
    )


def _state(subject, place) -> str:
    cells = subject.provinces if place.kind == "province" else subject.prefectures
    return cells.get(place.code, MISSING)


# ---------------------------------------------------------------- rollout targets


@login_required
def rollout_target_edit(request, year):
    """Set a year's targets: creates the year's row on the first save (version 0 = the seed's
    defaults shown, nothing stored), edits it afterwards."""
    if not may_edit_rollout_targets(request.user):
        return HttpResponseForbidden(
            _("Only administrators and the group's sales managers set rollout targets.")
        )
    if not 2000 <= year <= 2100:
        raise Http404(_("Enter a year between 2000 and 2100."))
    target = target_for(year)
    back = f"{reverse('accounts:coverage')}?year={year}"
    if request.method == "POST":
        form = RolloutTargetForm(request.POST)
        if form.is_valid():
            fields = form.target_fields()
            expected = form.cleaned_data["version"]
            try:
                if target.pk is None:
                    if expected != 0:
                        raise StaleObjectError(target)
                    do_create_rollout_target(year, fields, actor=request.user, source="web")
                else:
                    do_update_rollout_target(
                        target, fields, expected_version=expected, actor=request.user
                    )
            except ValidationError as error:
                add_validation_errors(form, error)
            except (StaleObjectError, IntegrityError) as error:
                # IntegrityError: someone stored the year's first targets in the meantime.
                message = str(error) if isinstance(error, StaleObjectError) else ""
                return render_conflict(
                    request,
                    message or str(StaleObjectError()),
                    reverse("accounts:rollout_target", args=[year]),
                )
            else:
                messages.success(
                    request, _("The rollout targets of %(year)s were saved.") % {"year": year}
                )
                return redirect(back)
    else:
        form = RolloutTargetForm(
            initial={
                **{name: getattr(target, name) for name in ROLLOUT_TARGET_FIELDS},
                "version": target.version,
            }
        )
    return render(
        request,
        "accounts/rollout_target.html",
        {"form": form, "year": year, "target": target, "back": back},
    )


urlpatterns = [
    path("coverage/", coverage_dashboard, name="coverage"),
    path("alignment/", alignment_page, name="alignment"),
    path("alignment/<str:code>/", alignment_detail, name="alignment_detail"),
    path("targets/<int:year>/", rollout_target_edit, name="rollout_target"),
]
