"""The demo logins of the README hold whatever the day the demo is built on."""

import datetime
import random
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from gecrm.accounts.choices import Role
from gecrm.accounts.models import Assignment, active_on_q
from gecrm.customers.models import Customer
from gecrm.demo import billing
from gecrm.demo.generate import (
    Build,
    Codes,
    People,
    Regions,
    _persona_bank,
    build_demo,
    build_org,
    plan_staff,
    plan_verticals,
    scale_factors,
)
from gecrm.org.choices import Post
from gecrm.org.models import Staff

README = Path(__file__).resolve().parents[2] / "README.md"
SMALL = 0.02  # the vertical HQ customers, their chief AMs and branches are those of scale 1


def readme_personas() -> list[dict]:
    """The rows of the README's "Demo logins" table: user, post cell, org unit."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Demo logins", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows.append({"user": cells[0].strip("`"), "post": cells[1], "org_unit": cells[2]})
    return rows


def freeze(monkeypatch, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_the_readme_lists_the_demo_logins():
    users = [row["user"] for row in readme_personas()]
    assert users == ["admin", "gd_sc01", "gd_sz_am01", "grp_c_fin_bank_cam03",
                     "gd_c_fin_bank_im01", "gd_hl01"]  # fmt: skip


@pytest.mark.parametrize(
    "today", [datetime.date(2021, 3, 15), datetime.date(2026, 12, 8), datetime.date(2034, 7, 1)]
)
def test_every_readme_persona_holds_on_the_day_the_demo_is_built(db, monkeypatch, today):
    freeze(monkeypatch, today)
    assert timezone.localdate() == today
    result = build_demo(scale=SMALL, seed=2026, kpi=False)
    personas = readme_personas()
    assert [login.username for login in result.logins] == [row["user"] for row in personas]

    User = get_user_model()
    labels = {str(label): value for value, label in Post.choices}
    for row in personas:
        user = User.objects.get(username=row["user"])
        staff = Staff.objects.select_related("org_unit").get(user=user)
        assert staff.org_unit.name == row["org_unit"], row
        if row["user"] == "admin":
            assert user.is_superuser
            continue
        post = labels[row["post"].split(" (")[0]]
        assert staff.posts.filter(post=post).exists(), row  # the README's post is held
        assert Customer.objects.restrict(user, "view").exists(), row

    active = Assignment.objects.filter(active_on_q(today))
    # The account manager sees the customers assigned to them: assignments active today.
    am = User.objects.get(username="gd_sz_am01")
    assert active.filter(user=am, role=Role.AM).exists()
    assert not Assignment.objects.filter(user=am, start__gt=today).exists()

    # The chief AM: active chief AM of a group-level bank with branches in N provinces.
    chief = User.objects.get(username="grp_c_fin_bank_cam03")
    hq = Customer.objects.get(assignments__in=active.filter(user=chief, role=Role.CHIEF_AM))
    assert hq.parent_id is None and hq.industry == "fin.bank"
    assert hq.org_unit.code == "GRP.C.FIN.bank"
    cell = next(row["post"] for row in readme_personas() if row["user"] == chief.username)
    provinces = int(re.search(r"branches in (\d+) provinces", cell).group(1))
    branch_regions = hq.descendants(include_self=False).values_list("region_id", flat=True)
    assert len({code[:2] for code in branch_regions}) == provinces
    tree = Customer.objects.restrict(chief, "view")
    assert set(hq.descendants().values_list("pk", flat=True)) <= set(
        tree.values_list("pk", flat=True)
    )


def test_the_chief_am_persona_is_the_same_at_scale_100(db):
    """SCALE=100 adds branches (a different bank is the widest) but keeps the README's chief AM
    and their bank covered — planned only, as a scale-100 build takes minutes."""
    branch_mult, staff_mult = scale_factors(100)
    regions = Regions()
    org = build_org(regions, random.Random("2026:org"))
    b = Build(
        regions=regions,
        org=org,
        rng=random.Random("2026:verticals"),
        people=People(random.Random("2026:vertical-people")),
        codes=Codes(random.Random("2026:uscc")),
        now=None,
        branch_mult=branch_mult,
    )
    plan_verticals(b)
    staff = plan_staff(org, People(random.Random("2026:staff")), b.hq_owners, staff_mult)
    chiefs = [p.username for p in staff if p.post == Post.CHIEF_AM]
    bank = _persona_bank(b)
    assert chiefs[list(b.hq_names).index(bank)] == "grp_c_fin_bank_cam03"
    hqs = [(row[1], row[8]) for row in b.customers if row[4] == 0]  # (code, industry)
    coverage = billing.plan_coverage(hqs, keep=bank, seed=2026, end_month=202611)
    assert coverage.state[bank] == "covered"
    assert b.hq_provinces[bank] == 7  # README: "with branches in 7 provinces"
