"""Product categories (DOMAIN.md §2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductCategory(models.TextChoices):
    FIXED = "fixed", _("固话")
    BROADBAND = "broadband", _("宽带")
    MOBILE = "mobile", _("移动")
    LEASED_LINE = "leased_line", _("专线")
    IDC = "idc", _("IDC")
    CLOUD = "cloud", _("云计算")
    SYSTEM_INTEGRATION = "system_integration", _("系统集成")
    INDUSTRY_APP = "industry_app", _("行业应用")
    VIDEO_SURVEILLANCE = "video_surveillance", _("视频监控")
    IOT = "iot", _("物联网")
    OTHER = "other", _("其他")


ICT_CATEGORIES = {"idc", "cloud", "system_integration", "industry_app", "video_surveillance", "iot"}
