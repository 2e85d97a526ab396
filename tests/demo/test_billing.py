"""The demo's 24 months of billing, chief AM coverage and KPI snapshots."""

import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Min, Sum

from gecrm.accounts.models import Assignment
from gecrm.catalog.models import Product
from gecrm.core.months import last_day, month_range
from gecrm.customers.models import Customer
from gecrm.demo import billing, data
from gecrm.demo.generate import build_demo, wipe
from gecrm.finance.models import BatchMonth, CustomerMonth, ImportBatch, Revenue
from gecrm.kpi.measures import Figures, beats_industry
from gecrm.kpi.models import Snapshot

SMALL = 0.02  # the 75 pilot HQs and the other vertical groups, with branches, plus 200 SMEs
END = 202611
MONTHS = month_range(202412, 202611)
VERTICAL_INDUSTRIES = {"gov.party", "gov.justice", "gov.public", "fin.bank", "fin.insurance",
                       "fin.securities", "ent.manufacturing", "ent.trade", "ent.energy",
                       "ent.carrier"}  # fmt: skip


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = build_demo(scale=SMALL, seed=7, end_month=END)
    yield result
    with django_db_blocker.unblock(), transaction.atomic():
        wipe()
        get_user_model().objects.all().delete()


@pytest.fixture
def demo(built, db):
    return built


def monthly(queryset, field="amount_cents"):
    return dict(queryset.values("month").annotate(total=Sum(field)).values_list("month", "total"))


def test_the_demo_months_end_with_the_month_before_the_current_one():
    import datetime

    assert billing.default_end_month(datetime.date(2026, 1, 15)) == 202512
    assert billing.demo_months(202611) == MONTHS
    assert len(MONTHS) == 24


def test_billing_is_one_import_batch_of_24_months(demo):
    batch = ImportBatch.objects.get()
    assert batch.file_name == "demo" and len(batch.checksum) == 64
    assert (batch.first_month, batch.last_month) == (202412, 202611)
    assert list(BatchMonth.objects.order_by("month").values_list("month", flat=True)) == MONTHS
    facts = Revenue.objects.aggregate(n=Count("id"), total=Sum("amount_cents"))
    assert batch.facts == batch.rows == facts["n"] == demo.counts["revenue_facts"]
    assert batch.total_cents == facts["total"] > 0
    assert not Revenue.objects.exclude(batch=batch).exists()
    assert sorted(monthly(Revenue.objects)) == MONTHS
    assert demo.months == MONTHS


def test_every_customer_but_prospects_is_billed_in_the_first_month(demo):
    """Prospects are not customers yet: they are never billed."""
    first = set(Revenue.objects.filter(month=MONTHS[0]).values_list("customer_id", flat=True))
    billed = set(Customer.objects.exclude(status="prospect").values_list("id", flat=True))
    assert first == billed
    prospects = Customer.objects.filter(status="prospect").values_list("id", flat=True)
    assert prospects and not Revenue.objects.filter(customer_id__in=prospects).exists()


def test_facts_per_customer_month_are_bounded(demo):
    widest = (
        Revenue.objects.values("customer_id", "month")
        .annotate(n=Count("id"))
        .aggregate(top=Max("n"))["top"]
    )
    assert widest <= 8  # an HQ: 5 basic and 3 ICT lines at most


def test_churned_customers_stop_being_billed(demo):
    closed = Customer.objects.filter(status="closed").values_list("id", flat=True)
    assert closed
    billed = Revenue.objects.filter(customer_id__in=closed)
    assert billed.filter(month=MONTHS[0]).values("customer_id").distinct().count() == len(closed)
    assert not billed.filter(month=MONTHS[-1]).exists()


def test_some_facts_are_refunds_or_credits(demo):
    negative = Revenue.objects.filter(amount_cents__lt=0)
    assert negative.count() == demo.counts["negative_facts"] > 0
    assert negative.count() < Revenue.objects.count() / 100


