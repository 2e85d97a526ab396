"""Pages of pilot programmes (试点, DOMAIN.md §4): the list, one page per programme (the seed's
pilot table, phases, pilot units, targets with traffic lights, progress against industry
averages, the pilot customers), and the forms that create and edit them.

Programmes, phases, pilot units and targets are the company's plan: every signed-in user sees
them. Everything about customers is scoped (`accounts.pilotcustomer` rule, KPI scoping): the
table counts, the progress figures and the customer list hold the pilot customers the user may
see. Writes are for `can_manage_programs` users (administrators, the group's sales managers and
controllers), through `accounts.actions`; a stale edit answers 409.
"""

import io
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseForbidden, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gecrm.access.scopes import customer_scope
from gecrm.core.exceptions import StaleObjectError
from gecrm.core.exporting import export_started
from gecrm.core.months import format_month
from gecrm.core.views import add_validation_errors, render_conflict
from gecrm.customers.choices import Industry, Segment
from gecrm.customers.models import Customer
from gecrm.kpi.reports import FORMATS, write_report

from .. import actions
from ..filtersets import PilotCustomerFilterSet
from ..models import Phase, PilotCustomer, Program, ProgramTarget
from ..pilot_forms import (
    PhaseForm,
    PilotCustomerForm,
    PilotFilterForm,
    ProgramForm,
    ProgramTargetForm,
)
from ..pilots import (
    EMPTY,
    can_manage_programs,
    pilot_table,
    program_progress,
    targets_with_actuals,
    visible_pilots,
)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
PER_PAGE_CHOICES = (25, 50, 100)
# "集团公司政企客户事业部" → "集团", "广东省公司政企客户部" → "广东": the seed's column heads.
_UNIT_SUFFIX = re.compile(r"(省|市|自治区|特别行政区)?(分)?公司政企客户(事业)?部$")


def short_name(name: str) -> str:
    return _UNIT_SUFFIX.sub("", name) or name


def _program_or_404(code: str) -> Program:
    return get_object_or_404(Program, code=code)


def _forbidden(request):
    return HttpResponseForbidden(
        _("Only administrators and the group's sales managers and controllers edit programmes.")
    )


def _ratio(value):
    return None if value is None else float(value)


# ---------------------------------------------------------------- list


@login_required
@require_GET
def program_list(request):
    """Every programme, with the number of its pilot customers the user may see."""
    user = request.user
    programs = list(
        Program.objects.order_by("code").annotate(
            phase_count=Count("phases", distinct=True), unit_count=Count("units", distinct=True)
        )
    )
    visible = PilotCustomer.objects.restrict(user, "view")
    counts = dict(
        visible.order_by()
        .values("program_id")
        .annotate(n=Count("pk"))
        .values_list("program_id", "n")
    )
    for program in programs:
        program.pilot_count = counts.get(program.pk, 0)
    return render(
        request,
        "accounts/pilots/program_list.html",
        {"programs": programs, "can_manage": can_manage_programs(user)},
    )


# ---------------------------------------------------------------- detail


def _progress_charts(dimension: str, rows) -> list[dict]:
    """Two charts of a dimension's rows (phases or pilot units): the pilot customers' revenue
    growth against their industries' (bars against a line), and the same for ICT penetration."""
    categories = [short_name(row.label) for row in rows]

    def chart(title, ours, theirs, colours):
        return {
            "title": title,
            "categories": categories,
            "axes": [{"format": "ratio"}],
            "series": [
                {"name": _("Pilot customers"), "format": "ratio", "type": "bar",
                 "colour": colours[0], "axis": 0, "data": [_ratio(v) for v in ours]},
                {"name": _("Industry average"), "format": "ratio", "type": "line",
                 "colour": colours[1], "axis": 0, "data": [_ratio(v) for v in theirs]},
            ],
        }  # fmt: skip

    return [
        chart(
            _("Revenue growth by %(dimension)s") % {"dimension": dimension},
            [r.growth for r in rows],
            [r.industry_growth for r in rows],
            ("#0b57d0", "#868e96"),
        ),
        chart(
            _("ICT penetration by %(dimension)s") % {"dimension": dimension},
            [r.ict_penetration for r in rows],
            [r.industry_ict_penetration for r in rows],
            ("#f76707", "#868e96"),
        ),
    ]


