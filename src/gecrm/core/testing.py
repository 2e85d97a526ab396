"""Test helpers: personas and data built with the production actions, never raw ORM writes."""

import zlib

from django.contrib.auth import get_user_model

from gecrm.customers.actions import do_create_customer
from gecrm.customers.uscc import make_uscc
from gecrm.org.actions import do_create_org_unit, do_create_staff
from gecrm.org.models import OrgUnit

DEFAULT_PASSWORD = "Gecrm-test-2026!"


def make_superuser(username: str = "admin"):
    return get_user_model().objects.create_superuser(
        username, f"{username}@example.cn", DEFAULT_PASSWORD
    )


def build_org(actor=None) -> dict[str, OrgUnit]:
    """The group, 广东 and 北京 provinces, 深圳 and 广州 prefectures, and one service centre."""
    units = {}

    def unit(code, name, kind, parent=None, region=None, segment=""):
        units[code] = do_create_org_unit(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "parent": units.get(parent),
                "region_id": region,
                "segment": segment,
            },
            actor=actor,
            source="test",
        )

    unit("HQ", "集团公司政企客户事业部", "group")
    unit("GD", "广东省公司政企客户部", "province", "HQ", "440000")
    unit("GD.SZ", "深圳分公司政企客户部", "prefecture", "GD", "440300")
    unit("GD.GZ", "广州分公司政企客户部", "prefecture", "GD", "440100")
    unit("BJ", "北京市公司政企客户部", "province", "HQ", "110000")
    unit("GD.FIN", "广东金融客户服务中心", "centre", "GD", "440000", "fin")
    return units


def make_staff(username, org_unit, posts=("am",), actor=None, name=None):
    return do_create_staff(
        username=username,
        name=name or username,
        org_unit=org_unit,
        posts=list(posts),
        email=f"{username}@example.cn",
        phone="13800138000",
        password=DEFAULT_PASSWORD,
        actor=actor,
        source="test",
    )


def make_customer(
    code,
    org_unit,
    *,
    parent=None,
    segment="fin",
    industry="fin.bank",
    name=None,
    region="440300",
    uscc=None,
    actor=None,
):
    return do_create_customer(
        {
            "code": code,
            "name": name or f"客户{code}",
            "segment": segment,
            "industry": industry,
            "org_unit": org_unit,
            "region_id": region,
            "parent": parent,
            "uscc": uscc
            if uscc is not None
            else make_uscc(f"91440300{zlib.crc32(code.encode()) % 10**9:09d}"),
        },
        actor=actor,
        source="test",
    )