def test_the_catalogue_has_basic_and_ict_products_and_new_ict_products_start_late(demo):
    categories = set(Product.objects.values_list("category", flat=True))
    assert {"fixed", "broadband", "mobile", "leased_line"} <= categories
    assert {"idc", "cloud", "system_integration", "industry_app", "video_surveillance",
            "iot"} <= categories  # fmt: skip
    for code, launch in data.NEW_PRODUCTS.items():
        product = Product.objects.get(code=code)
        assert product.is_ict
        months = Revenue.objects.filter(product=product).aggregate(first=Min("month"))
        assert months["first"] >= MONTHS[launch], code
        assert Revenue.objects.filter(product=product, month=MONTHS[-1]).exists(), code


def test_the_ict_share_grows_and_the_year_shows_seasons(demo):
    total = monthly(Revenue.objects)
    ict = monthly(Revenue.objects.filter(product__is_ict=True))

    def share(months):
        return sum(ict[m] for m in months) / sum(total[m] for m in months)

    assert share(MONTHS[:6]) + 0.03 < share(MONTHS[-6:])
    assert share(MONTHS[1:12]) < share(MONTHS[13:])
    # Spring Festival dip and year-end peak (2025).
    assert total[202502] < total[202501] and total[202502] < total[202503]
    assert total[202512] > total[202511] and total[202512] > total[202601]


def test_the_rollup_equals_the_facts(demo):
    assert monthly(CustomerMonth.objects, "revenue_cents") == monthly(Revenue.objects)
    assert monthly(CustomerMonth.objects, "ict_cents") == monthly(
        Revenue.objects.filter(product__is_ict=True)
    )
    pairs = Revenue.objects.values("customer_id", "month").distinct().count()
    assert CustomerMonth.objects.count() == pairs


def test_some_chief_am_assignments_ended_and_some_start_in_the_future(demo):
    day = last_day(END)
    chiefs = Assignment.objects.filter(role="chief_am")
    ended = chiefs.filter(end__lt=day)
    future = chiefs.filter(start__gt=day)
    active = chiefs.filter(start__lte=day).exclude(end__lt=day)
    assert ended.exists() and future.exists()
    assert active.count() > 2 * (ended.count() + future.count())
    for assignment in chiefs:
        assignment.full_clean()
    # The chief AM the demo prints covers the printed bank.
    login = next(entry for entry in demo.logins if entry.post == "首席客户经理")
    assert active.filter(user__username=login.username).exists()


def test_kpi_snapshots_show_covered_groups_beating_most_industries_but_not_all(demo):
    assert demo.kpi_months == [END, END - 100]
    assert Snapshot.objects.filter(month=END - 100).exists()
    rows = Snapshot.objects.filter(month=END, dimension="industry", key__in=VERTICAL_INDUSTRIES)
    verdicts = {row.key: beats_industry(*_covered_and_all(row)) for row in rows}
    assert set(verdicts) == VERTICAL_INDUSTRIES
    beating = sum(1 for verdict in verdicts.values() if verdict)
    assert len(verdicts) - 3 <= beating < len(verdicts), verdicts
    total = Figures.from_row(Snapshot.objects.get(month=END, dimension="all"))
    assert 0 < total.all.growth < 0.25
    # A year earlier there is no previous year to compare with.
    earlier = Figures.from_row(Snapshot.objects.get(month=END - 100, dimension="all"))
    assert earlier.all.growth is None and earlier.all.revenue_ytd_cents > 0


def _covered_and_all(row):
    figures = Figures.from_row(row)
    return figures.covered, figures.all


def test_without_the_kpi_engine_the_demo_says_so(db, monkeypatch):
    monkeypatch.setitem(sys.modules, "gecrm.kpi.engine", None)  # import raises ImportError
    out = StringIO()
    call_command("demo", "--scale", "0.01", "--seed", "5", "--no-serve", stdout=out,
                 stderr=StringIO())  # fmt: skip
    text = out.getvalue()
    assert f"{Revenue.objects.count():,}" in text  # the facts count is printed
    assert "gecrm.kpi.engine" in text
    assert not Snapshot.objects.exists()
    assert Revenue.objects.exists()
