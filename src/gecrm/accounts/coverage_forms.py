"""Forms of the coverage pages: a year's rollout targets."""

from django import forms
from django.utils.translation import gettext_lazy

from gecrm.kpi.forms import PercentField

from .actions import ROLLOUT_TARGET_FIELDS


class RolloutTargetForm(forms.Form):
    """A year's rollout targets; the alignment shares typed as percentages (50 = 50%)."""

    covered_customers = forms.IntegerField(label=gettext_lazy("HQ customers covered"), min_value=0)
    provinces = forms.IntegerField(label=gettext_lazy("Provinces taking part"), min_value=0)
    prefectures = forms.IntegerField(label=gettext_lazy("Prefectures taking part"), min_value=0)
    aligned_provinces = PercentField(label=gettext_lazy("Provinces aligned (%)"))
    aligned_prefectures = PercentField(label=gettext_lazy("Prefectures aligned (%)"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("aligned_provinces", "aligned_prefectures"):
            self.fields[name].required = True

    def target_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ROLLOUT_TARGET_FIELDS}