def _pilot_list(request, program, table, phases):
    """The page of pilot customers (scoped, filtered, sorted, paginated)."""
    queryset = visible_pilots(program, request.user).select_related("customer", "org_unit", "phase")
    data = request.GET.copy()
    data.pop("page", None)
    data.pop("per_page", None)
    filterset = PilotCustomerFilterSet(data=data, queryset=queryset)
    qs = filterset.qs if filterset.is_valid() else queryset.none()
    if not request.GET.get("ordering"):
        qs = qs.order_by("customer__code")
    try:
        per_page = int(request.GET.get("per_page", PER_PAGE_CHOICES[0]))
    except ValueError:
        per_page = PER_PAGE_CHOICES[0]
    if per_page not in PER_PAGE_CHOICES:
        per_page = PER_PAGE_CHOICES[0]
    paginator = Paginator(qs, per_page)
    page = paginator.get_page(request.GET.get("page"))
    form = PilotFilterForm(request.GET or None, columns=table.columns, phases=phases)
    filtered = any(request.GET.get(k) for k in ("q", "segment", "org_unit", "phase"))
    # The export of the pilot customers shown: this programme, the list's filters and sort.
    export_query = QueryDict(mutable=True)
    export_query["program"] = program.code
    for key in ("q", "segment", "org_unit", "phase", "ordering"):
        if request.GET.get(key):
            export_query[key] = request.GET[key]
    for pilot in page.object_list:
        pilot.segment_label = _label(Segment, pilot.customer.segment)
        pilot.industry_label = _label(Industry, pilot.customer.industry)
    return {
        "page": page,
        "paginator": paginator,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "per_page": per_page,
        "per_page_choices": PER_PAGE_CHOICES,
        "filter_form": form,
        "is_filtered": filtered,
        "pilot_export_query": export_query.urlencode(),
    }


def _label(choices, code):
    try:
        return str(choices(code).label)
    except ValueError:
        return code or "—"


def _table_rows(table) -> list[dict]:
    """The pilot table as the page shows it: Chinese row labels, `-` for empty cells."""
    rows = []
    for row in table.rows(empty=EMPTY):
        rows.append(
            {
                "segment": row["segment"],
                "label": row["label"],
                "cells": [row[c.code] for c in table.columns],
                "total": row["total"],
                "is_total": row["segment"] == "total",
            }
        )
    return rows


@login_required
@require_GET
def program_detail(request, code):
    user = request.user
    program = _program_or_404(code)
    table = pilot_table(program, user)
    for column in table.columns:
        column.short = short_name(column.name)
    phases = list(program.phases.order_by("number"))
    units = list(program.units.order_by("path"))
    progress = program_progress(program, user, phases=phases, units=units)
    statuses = targets_with_actuals(program, progress, user)
    phase_counts = {row.key: row.customers for row in progress.phases}
    for phase in phases:
        phase.customers = phase_counts.get(str(phase.number), 0)
    headline = next(
        (s for s in statuses if s.target.phase_id is None and s.target.org_unit_id is None), None
    )
    charts = []
    if progress.month is not None and progress.total.customers:
        # A single phase (or unit) is the programme itself: its row in the table says it all.
        if len(progress.units) > 1:
            charts += _progress_charts(_("pilot unit"), progress.units)
        if len(progress.phases) > 1:
            charts += _progress_charts(_("phase"), progress.phases)
    context = {
        "program": program,
        "table": table,
        "table_rows": _table_rows(table),
        "progress": progress,
        "month_label": format_month(progress.month) if progress.month else "",
        "phases": phases,
        "units": units,
        "statuses": statuses,
        "headline": headline,
        "charts": [
            {**chart, "json_id": f"pilot-chart-data-{i}"} for i, chart in enumerate(charts, 1)
        ],
        "can_manage": can_manage_programs(user),
        "formats": FORMATS,
        "sees_all": customer_scope(user, "view") is None,
    }
    context.update(_pilot_list(request, program, table, phases))
    return render(request, "accounts/pilots/program_detail.html", context)


@login_required
@require_GET
def program_table_export(request, code, fmt):
    """The pilot table as `gecrm report pilot-table` writes it, scoped to the user."""
    if fmt not in FORMATS:
        raise Http404(_("No such format."))
    program = _program_or_404(code)
    table = pilot_table(program, request.user)
    rows = table.rows(empty=EMPTY if fmt == "xlsx" else 0)
    export_started.send(
        sender=PilotCustomer,
        kind="report:pilot-table",
        user=request.user,
        fmt=fmt,
        filters={"program": program.code},
        rows=len(rows),
        personal_data="none",
        source="web",
    )
    buffer = io.BytesIO()
    write_report(table.report(), rows, fmt, buffer, meta={"program": program.code})
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="pilot-table-{program.code}.{fmt}"'
    return response


