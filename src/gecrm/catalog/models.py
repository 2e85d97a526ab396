"""Products of the catalogue: basic communications and ICT."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gecrm.core.models import BaseModel

from .choices import ProductCategory


class Product(BaseModel):
    """A product billed in the monthly financial report; `is_ict` marks ICT business."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=24, choices=ProductCategory.choices)
    is_ict = models.BooleanField(_("ICT"), default=False, db_index=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"
