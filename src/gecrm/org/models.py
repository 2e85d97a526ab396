"""The sales organisation: regions (GB/T 2260), org units as a tree, staff and their posts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gecrm.core.models import BaseModel, TreeModel
from gecrm.customers.choices import Industry, Segment

from .choices import ALLOWED_PARENT_KINDS, OrgUnitKind, Post, RegionLevel


class Region(models.Model):
    """An administrative division of the GB/T 2260 table, shipped with the project."""

    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def full_name(self) -> str:
        parts = [self.name]
        node = self.parent
        while node is not None:
            if node.name not in ("市辖区", "县"):
                parts.append(node.name)
            node = node.parent
        return "".join(reversed(parts))


class OrgUnit(TreeModel):
    """A unit of the sales organisation: group, province, prefecture, district, centre or team."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=OrgUnitKind.choices, db_index=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    segment = models.CharField(
        _("segment"), max_length=12, choices=Segment.choices, blank=True, db_index=True
    )
    industry = models.CharField(
        _("industry"), max_length=24, choices=Industry.choices, blank=True, db_index=True
    )

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def clean(self):
        super().clean()
        parent_kind = self.parent.kind if self.parent_id and self.parent else None
        if self.kind and parent_kind not in ALLOWED_PARENT_KINDS.get(self.kind, set()):
            raise ValidationError(
                {
                    "parent_code": _("A %(kind)s cannot sit under %(parent)s.")
                    % {
                        "kind": OrgUnitKind(self.kind).label,
                        "parent": OrgUnitKind(parent_kind).label if parent_kind else _("nothing"),
                    }
                }
            )
        if self.industry and self.segment and not self.industry.startswith(self.segment + "."):
            raise ValidationError(
                {
                    "industry": _("Industry %(industry)s is not in segment %(segment)s.")
                    % {"industry": self.industry, "segment": self.segment}
                }
            )


class Staff(BaseModel):
    """A member of staff: the profile of a login, with org unit, posts and contact data."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff",
    )
    name = models.CharField(_("name"), max_length=60)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="staff"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["user__username"]

    def __str__(self):
        return f"{self.name} ({self.user.username})"

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def post_codes(self) -> list[str]:
        return [p.post for p in self.posts.all()]


class StaffPost(models.Model):
    """A post (岗位) a member of staff holds; one person may hold several."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="posts"
    )
    post = models.CharField(_("post"), max_length=32, choices=Post.choices, db_index=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [models.UniqueConstraint(fields=["staff", "post"], name="staffpost_unique")]

    def __str__(self):
        return self.get_post_display()
