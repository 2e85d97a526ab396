"""Hand-built data for the coverage and alignment tests, made with the production actions.

Coverage world (`build_coverage`, on the `org` fixture plus 深圳南山 district GD.SZ.NS and the
北京朝阳 prefecture BJ.CY), dates relative to today (T):

| HQ  | segment | owner | chief AM                  | branches (owner: AM)                              |
|-----|---------|-------|---------------------------|---------------------------------------------------|
| C1  | fin     | HQ    | active since T−100        | C1.SZ (GD.SZ: AM), C1.SZ.NS (GD.SZ.NS: AM), C1.BJ (BJ: none) |
| C2  | fin     | GD    | active since T−100        | C2.GZ (GD.GZ: AM ended T−1)                        |
| C3  | fin     | BJ    | 1 June last year → T−1    | C3.SZ (GD.SZ: AM since 1 June last year)           |
| C4  | fin     | HQ    | future (from T+1)         | C4.SZ (GD.SZ: AM)                                  |
| C5  | gov     | HQ    | active since T−100        | C5.BJ (BJ.CY: AM) → C5.BJ.1 (BJ.CY: none)           |
| C6  | sme     | GD    | active since T−100        | C6.SZ (GD.SZ: AM)                                  |
| C7  | fin     | GD    | none                      | C7.SZ (GD.SZ: AM)                                  |

Today: HQ customers of the vertical segments 6 (C6 is SME), covered 2 (C1, C5); provinces
taking part 广东 (C1) and 北京 (C5); prefectures 深圳 (C1, twice: the district counts for 深圳)
and 北京朝阳 (C5). C1 has 3 branches, 2 served, 1 gap; C5 2 branches, 1 served, 1 gap.
Last year (31 December): C3 was covered as well (and C1, C5, whose assignments started T−100
only when T−100 ≤ 31 December last year — the tests do not rely on that).
"""

import datetime

from django.utils import timezone

from gecrm.accounts.actions import do_assign
from gecrm.core import testing
from gecrm.org.actions import do_create_org_unit


def unit(org, code, name, kind, parent, *, segment="", industry="", actor=None):
    org[code] = do_create_org_unit(
        {
            "code": code,
            "name": name,
            "kind": kind,
            "parent": org[parent] if parent else None,
            "segment": segment,
            "industry": industry,
        },
        actor=actor,
        source="test",
    )
    return org[code]


def build_coverage(org, admin) -> dict:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    last_june = datetime.date(today.year - 1, 6, 1)
    unit(org, "GD.SZ.NS", "深圳南山区分局", "district", "GD.SZ", actor=admin)
    unit(org, "BJ.CY", "北京朝阳分公司政企客户部", "prefecture", "BJ", actor=admin)

    def staff(username, unit_code, posts):
        return testing.make_staff(username, org[unit_code], posts=posts, actor=admin).user

    people = {
        "chief1": staff("chief1", "HQ", ("chief_am",)),
        "chief2": staff("chief2", "HQ", ("chief_am",)),
        "am_sz": staff("am_sz", "GD.SZ", ("am",)),
        "am_bj": staff("am_bj", "BJ", ("am",)),
        "gd_sc": staff("gd_sc", "GD", ("sales_control",)),
        "bj_sc": staff("bj_sc", "BJ", ("sales_control",)),
        "hq_sc": staff("hq_sc", "HQ", ("sales_control",)),
        "hotline": staff("hotline", "GD", ("hotline_agent",)),
    }
    customers = {}

    def customer(code, owner, parent=None, segment="fin", industry="fin.bank"):
        customers[code] = testing.make_customer(
            code,
            org[owner],
            parent=customers.get(parent),
            segment=segment,
            industry=industry,
            name=f"客户{code}",
            actor=admin,
        )
        return customers[code]

    def assign(code, who, role, start, end=None):
        do_assign(
            customers[code], people[who], role, start=start, end=end, actor=admin, source="test"
        )

    since = today - 100 * day
    customer("C1", "HQ")
    customer("C1.SZ", "GD.SZ", "C1")
    customer("C1.SZ.NS", "GD.SZ.NS", "C1.SZ")
    customer("C1.BJ", "BJ", "C1")
    assign("C1", "chief1", "chief_am", since)
    assign("C1.SZ", "am_sz", "am", since)
    assign("C1.SZ.NS", "am_sz", "am", since)

    customer("C2", "GD")
    customer("C2.GZ", "GD.GZ", "C2")
    assign("C2", "chief1", "chief_am", since)
    assign("C2.GZ", "am_sz", "am", since, today - day)

    customer("C3", "BJ")
    customer("C3.SZ", "GD.SZ", "C3")
    assign("C3", "chief2", "chief_am", last_june, today - day)
    assign("C3.SZ", "am_sz", "am", last_june)

    customer("C4", "HQ")
    customer("C4.SZ", "GD.SZ", "C4")
    assign("C4", "chief2", "chief_am", today + day)
    assign("C4.SZ", "am_sz", "am", since)

    customer("C5", "HQ", segment="gov", industry="gov.party")
    customer("C5.BJ", "BJ.CY", "C5", segment="gov", industry="gov.party")
    customer("C5.BJ.1", "BJ.CY", "C5.BJ", segment="gov", industry="gov.party")
    assign("C5", "chief2", "chief_am", since)
    assign("C5.BJ", "am_bj", "am", since)

    customer("C6", "GD", segment="sme", industry="")
    customer("C6.SZ", "GD.SZ", "C6", segment="sme", industry="")
    assign("C6", "chief2", "chief_am", since)
    assign("C6.SZ", "am_sz", "am", since)

    customer("C7", "GD")
    customer("C7.SZ", "GD.SZ", "C7")
    assign("C7.SZ", "am_sz", "am", since)
    return {**people, **customers, "today": today}


