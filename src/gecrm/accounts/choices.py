"""Roles of an account assignment (DESIGN.md, the `assignments` exchange format)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CHIEF_AM = "chief_am", _("首席客户经理")
    AM = "am", _("客户经理")
    INDUSTRY_MANAGER = "industry_manager", _("行业经理")
    PRESALES = "presales", _("售前支持经理")
    PROJECT_MANAGER = "project_manager", _("项目经理")
    SERVICE_MANAGER = "service_manager", _("服务支撑经理")


# Roles whose holder answers for the customer's whole tree (and may edit it).
ACCOUNT_ROLES = (Role.CHIEF_AM, Role.AM)


class NoteKind(models.TextChoices):
    """What a chief AM shares with the vertical team."""

    NOTE = "note", _("共享笔记")
    PLAN = "plan", _("营销计划")