# ---------------------------------------------------------------- programme form


def _save(request, form, write, message: str, success_url: str):
    """Run `write()` for a valid form: its ValidationError goes onto the form (None is returned,
    the form is shown again), a stale version answers 409, success redirects with `message`."""
    if not form.is_valid():
        return None
    try:
        write()
    except ValidationError as error:
        add_validation_errors(form, error)
        return None
    except StaleObjectError as error:
        return render_conflict(request, str(error), request.path)
    messages.success(request, message)
    return redirect(success_url)


def _edit_page(request, template_context: dict, status: int = 200):
    return render(request, "accounts/pilots/edit.html", template_context, status=status)


@login_required
def program_edit(request, code=None):
    if not can_manage_programs(request.user):
        return _forbidden(request)
    program = _program_or_404(code) if code else None
    if request.method == "POST":
        form = ProgramForm(request.POST, instance=program)
        if form.is_valid():
            try:
                if program is None:
                    program = actions.do_create_program(
                        form.program_fields(),
                        units=form.cleaned_data["units"],
                        actor=request.user,
                    )
                    messages.success(request, _("The programme was created."))
                else:
                    fields = form.program_fields()
                    fields.pop("code")
                    actions.do_update_program(
                        program,
                        fields,
                        units=form.cleaned_data["units"],
                        expected_version=form.cleaned_data["version"],
                        actor=request.user,
                    )
                    messages.success(request, _("The programme was saved."))
            except ValidationError as error:
                add_validation_errors(form, error)
            except StaleObjectError as error:
                return render_conflict(
                    request, str(error), reverse("accounts:program_edit", args=[program.code])
                )
            else:
                return redirect("accounts:program", program.code)
    else:
        form = ProgramForm(instance=program)
    return _edit_page(
        request,
        {
            "form": form,
            "program": program,
            "title": _("Edit programme") if program else _("New programme"),
            "back_url": reverse("accounts:program", args=[program.code])
            if program
            else reverse("accounts:programs"),
            "form_id": "program-form",
        },
    )


# ---------------------------------------------------------------- phases


@login_required
def phase_edit(request, code, number=None):
    if not can_manage_programs(request.user):
        return _forbidden(request)
    program = _program_or_404(code)
    phase = get_object_or_404(Phase, program=program, number=number) if number else None
    back = reverse("accounts:program", args=[program.code])
    if request.method == "POST":
        form = PhaseForm(request.POST, instance=phase)

        def write():
            if phase is None:
                actions.do_add_phase(program, form.phase_fields(), actor=request.user)
            else:
                actions.do_update_phase(
                    phase,
                    form.phase_fields(),
                    expected_version=form.cleaned_data["version"],
                    actor=request.user,
                )

        saved = _save(request, form, write, _("The phase was saved."), f"{back}#phases")
        if saved:
            return saved
    else:
        initial = None
        if phase is None:
            next_number = (max((p.number for p in program.phases.all()), default=0)) + 1
            initial = {"number": next_number}
        form = PhaseForm(instance=phase, initial=initial)
    return _edit_page(
        request,
        {
            "form": form,
            "program": program,
            "title": _("Edit phase") if phase else _("New phase"),
            "back_url": back,
            "form_id": "phase-form",
        },
    )


# ---------------------------------------------------------------- targets


@login_required
def target_edit(request, code, pk=None):
    if not can_manage_programs(request.user):
        return _forbidden(request)
    program = _program_or_404(code)
    target = get_object_or_404(ProgramTarget, program=program, pk=pk) if pk else None
    back = reverse("accounts:program", args=[program.code])
    if request.method == "POST":
        form = ProgramTargetForm(request.POST, program=program, instance=target)

        def write():
            if target is None:
                actions.do_set_program_target(program, form.target_fields(), actor=request.user)
            else:
                actions.do_update_program_target(
                    target,
                    form.target_fields(),
                    expected_version=form.cleaned_data["version"],
                    actor=request.user,
                )

        saved = _save(request, form, write, _("The target was saved."), f"{back}#targets")
        if saved:
            return saved
    else:
        form = ProgramTargetForm(program=program, instance=target)
    return _edit_page(
        request,
        {
            "form": form,
            "program": program,
            "title": _("Edit target") if target else _("New target"),
            "back_url": back,
            "form_id": "target-form",
            "help": _(
                "Growth and penetration are percentages (8.5 means 8.5%). Leave a target blank "
                "when it is not set; at least one is needed."
            ),
        },
    )