def build_alignment(org, admin) -> dict:
    """A hand-built org on top of the `org` fixture (HQ; 广东 GD with 深圳 GD.SZ, 广州 GD.GZ and
    the centre GD.FIN; 北京 BJ), plus 江苏 JS with 南京 JS.NJ and 苏州 JS.SU.

    Group subjects: 党政军 centre HQ.GOV, 金融 centre HQ.FIN, 银行 team HQ.FIN.BANK (the SME
    centre HQ.SME is horizontal: not a subject).

    | subject | GD        | BJ                 | JS        | GD.SZ | GD.GZ          | JS.NJ | JS.SU |
    |---------|-----------|--------------------|-----------|-------|----------------|-------|-------|
    | 党政军   | ✗         | ✗                  | ✓ unit    | ✓     | ✗              | ✗     | ✗     |
    | 金融     | ✓ GD.FIN  | ◐ post (bank team's industry manager) | ✗ (南京's centre is 南京's) | ✓ | ✗ (a district's centre) | ✓ | ✗ |
    | 银行     | ✓         | ✓ BJ.BANK          | ✗         | ✓     | ✗              | ✗     | ✗     |

    Provinces: 1 + 2 + 2 = 5 of 9 pairs (0.5556), none fully aligned. Prefectures: 1 + 2 + 1 =
    4 of 12 (0.3333); 金融 at exactly 50%; 深圳 fully aligned.
    """
    unit(org, "HQ.GOV", "集团党政军客户服务中心", "centre", "HQ", segment="gov", actor=admin)
    unit(org, "HQ.FIN", "集团金融客户服务中心", "centre", "HQ", segment="fin", actor=admin)
    unit(org, "HQ.FIN.BANK", "集团银行行业组", "team", "HQ.FIN", segment="fin",
         industry="fin.bank", actor=admin)  # fmt: skip
    unit(org, "HQ.SME", "集团中小企业客户服务中心", "centre", "HQ", segment="sme", actor=admin)
    unit(org, "GD.FIN.BANK", "广东银行行业组", "team", "GD.FIN", segment="fin",
         industry="fin.bank", actor=admin)  # fmt: skip
    unit(org, "BJ.BANK", "北京银行行业组", "team", "BJ", segment="fin", industry="fin.bank",
         actor=admin)  # fmt: skip
    unit(org, "JS", "江苏省公司政企客户部", "province", "HQ", actor=admin)
    unit(org, "JS.GOV", "江苏党政军客户服务中心", "centre", "JS", segment="gov", actor=admin)
    unit(org, "JS.NJ", "南京分公司政企客户部", "prefecture", "JS", actor=admin)
    unit(org, "JS.NJ.FIN", "南京金融客户服务中心", "centre", "JS.NJ", segment="fin", actor=admin)
    unit(org, "JS.SU", "苏州分公司政企客户部", "prefecture", "JS", actor=admin)
    unit(org, "GD.SZ.FIN", "深圳金融客户服务中心", "centre", "GD.SZ", segment="fin", actor=admin)
    unit(org, "GD.SZ.FIN.BANK", "深圳银行行业组", "team", "GD.SZ.FIN", segment="fin",
         industry="fin.bank", actor=admin)  # fmt: skip
    unit(org, "GD.SZ.GOV", "深圳党政军客户服务中心", "centre", "GD.SZ", segment="gov", actor=admin)
    unit(org, "GD.GZ.TH", "广州天河区分局", "district", "GD.GZ", actor=admin)
    unit(org, "GD.GZ.TH.FIN", "天河金融客户服务中心", "centre", "GD.GZ.TH", segment="fin",
         actor=admin)  # fmt: skip
    testing.make_staff("bj_im", org["BJ.BANK"], posts=("industry_manager",), actor=admin)
    # Not an industry manager: no post counterpart for 苏州.
    testing.make_staff("su_am", org["JS.SU"], posts=("am",), actor=admin)
    return org
