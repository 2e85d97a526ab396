"""Web forms for products; writes go through `actions.py`."""

from django import forms

from .models import Product


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "category", "is_ict"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The code is the product's identity in billing imports: it never changes here.
            self.fields["code"].disabled = True
