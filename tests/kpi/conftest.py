"""A small, hand-computed KPI world (month M = 2024-03: YTD 2024-01..03, PYTD 2023-01..03).

Groups (top-level customer, org unit, industry):
- A  C001 (HQ, fin.bank) with branches C001.SZ (深圳), C001.SZ.1 and C001.BJ (北京):
     YTD 100 + ICT 50 + 30 = 180.00 (ICT 50.00); PYTD 100 − 10 (ICT adjustment) = 90.00;
     2023-12 and 2024-04 are outside both windows. Chief AM chief1 since 2024-01-01: covered.
- B  C002 (GD.GZ, fin.bank): YTD 60.00, PYTD 100.00, no ICT. chief1 ended 2024-03-30,
     chief2 from 2024-04-01: not covered.
- C  C003 (BJ, fin.insurance): no revenue at all.
- D  C004 (GD.SZ, gov.party): ICT 20.00 YTD, ICT 40.00 PYTD. chief2 from 2024-03-31 (the last
     day) and chief3 (a higher user id) since 2024-02-01: chief AM chief2, covered.
- E  C005 (GD, sme, no industry): YTD 10.00.
"""

import pytest

from gecrm.core import testing

from . import factories

M = 202403


@pytest.fixture
def world(org, hq_tree, admin):
    voice = factories.product("VOICE", ict=False, actor=admin)
    cloud = factories.product("CLOUD", ict=True, actor=admin)
    chief1 = testing.make_staff("chief1", org["HQ"], posts=("chief_am",), actor=admin).user
    chief2 = testing.make_staff("chief2", org["GD"], posts=("chief_am",), actor=admin).user
    chief3 = testing.make_staff("chief3", org["GD"], posts=("chief_am",), actor=admin).user
    a = hq_tree["hq"]
    b = testing.make_customer("C002", org["GD.GZ"], name="乙银行", actor=admin, region="440100")
    c = testing.make_customer(
        "C003", org["BJ"], industry="fin.insurance", name="丙保险", actor=admin, region="110000"
    )
    d = testing.make_customer(
        "C004", org["GD.SZ"], segment="gov", industry="gov.party", name="丁局", actor=admin
    )
    e = testing.make_customer(
        "C005", org["GD"], segment="sme", industry="", name="戊公司", actor=admin
    )
    factories.facts(
        [
            (202401, a, voice, "100"),
            (202402, hq_tree["sz"], cloud, "50"),
            (202403, hq_tree["sub"], voice, "30"),
            (202302, hq_tree["bj"], voice, "100"),
            (202303, hq_tree["bj"], cloud, "-10"),
            (202312, hq_tree["bj"], voice, "999"),
            (202404, a, voice, "777"),
            (202401, b, voice, "60"),
            (202301, b, voice, "100"),
            (202402, d, cloud, "20"),
            (202302, d, cloud, "40"),
            (202401, e, voice, "10"),
        ]
    )
    factories.assign_chief(a, chief1, "2024-01-01")
    factories.assign_chief(b, chief1, "2023-01-01", "2024-03-30")
    factories.assign_chief(b, chief2, "2024-04-01")
    factories.assign_chief(d, chief3, "2024-02-01")
    factories.assign_chief(d, chief2, "2024-03-31")
    return {
        "a": a, "b": b, "c": c, "d": d, "e": e, "voice": voice, "cloud": cloud,
        "chief1": chief1, "chief2": chief2, "chief3": chief3, **hq_tree,
    }  # fmt: skip