@login_required
@require_POST
def target_delete(request, code, pk):
    if not can_manage_programs(request.user):
        return _forbidden(request)
    program = _program_or_404(code)
    target = get_object_or_404(ProgramTarget, program=program, pk=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        actions.do_delete_program_target(target, expected_version=version, actor=request.user)
    except StaleObjectError as error:
        return render_conflict(request, str(error), reverse("accounts:program", args=[code]))
    messages.success(request, _("The target was deleted."))
    return redirect(f"{reverse('accounts:program', args=[code])}#targets")


# ---------------------------------------------------------------- pilot customers


def _pilot_or_404(request, program, customer_code):
    """A pilot customer the user may see (missing and out of scope are both 404)."""
    return get_object_or_404(
        visible_pilots(program, request.user).select_related("customer", "phase"),
        customer__code=customer_code,
    )


@login_required
def pilot_edit(request, code, customer_code=None):
    """Add an HQ customer to the programme, or change a pilot's responsible unit and phase."""
    if not can_manage_programs(request.user):
        return _forbidden(request)
    program = _program_or_404(code)
    pilot = _pilot_or_404(request, program, customer_code) if customer_code else None
    back = reverse("accounts:program", args=[program.code])
    if request.method == "POST":
        form = PilotCustomerForm(request.POST, program=program, instance=pilot)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if pilot is None:
                    customer = (
                        Customer.objects.restrict(request.user, "view")
                        .filter(code=data["customer_code"].strip())
                        .first()
                    )
                    if customer is None:
                        raise ValidationError({"customer_code": _("Unknown customer code.")})
                    actions.do_add_pilot_customer(
                        program, customer, data["org_unit"], phase=data["phase"],
                        actor=request.user,
                    )  # fmt: skip
                else:
                    actions.do_update_pilot_customer(
                        pilot,
                        {"org_unit": data["org_unit"], "phase": data["phase"]},
                        expected_version=data["version"],
                        actor=request.user,
                    )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "customer" in error.error_dict:
                    error = ValidationError(
                        {
                            ("customer_code" if k == "customer" else k): v
                            for k, v in error.error_dict.items()
                        }
                    )
                add_validation_errors(form, error)
            except StaleObjectError as error:
                return render_conflict(request, str(error), request.path)
            else:
                messages.success(request, _("The pilot customer was saved."))
                return redirect(f"{back}#pilots")
    else:
        form = PilotCustomerForm(program=program, instance=pilot)
    return _edit_page(
        request,
        {
            "form": form,
            "program": program,
            "title": _("Edit pilot customer") if pilot else _("Add a pilot customer"),
            "back_url": back,
            "form_id": "pilot-form",
        },
    )


@login_required
@require_POST
def pilot_remove(request, code, customer_code):
    if not can_manage_programs(request.user):
        return _forbidden(request)
    program = _program_or_404(code)
    pilot = _pilot_or_404(request, program, customer_code)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    back = reverse("accounts:program", args=[code])
    try:
        actions.do_remove_pilot_customer(pilot, expected_version=version, actor=request.user)
    except StaleObjectError as error:
        return render_conflict(request, str(error), back)
    messages.success(
        request,
        _("%(customer)s was taken out of the programme.") % {"customer": pilot.customer.name},
    )
    return redirect(f"{back}#pilots")


urlpatterns = [
    path("programs/", program_list, name="programs"),
    path("programs/new/", program_edit, name="program_add"),
    path("programs/<str:code>/", program_detail, name="program"),
    path("programs/<str:code>/edit/", program_edit, name="program_edit"),
    path("programs/<str:code>/table.<str:fmt>", program_table_export, name="program_table_export"),
    path("programs/<str:code>/phases/new/", phase_edit, name="phase_add"),
    path("programs/<str:code>/phases/<int:number>/edit/", phase_edit, name="phase_edit"),
    path("programs/<str:code>/targets/new/", target_edit, name="program_target_add"),
    path("programs/<str:code>/targets/<int:pk>/edit/", target_edit, name="program_target_edit"),
    path(
        "programs/<str:code>/targets/<int:pk>/delete/",
        target_delete,
        name="program_target_delete",
    ),
    path("programs/<str:code>/pilots/new/", pilot_edit, name="pilot_add"),
    path("programs/<str:code>/pilots/<str:customer_code>/edit/", pilot_edit, name="pilot_edit"),
    path(
        "programs/<str:code>/pilots/<str:customer_code>/remove/",
        pilot_remove,
        name="pilot_remove",
    ),
]
