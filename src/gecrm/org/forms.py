"""Web forms for org units and staff; writes go through `actions.py`."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gecrm.access.creating import creatable_parents
from gecrm.core.validation import validate_code

from .choices import Post, RegionLevel
from .models import OrgUnit, Region, Staff

INDENT = "\u3000"  # an ideographic space: indents Chinese names evenly


class OrgUnitChoiceField(forms.ModelChoiceField):
    """An org unit chosen by code, listed as an indented tree."""

    def label_from_instance(self, obj):
        return INDENT * obj.depth + obj.name


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.code})"


def org_unit_queryset(user):
    return OrgUnit.objects.restrict(user, "view").only("code", "name", "depth", "path")


def region_queryset(current_code: str | None = None):
    """Provinces and prefectures (and the current value, which may be a county)."""
    levels = Q(level__in=[RegionLevel.PROVINCE, RegionLevel.PREFECTURE])
    if current_code:
        levels |= Q(code=current_code)
    return Region.objects.filter(levels).select_related("parent__parent")


class OrgUnitForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        to_field_name="code",
        required=False,
        label=_("Parent unit code"),
        help_text=_("Leave empty only for the group itself."),
        widget=forms.TextInput,
    )
    region = RegionChoiceField(queryset=Region.objects.none(), required=False, label=_("Region"))

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "parent", "region", "segment", "industry"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(validate_code)  # the rule of every entry path
        if self.instance.pk:
            self.fields["parent"].queryset = OrgUnit.objects.restrict(user, "view")
        else:
            # A new unit goes under one the user may edit (administrators: any).
            self.fields["parent"].queryset = creatable_parents(OrgUnit, user)
        self.fields["region"].queryset = region_queryset(self.instance.region_id)
        if self.instance.pk:
            # The code names the unit in imports, exports and data scopes: it never changes here.
            self.fields["code"].disabled = True
            if self.instance.parent_id:
                self.initial["parent"] = self.instance.parent.code


class StaffForm(forms.ModelForm):
    org_unit = OrgUnitChoiceField(
        queryset=OrgUnit.objects.none(), to_field_name="code", label=_("Org unit")
    )
    posts = forms.MultipleChoiceField(
        choices=Post.choices,
        required=False,
        label=_("Posts"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Staff
        fields = ["name", "org_unit", "posts", "email", "phone"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = org_unit_queryset(user)
        if self.instance.pk:
            self.initial["posts"] = self.instance.post_codes
