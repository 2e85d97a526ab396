"""Web forms for customers and contacts; writes still go through `actions.py`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gecrm.access.creating import creatable_org_units, creatable_parents
from gecrm.core.validation import validate_code
from gecrm.org.forms import (
    OrgUnitChoiceField,
    RegionChoiceField,
    org_unit_queryset,
    region_queryset,
)
from gecrm.org.models import OrgUnit, Region

from .models import Contact, Customer


class CustomerForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=Customer.objects.none(),
        to_field_name="code",
        required=False,
        label=_("Parent customer code"),
        help_text=_("Leave empty for a headquarters customer."),
        widget=forms.TextInput,
    )
    org_unit = OrgUnitChoiceField(
        queryset=OrgUnit.objects.none(), to_field_name="code", label=_("Org unit")
    )
    region = RegionChoiceField(queryset=Region.objects.none(), required=False, label=_("Region"))

    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "uscc",
            "segment",
            "industry",
            "status",
            "parent",
            "org_unit",
            "region",
            "address",
            "lat",
            "lon",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(validate_code)  # the rule of every entry path
        # A branch goes under a customer the user may edit.
        parents = creatable_parents(Customer, user)
        if self.instance.parent_id:
            parents = parents | Customer.objects.filter(pk=self.instance.parent_id)
        self.fields["parent"].queryset = parents
        # A new customer belongs to a unit whose customers the user may edit.
        units = org_unit_queryset(user) if self.instance.pk else creatable_org_units(user)
        self.fields["org_unit"].queryset = units.only("code", "name", "depth", "path")
        self.fields["region"].queryset = region_queryset(self.instance.region_id)
        if self.instance.pk:
            # The code names the customer in URLs, imports and exports: it never changes here.
            self.fields["code"].disabled = True
            if self.instance.parent_id:
                self.initial["parent"] = self.instance.parent.code


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "is_primary"]
