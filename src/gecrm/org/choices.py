"""Org unit kinds and staff posts (DOMAIN.md §1, DESIGN.md post codes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnitKind(models.TextChoices):
    GROUP = "group", _("集团")
    PROVINCE = "province", _("省公司")
    PREFECTURE = "prefecture", _("地市分公司")
    DISTRICT = "district", _("区县")
    CENTRE = "centre", _("客户服务中心")
    TEAM = "team", _("行业组")


# Which kinds may sit under which (administrative levels strictly descend; centres and teams
# may sit under any level).
ALLOWED_PARENT_KINDS = {
    OrgUnitKind.GROUP: {None},
    OrgUnitKind.PROVINCE: {OrgUnitKind.GROUP},
    OrgUnitKind.PREFECTURE: {OrgUnitKind.PROVINCE},
    OrgUnitKind.DISTRICT: {OrgUnitKind.PREFECTURE},
    OrgUnitKind.CENTRE: {
        OrgUnitKind.GROUP,
        OrgUnitKind.PROVINCE,
        OrgUnitKind.PREFECTURE,
        OrgUnitKind.DISTRICT,
    },
    OrgUnitKind.TEAM: {
        OrgUnitKind.GROUP,
        OrgUnitKind.PROVINCE,
        OrgUnitKind.PREFECTURE,
        OrgUnitKind.DISTRICT,
        OrgUnitKind.CENTRE,
    },
}


class Post(models.TextChoices):
    INDUSTRY_EXPANSION_MANAGER = "industry_expansion_manager", _("行业拓展经理")
    INDUSTRY_MANAGER = "industry_manager", _("行业经理")
    CHIEF_AM = "chief_am", _("首席客户经理")
    AM = "am", _("客户经理")
    SALES_MANAGER = "sales_manager", _("销售经理")
    TELESALES_MANAGER = "telesales_manager", _("电话销售经理")
    INDUSTRY_EXPANSION = "industry_expansion", _("行业拓展岗")
    CAMPAIGN_PLANNING = "campaign_planning", _("促销策划岗")
    SALES_CONTROL = "sales_control", _("销售管控岗")
    PRESALES = "presales", _("售前支持经理")
    PROJECT_MANAGER = "project_manager", _("项目经理")
    SERVICE_MANAGER = "service_manager", _("服务支撑经理")
    HOTLINE_AGENT = "hotline_agent", _("热线坐席")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    PREFECTURE = "prefecture", _("地级")
    COUNTY = "county", _("县级")
