"""Customers: the HQ/branch tree, with segment, industry, region, owning org unit and contacts."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from gecrm.core.models import BaseModel, TreeModel
from gecrm.org.models import OrgUnit, Region

from .choices import CustomerStatus, Industry, Segment, industry_segment
from .pinyin import INITIALS_MAX, PINYIN_MAX, name_keys
from .uscc import validate_uscc


class Customer(TreeModel):
    """A customer: a headquarters (no parent) or a branch of one, at any depth."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    # Derived from `name` (see `refresh_name_keys`): searched by prefix, sorted by.
    name_pinyin = models.CharField(
        _("name in pinyin"), max_length=PINYIN_MAX, blank=True, editable=False, db_index=True
    )
    name_initials = models.CharField(
        _("pinyin initials"), max_length=INITIALS_MAX, blank=True, editable=False, db_index=True
    )
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc]
    )
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices)
    industry = models.CharField(_("industry"), max_length=24, choices=Industry.choices, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="customers"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lon = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["segment", "industry"], name="customer_seg_ind"),
            models.Index(fields=["org_unit", "code"], name="customer_org_code"),
            models.Index(fields=["region", "code"], name="customer_region_code"),
            models.Index(fields=["status"], name="customer_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="customer_uscc_unique"
            ),
        ]

    # Derived columns: the change log records the name, not its pinyin.
    log_exclude_fields = (*TreeModel.log_exclude_fields, "name_pinyin", "name_initials")

    @property
    def is_headquarters(self) -> bool:
        return self.parent_id is None

    def refresh_name_keys(self) -> None:
        self.name_pinyin, self.name_initials = name_keys(self.name)

    def save(self, *args, **kwargs):
        self.refresh_name_keys()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        # The actions validate with full_clean before writing (update_versioned writes with an
        # UPDATE, not save()), so the derived keys follow the name here as well.
        self.refresh_name_keys()
        errors = {}
        if (
            self.industry in Industry.values
            and self.segment in Segment.values
            and industry_segment(self.industry) != self.segment
        ):
            errors["industry"] = _(
                "Industry %(industry)s does not belong to segment %(segment)s."
            ) % {
                "industry": Industry(self.industry).label,
                "segment": Segment(self.segment).label,
            }
        if self.parent_id and self.pk:
            parent = self.parent
            if parent.pk == self.pk or (self.path and parent.path.startswith(self.path)):
                errors["parent"] = _(
                    "A customer cannot be its own parent or the branch of its own branch."
                )
        if errors:
            raise ValidationError(errors)


class Contact(BaseModel):
    """A person at a customer: name, title, phone, e-mail."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=60, db_index=True)
    title = models.CharField(_("title"), max_length=60, blank=True)
    # Indexed for the search's exact match on a complete number / address (never a partial one).
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name"]
        indexes = [
            models.Index(Lower("email"), name="contact_email_lower"),
        ]

    def __str__(self):
        return self.name
