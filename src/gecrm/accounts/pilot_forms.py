"""Forms of the pilot programme pages: programme, phase, target, pilot customer.

Each carries the `version` it was loaded with (hidden) when editing, so that the action answers
a stale edit with `StaleObjectError` (409) and writes nothing.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from gecrm.customers.choices import Segment
from gecrm.kpi.forms import PercentField
from gecrm.org.models import OrgUnit

from .models import Phase, Program

PILOT_UNIT_KINDS = ("group", "province", "prefecture", "district")
RESPONSIBLE_KINDS = ("group", "province")
INDENT = "\u3000"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _unit_label(unit) -> str:
    return f"{INDENT * unit.depth}{unit.name} ({unit.code})"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _unit_label(obj)


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _unit_label(obj)


def _with_version(form, instance) -> None:
    if instance is not None:
        form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
        form.initial.setdefault("version", instance.version)


class ProgramForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    start = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    end = forms.DateField(label=_("End date"), required=False, widget=DateInput())
    units = UnitsChoiceField(
        label=_("Pilot units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("The provinces and prefectures (or the group) where the pilot runs."),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, instance: Program | None = None, **kwargs):
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "code": instance.code,
                "name": instance.name,
                "description": instance.description,
                "start": instance.start,
                "end": instance.end,
                "units": list(instance.units.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = OrgUnit.objects.filter(kind__in=PILOT_UNIT_KINDS).order_by(
            "path"
        )
        if instance is not None:
            # The code is the programme's address (its page, imports): fixed once created.
            self.fields["code"].disabled = True
        _with_version(self, instance)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if "/" in code:
            raise forms.ValidationError(_("A code cannot contain “/”."))
        return code

    def program_fields(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("code", "name", "description", "start", "end")}


class PhaseForm(forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=999)
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. 第一批"))
    start = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    end = forms.DateField(label=_("End date"), required=False, widget=DateInput())

    def __init__(self, *args, instance: Phase | None = None, **kwargs):
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "number": instance.number,
                "name": instance.name,
                "start": instance.start,
                "end": instance.end,
            }
        super().__init__(*args, **kwargs)
        _with_version(self, instance)

    def phase_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("number", "name", "start", "end")}


class ProgramTargetForm(forms.Form):
    phase = forms.ModelChoiceField(
        label=_("Phase"),
        queryset=Phase.objects.none(),
        required=False,
        empty_label=_("All phases"),
    )
    org_unit = UnitChoiceField(
        label=_("Pilot unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("All pilot units"),
    )
    customers = forms.IntegerField(label=_("Pilot customers"), min_value=0, required=False)
    revenue_growth = PercentField(label=_("Revenue growth (%)"))
    ict_penetration = PercentField(label=_("ICT penetration (%)"))
    beat_industry = forms.BooleanField(
        label=_("Revenue growth and ICT penetration above their industries' average"),
        required=False,
    )

    def __init__(self, *args, program: Program, instance=None, **kwargs):
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "phase": instance.phase_id,
                "org_unit": instance.org_unit_id,
                "customers": instance.customers,
                "revenue_growth": instance.revenue_growth,
                "ict_penetration": instance.ict_penetration,
                "beat_industry": instance.beat_industry,
            }
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = program.phases.order_by("number")
        self.fields["org_unit"].queryset = program.units.order_by("path")
        _with_version(self, instance)

    def target_fields(self) -> dict:
        data = self.cleaned_data
        return {
            k: data[k]
            for k in (
                "phase",
                "org_unit",
                "customers",
                "revenue_growth",
                "ict_penetration",
                "beat_industry",
            )
        }


class PilotCustomerForm(forms.Form):
    customer_code = forms.CharField(
        label=_("HQ customer code"), max_length=64, help_text=_("A customer without a parent.")
    )
    org_unit = UnitChoiceField(
        label=_("Responsible sales organisation"),
        queryset=OrgUnit.objects.none(),
        help_text=_("The group or a province."),
    )
    phase = forms.ModelChoiceField(
        label=_("Phase"), queryset=Phase.objects.none(), required=False, empty_label=_("None")
    )

    def __init__(self, *args, program: Program, instance=None, **kwargs):
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "customer_code": instance.customer.code,
                "org_unit": instance.org_unit_id,
                "phase": instance.phase_id,
            }
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(
            kind__in=RESPONSIBLE_KINDS
        ).order_by("path")
        self.fields["phase"].queryset = program.phases.order_by("number")
        if instance is not None:
            self.fields["customer_code"].disabled = True
        _with_version(self, instance)


class PilotFilterForm(forms.Form):
    """The pilot customer list's filters (the `PilotCustomerFilterSet` parameters)."""

    q = forms.CharField(label=_("Search"), required=False)
    segment = forms.ChoiceField(
        label=_("Segment"), required=False, choices=[("", _("All"))] + list(Segment.choices)
    )
    org_unit = forms.ChoiceField(label=_("Responsible org unit"), required=False)
    phase = forms.ChoiceField(label=_("Phase"), required=False)

    def __init__(self, *args, columns=(), phases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [("", _("All"))] + [(c.code, c.name) for c in columns]
        self.fields["phase"].choices = [("", _("All"))] + [(str(p.number), p.name) for p in phases]
