"""A vertical team built with the production actions.

Org: the group (HQ) with its bank industry team HQ.FIN.bank; 广东 (GD) with its bank team
GD.FIN.bank, the prefectures 深圳 (GD.SZ, with the district 南山 GD.SZ.NS) and 广州 (GD.GZ);
北京 (BJ) without a bank team.

Customer tree of the HQ bank C001 (owned by the group's bank team), branches on three levels:
  C001            HQ        chief AM `cam`
  ├ C001.GD       广东      AM `gd_am`
  │ └ C001.GD.SZ  深圳      AM `sz_am`, pre-sales `presales`
  │   └ C001.GD.SZ.NS 南山  nobody                 → gap: no account manager
  └ C001.BJ       北京      nobody                 → gap: no account manager
Industry managers: `grp_im` (group) and `gd_im` (广东); 北京 has none → gap.
"""

import datetime

import pytest

from gecrm.accounts.actions import do_assign
from gecrm.core import testing
from gecrm.org.actions import do_create_org_unit

SINCE = datetime.date(2024, 1, 1)


@pytest.fixture
def vteam(org, admin):
    units = dict(org)

    def unit(code, name, kind, parent, **extra):
        units[code] = do_create_org_unit(
            {"code": code, "name": name, "kind": kind, "parent": units[parent], **extra},
            actor=admin,
            source="test",
        )

    unit("HQ.FIN", "集团金融客户服务中心", "centre", "HQ", segment="fin")
    unit("HQ.FIN.bank", "集团银行行业组", "team", "HQ.FIN", segment="fin", industry="fin.bank")
    unit("GD.FIN.bank", "广东银行行业组", "team", "GD.FIN", segment="fin", industry="fin.bank")
    unit("GD.SZ.NS", "深圳南山分局", "district", "GD.SZ", region_id="440305")

    def customer(code, unit_code, parent=None, region="440300"):
        return testing.make_customer(
            code, units[unit_code], parent=parent, name=f"示范银行{code}", actor=admin,
            region=region,
        )  # fmt: skip

    hq = customer("C001", "HQ.FIN.bank", region="110000")
    gd = customer("C001.GD", "GD.FIN.bank", hq, region="440100")
    sz = customer("C001.GD.SZ", "GD.SZ", gd)
    ns = customer("C001.GD.SZ.NS", "GD.SZ.NS", sz, region="440305")
    bj = customer("C001.BJ", "BJ", hq, region="110000")

    def person(username, unit_code, posts, name=None):
        return testing.make_staff(
            username, units[unit_code], posts=posts, actor=admin, name=name or username
        ).user

    people = {
        "cam": person("cam", "HQ", ["chief_am"], "陈首席"),
        "cam2": person("cam2", "HQ", ["chief_am"], "李首席"),
        "plain": person("plain", "HQ", ["am"]),
        "grp_im": person("grp_im", "HQ.FIN.bank", ["industry_manager"], "集团行业经理"),
        "gd_im": person("gd_im", "GD.FIN.bank", ["industry_manager"], "广东行业经理"),
        "gd_am": person("gd_am", "GD", ["am"], "广东客户经理"),
        "sz_am": person("sz_am", "GD.SZ", ["am"], "深圳客户经理"),
        "presales": person("presales", "GD.SZ", ["presales"], "售前经理"),
        "grp_sc": person("grp_sc", "HQ", ["sales_control"]),
        "gd_sc": person("gd_sc", "GD", ["sales_control"]),
        "bj_sc": person("bj_sc", "BJ", ["sales_control"]),
        "gz_am": person("gz_am", "GD.GZ", ["am"]),
    }
    do_assign(hq, people["cam"], "chief_am", start=SINCE, actor=admin)
    do_assign(gd, people["gd_am"], "am", start=SINCE, actor=admin)
    do_assign(sz, people["sz_am"], "am", start=SINCE, actor=admin)
    do_assign(sz, people["presales"], "presales", start=SINCE, actor=admin)
    return {
        "units": units,
        "hq": hq,
        "gd": gd,
        "sz": sz,
        "ns": ns,
        "bj": bj,
        "admin": admin,
        **people,
    }
