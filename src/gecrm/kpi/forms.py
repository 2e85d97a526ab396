"""Forms of the KPI pages: the month picker, each report's filters, and a target."""

import decimal

from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from gecrm.core.months import format_month, parse_month
from gecrm.customers.choices import Industry, Segment
from gecrm.org.choices import OrgUnitKind
from gecrm.org.models import OrgUnit, Staff

from .models import Target

INDENT = "\u3000"
UNIT_KINDS = [
    OrgUnitKind.GROUP,
    OrgUnitKind.PROVINCE,
    OrgUnitKind.PREFECTURE,
    OrgUnitKind.DISTRICT,
    OrgUnitKind.CENTRE,
]
# Report filters offer the administrative tree only (hundreds of service centres and teams
# would make a select of ~1,500 options on every report page); any code works in the URL.
FILTER_UNIT_KINDS = UNIT_KINDS[:4]
HUNDRED = decimal.Decimal(100)


def org_unit_choices(user, blank_label, kinds=FILTER_UNIT_KINDS, current=""):
    """Org units of `kinds` as an indented tree, keyed by code (plus `current`, if another)."""
    units = (
        OrgUnit.objects.restrict(user, "view")
        .filter(Q(kind__in=kinds) | Q(code=current))
        .order_by("path")
        .values_list("code", "name", "depth")
    )
    return [("", blank_label)] + [(code, INDENT * depth + name) for code, name, depth in units]


class MonthField(forms.CharField):
    """A month typed or picked as `YYYY-MM` (also `2024年9月`), cleaned to a YYYYMM int."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


def month_choices(months) -> list[tuple[str, str]]:
    return [(format_month(m), format_month(m)) for m in sorted(months, reverse=True)]


class OptionsSelect(forms.Select):
    """A `<select>` whose options are written here, not by a template include each: the org
    unit filter lists every administrative unit (hundreds), whose option templates took longer
    than the report itself. Same markup as Django's."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            format_html(
                '<option value="{}"{}>{}</option>',
                "" if option["value"] is None else option["value"],
                flatatt(option["attrs"]),
                option["label"],
            )
            for _group, choices, _index in widget["optgroups"]
            for option in choices
        ]
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(options)),  # noqa: S308 (each option escaped above)
        )


class ReportFilterForm(forms.Form):
    """The filters a report offers (`Report.filters`), as GET parameters of its page.

    Only the fields of the report's own filters are kept; blank means "not filtered".
    """

    ORDER_CHOICES = [
        ("revenue", _("Revenue YTD")),
        ("growth", _("Revenue growth")),
        ("ict_share", _("ICT revenue share")),
    ]
    DIRECTION_CHOICES = [("top", _("Top")), ("bottom", _("Bottom"))]
    COVERED_CHOICES = [
        ("", _("All groups")),
        ("true", _("Covered by a chief AM")),
        ("false", _("Not covered")),
    ]

    root = forms.ChoiceField(label=_("Org unit"), required=False, widget=OptionsSelect)
    order = forms.ChoiceField(label=_("Rank by"), choices=ORDER_CHOICES, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTION_CHOICES, required=False)
    # Not "Groups": Django's own catalogue says 用户组 (user groups) for that.
    limit = forms.IntegerField(
        label=_("Number of customer groups"), min_value=1, max_value=500, required=False
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    org_unit = forms.ChoiceField(label=_("Org unit"), required=False, widget=OptionsSelect)
    covered = forms.ChoiceField(label=_("Coverage"), choices=COVERED_CHOICES, required=False)

    def __init__(self, report, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in report.filters:
                del self.fields[name]
        for name in ("root", "org_unit"):
            if name in self.fields:
                current = str(self.data.get(name, "")) if self.is_bound else ""
                self.fields[name].choices = org_unit_choices(user, _("All"), current=current)
        if "industry" in self.fields:
            self.fields["industry"].choices = [("", _("All"))] + list(Industry.choices)
        if "segment" in self.fields:
            self.fields["segment"].choices = [("", _("All"))] + list(Segment.choices)
        if "limit" in self.fields:
            self.fields["limit"].widget.attrs["placeholder"] = "20"
        for name, field in self.fields.items():
            field.help_text = report.filters[name]

    def filters(self) -> dict:
        """The report's filters with a value (valid ones only), as strings for `Report.rows`."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {k: str(v) for k, v in data.items() if v not in (None, "")}


class PercentField(forms.DecimalField):
    """A ratio typed as a percentage (`8.5` for 8.5 %), cleaned to the ratio (0.0850)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=9, decimal_places=2, required=False, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, decimal.Decimal):
            # 0.1000 → "10", 0.0850 → "8.5" (normalize alone would give "1E+1").
            return format((value * HUNDRED).normalize(), "f")
        return value

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else (value / HUNDRED).quantize(decimal.Decimal("0.0001"))


def subject_choices():
    """What a target is for, in one select: `org_unit:GD`, `industry:fin.bank`, `chief_am:zhang`."""
    units = OrgUnit._base_manager.filter(kind__in=UNIT_KINDS).order_by("path")
    chiefs = (
        Staff._base_manager.filter(posts__post="chief_am")
        .order_by("user__username")
        .values_list("user__username", "name")
        .distinct()
    )
    return [
        ("", "---------"),
        (
            _("Org units"),
            [
                (f"org_unit:{code}", INDENT * depth + name)
                for code, name, depth in units.values_list("code", "name", "depth")
            ],
        ),
        (_("Industries"), [(f"industry:{code}", label) for code, label in Industry.choices]),
        (
            _("Chief account managers"),
            [(f"chief_am:{username}", f"{name} ({username})") for username, name in chiefs],
        ),
    ]


class TargetForm(forms.Form):
    """A year's targets for one org unit, industry or chief AM; ratios typed as percentages."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    subject = forms.ChoiceField(label=_("Target for"))
    revenue_growth = PercentField(label=_("Revenue growth (%)"))
    ict_penetration = PercentField(label=_("ICT penetration (%)"))
    covered_groups = forms.IntegerField(label=_("Covered groups"), min_value=0, required=False)

    def __init__(self, *args, instance: Target | None = None, **kwargs):
        if instance is not None and not kwargs.get("initial"):
            kwargs.update(
                initial={
                    "year": instance.year,
                    "subject": f"{instance.dimension}:{instance.key}",
                    "revenue_growth": instance.revenue_growth,
                    "ict_penetration": instance.ict_penetration,
                    "covered_groups": instance.covered_groups,
                    "version": instance.version,
                },
            )
        super().__init__(*args, **kwargs)
        choices = subject_choices()
        current = self.initial.get("subject")
        known = {value for _group, options in choices[1:] for value, _label in options}
        if current and current not in known:
            # A chief AM who no longer holds the post still has this year's target.
            choices.append((current, current.partition(":")[2]))
        self.fields["subject"].choices = choices
        if instance is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)

    def target_fields(self) -> dict:
        """The cleaned values as `kpi.actions` takes them."""
        data = self.cleaned_data
        dimension, _sep, key = data["subject"].partition(":")
        return {
            "year": data["year"],
            "dimension": dimension,
            "key": key,
            "revenue_growth": data["revenue_growth"],
            "ict_penetration": data["ict_penetration"],
            "covered_groups": data["covered_groups"],
        }
