"""The scope world: org units, customers, contacts, assignments and one persona per rule.

Everything is built with the production actions. EXPECTED names, per persona, the exact set of
customer codes the persona may view and change; the tests compare every list, count, search and
export against it.
"""

import datetime

import pytest

from gecrm.access.models import ApiToken
from gecrm.accounts.actions import do_assign
from gecrm.core.testing import build_org, make_customer, make_staff
from gecrm.customers.actions import do_add_contact
from gecrm.org.actions import do_create_org_unit

ALL = {
    "C001", "C001.GD", "C001.GD.SZ", "C001.BJ", "C001.SH",
    "C002", "C002.SZ",
    "S-SZ1", "S-SZ2", "S-GZ1", "S-BJ1", "B-GZ",
}  # fmt: skip
GD = {"C001.GD", "C001.GD.SZ", "C002", "C002.SZ", "S-SZ1", "S-SZ2", "S-GZ1", "B-GZ"}
CHIEF = {"C001", "C001.GD", "C001.GD.SZ", "C001.BJ", "C001.SH"}

# persona → (customers viewed, customers changed)
EXPECTED = {
    "admin": (ALL, ALL),
    "grp_sc": (ALL, ALL),
    "gd_sc": (GD, GD),
    "sz_am": ({"S-SZ1", "C002.SZ"}, {"S-SZ1", "C002.SZ"}),
    "sz_am2": ({"S-SZ2"}, {"S-SZ2"}),
    "cam": (CHIEF, CHIEF),
    "gd_bank_im": ({"C001.GD", "C001.GD.SZ", "B-GZ"}, {"C001.GD", "C001.GD.SZ", "B-GZ"}),
    "presales": ({"C002"}, set()),
    "hotline": (ALL, set()),
}
PERSONAS = list(EXPECTED)
SINCE = datetime.date(2025, 1, 1)


class World(dict):
    """Personas (users) by name, plus `customers` by code and `units` by code."""


@pytest.fixture
def world(db):
    from gecrm.core.testing import make_superuser

    admin = make_superuser()
    units = build_org(actor=admin)

    def unit(code, name, kind, parent, region, segment="", industry=""):
        units[code] = do_create_org_unit(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "parent": units[parent],
                "region_id": region,
                "segment": segment,
                "industry": industry,
            },
            actor=admin,
            source="test",
        )

    unit("SH", "上海市公司政企客户部", "province", "HQ", "310000")
    unit("GD.FIN.bank", "广东银行行业组", "team", "GD.FIN", "440000", "fin", "fin.bank")

    customers = {}

    def customer(code, owner, parent=None, segment="fin", industry="fin.bank"):
        customers[code] = make_customer(
            code,
            units[owner],
            parent=customers.get(parent),
            segment=segment,
            industry=industry,
            actor=admin,
        )
        do_add_contact(
            customers[code],
            {"name": f"联系人{code}", "phone": "13800138000", "email": ""},
            actor=admin,
            source="test",
        )

    customer("C001", "HQ")
    customer("C001.GD", "GD.FIN.bank", "C001")
    customer("C001.GD.SZ", "GD.SZ", "C001.GD")
    customer("C001.BJ", "BJ", "C001")
    customer("C001.SH", "SH", "C001")
    customer("C002", "GD", segment="ent", industry="ent.manufacturing")
    customer("C002.SZ", "GD.SZ", "C002", segment="ent", industry="ent.manufacturing")
    customer("S-SZ1", "GD.SZ", segment="sme", industry="")
    customer("S-SZ2", "GD.SZ", segment="sme", industry="")
    customer("S-GZ1", "GD.GZ", segment="sme", industry="")
    customer("S-BJ1", "BJ", segment="sme", industry="")
    customer("B-GZ", "GD.GZ")

    def persona(name, unit_code, posts):
        return make_staff(name, units[unit_code], posts=posts, actor=admin).user

    w = World(admin=admin)
    w["grp_sc"] = persona("grp_sc", "HQ", ["sales_control"])
    w["gd_sc"] = persona("gd_sc", "GD", ["sales_control"])
    w["sz_am"] = persona("sz_am", "GD.SZ", ["am"])
    w["sz_am2"] = persona("sz_am2", "GD.SZ", ["am"])
    w["cam"] = persona("cam", "HQ", ["chief_am"])
    w["gd_bank_im"] = persona("gd_bank_im", "GD.FIN.bank", ["industry_manager"])
    w["presales"] = persona("presales", "GD.SZ", ["presales"])
    w["hotline"] = persona("hotline", "GD", ["hotline_agent"])

    def assign(code, who, role, **kwargs):
        return do_assign(customers[code], w[who], role, start=SINCE, actor=admin, **kwargs)

    assign("S-SZ1", "sz_am", "am")
    assign("C002.SZ", "sz_am", "am")
    assign("S-SZ2", "sz_am2", "am")
    assign("C001", "cam", "chief_am")
    assign("C002", "presales", "presales")
    # History: an ended assignment gives nothing.
    assign("S-GZ1", "sz_am", "am", end=datetime.date(2025, 6, 30))
    # A future one neither.
    do_assign(
        customers["S-BJ1"],
        w["sz_am"],
        "am",
        start=datetime.date.today() + datetime.timedelta(days=30),
        actor=admin,
    )
    w.customers = customers
    w.units = units
    return w


@pytest.fixture
def token_of():
    def issue(user):
        _token, raw = ApiToken.issue(user)
        return raw

    return issue
