"""Web forms for products; writes go through `actions.py`."""

from django import forms

from gecrm.core.validation import validate_code

from .models import Product


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "category", "is_ict"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(validate_code)  # the rule of every entry path
        if self.instance.pk:
            # The code is the product's identity in billing imports: it never changes here.
            self.fields["code"].disabled = True
