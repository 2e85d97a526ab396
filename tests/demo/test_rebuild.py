from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from gecrm.accounts.models import Assignment
from gecrm.core.models import ObjectChange
from gecrm.customers.models import Contact, Customer
from gecrm.demo import data
from gecrm.demo.generate import build_demo
from gecrm.finance.models import ImportBatch, Revenue
from gecrm.org.models import OrgUnit, Region, Staff

SMALL = 0.02  # 200 SME/cluster customers plus the pilot HQ customers and their branches


def snapshot():
    customers = list(
        Customer.objects.order_by("code").values_list(
            "code", "name", "uscc", "path", "region_id", "org_unit__code", "lat", "lon", "status"
        )
    )
    contacts = list(
        Contact.objects.order_by("customer__code", "name", "phone").values_list(
            "customer__code", "name", "title", "phone", "email"
        )
    )
    staff = list(
        Staff.objects.order_by("user__username").values_list(
            "user__username", "name", "org_unit__code", "phone", "posts__post"
        )
    )
    units = list(OrgUnit.objects.order_by("code").values_list("code", "name", "path"))
    return customers, contacts, staff, units


def test_the_same_seed_and_scale_give_the_same_data(db):
    build_demo(scale=SMALL, seed=7, kpi=False)
    first = snapshot()
    build_demo(scale=SMALL, seed=7, kpi=False)
    assert snapshot() == first
    build_demo(scale=SMALL, seed=8, kpi=False)
    assert snapshot()[0] != first[0]


def billing_totals():
    return (
        list(
            Revenue.objects.values("month")
            .annotate(total=Sum("amount_cents"), n=Count("id"))
            .order_by("month")
            .values_list("month", "total", "n")
        ),
        list(
            Assignment.objects.filter(role="chief_am")
            .order_by("customer__code")
            .values_list("customer__code", "start", "end")
        ),
    )


def test_the_same_seed_and_end_month_give_the_same_billing(db):
    build_demo(scale=SMALL, seed=7, end_month=202611, kpi=False)
    first = billing_totals()
    assert len(first[0]) == 24
    build_demo(scale=SMALL, seed=7, end_month=202611, kpi=False)
    assert billing_totals() == first
    assert ImportBatch.objects.count() == 1  # the rebuild replaced the batch
    build_demo(scale=SMALL, seed=8, end_month=202611, kpi=False)
    assert billing_totals()[0] != first[0]


def test_scale_1_builds_in_bounded_time(db):
    """About 430,000 revenue facts; a few seconds on an idle machine (the bound is loose: test
    machines run other tests at the same time)."""
    result = build_demo(scale=1, seed=2026, end_month=202611, kpi=False)
    assert 350_000 < result.counts["revenue_facts"] < 520_000
    assert result.seconds < 60


def test_a_rebuild_replaces_business_data_but_keeps_regions_and_superusers(db):
    User = get_user_model()
    User.objects.create_user("stray", password="x")
    other_admin = User.objects.create_superuser("root", "root@example.cn", "x")
    regions = Region.objects.count()
    build_demo(scale=SMALL, seed=1, kpi=False)
    first_count = Customer.objects.count()
    build_demo(scale=SMALL, seed=1, kpi=False)
    assert Customer.objects.count() == first_count
    assert Region.objects.count() == regions
    assert User.objects.filter(pk=other_admin.pk).exists()
    assert not User.objects.filter(username="stray").exists()
    # One summary entry instead of a change-log row per generated object; only the pilot
    # programme (75 rows, written with the production actions) logs its own.
    generated = ObjectChange.objects.exclude(object_type__startswith="accounts.p")
    assert generated.count() == 1
    assert generated.get().source == "demo"
    programme = ObjectChange.objects.filter(object_type__startswith="accounts.p")
    assert set(programme.values_list("source", flat=True)) == {"demo"}
    assert programme.filter(object_type="accounts.pilotcustomer").count() == 75


def test_the_number_of_queries_does_not_grow_with_the_scale(db):
    """The generator's queries (the KPI engine's, which batch snapshot rows, are its own)."""
    build_demo(scale=0.01, seed=3, kpi=False)  # the first build deletes nothing
    with CaptureQueriesContext(connection) as small:
        build_demo(scale=0.01, seed=3, kpi=False)
    with CaptureQueriesContext(connection) as bigger:
        build_demo(scale=0.05, seed=3, kpi=False)
    assert len(bigger) == len(small)


def test_the_command_builds_prints_logins_that_work(db):
    out = StringIO()
    call_command(
        "demo", "--scale", "0.01", "--seed", "5", "--no-serve", stdout=out, stderr=StringIO()
    )
    text = out.getvalue()
    assert data.DEMO_PASSWORD in text
    for username in ("admin", "gd_sc01", "gd_sz_am01", "gd_hl01"):
        assert f"  {username} " in text
    assert "首席客户经理" in text and "热线坐席" in text and "行业经理" in text
    assert authenticate(username="gd_sz_am01", password=data.DEMO_PASSWORD) is not None
    sz_am = Staff.objects.get(user__username="gd_sz_am01")
    assert sz_am.org_unit.code == "GD.SZ" and sz_am.post_codes == ["am"]


@pytest.mark.parametrize("scale", ["0", "-1", "lots"])
def test_the_command_rejects_a_bad_scale(db, scale):
    with pytest.raises(CommandError, match="--scale"):
        call_command("demo", "--scale", scale, "--no-serve")
    assert not Customer.objects.exists()


def test_without_no_serve_the_command_serves_on_localhost_without_reloader(db, monkeypatch):
    from gecrm.demo.management.commands import demo as command

    calls = []
    monkeypatch.setattr(command, "call_command", lambda *a, **kw: calls.append((a, kw)))
    call_command("demo", "--scale", "0.01", stdout=StringIO(), stderr=StringIO())
    assert calls[0][0] == ("migrate",)
    assert calls[-1] == (("runserver", "127.0.0.1:8000"), {"use_reloader": False})
    assert Customer.objects.count() > 100
