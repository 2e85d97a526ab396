"""Customer segments and industries (DOMAIN.md §1), with their Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.TextChoices):
    GOV = "gov", _("党政军")
    FIN = "fin", _("金融")
    ENT = "ent", _("大企业")
    SME = "sme", _("中小企业")
    CLUSTER = "cluster", _("聚类")


class Industry(models.TextChoices):
    GOV_PARTY = "gov.party", _("党政管理")
    GOV_JUSTICE = "gov.justice", _("公检司法及军队")
    GOV_PUBLIC = "gov.public", _("经济管理与公共服务")
    FIN_BANK = "fin.bank", _("银行")
    FIN_INSURANCE = "fin.insurance", _("保险")
    FIN_SECURITIES = "fin.securities", _("证券")
    ENT_MANUFACTURING = "ent.manufacturing", _("制造业")
    ENT_TRADE = "ent.trade", _("商贸")
    ENT_ENERGY = "ent.energy", _("能源交通")
    ENT_CARRIER = "ent.carrier", _("运营商/ISP/ICP")
    CLUSTER_PREMIUM = "cluster.premium", _("高端聚类")
    CLUSTER_STANDARD = "cluster.standard", _("普通聚类")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("在网")
    PROSPECT = "prospect", _("潜在")
    DORMANT = "dormant", _("沉默")
    CLOSED = "closed", _("已销户")


SEGMENT_CENTRE_NAMES = {
    Segment.GOV: "党政军客户服务中心",
    Segment.FIN: "金融客户服务中心",
    Segment.ENT: "大企业客户服务中心",
    Segment.SME: "中小企业客户服务中心",
    Segment.CLUSTER: "聚类客户服务中心",
}


def industry_segment(industry: str) -> str:
    """The segment an industry code belongs to: `fin.bank` → `fin`."""
    return industry.split(".", 1)[0]
