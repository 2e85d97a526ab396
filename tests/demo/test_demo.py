import random
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from gecrm.accounts.models import Assignment, PilotCustomer
from gecrm.catalog.models import Product
from gecrm.customers.choices import Industry
from gecrm.customers.models import Contact, Customer
from gecrm.customers.uscc import uscc_error
from gecrm.demo import data
from gecrm.demo.generate import (
    PILOT_PROGRAMME,
    Regions,
    build_demo,
    prefecture_entry,
    prefecture_regions,
    wipe,
)
from gecrm.finance.models import CustomerMonth
from gecrm.org.choices import Post
from gecrm.org.models import OrgUnit, Region, Staff

SMALL = 0.02  # 200 SME/cluster customers plus the vertical HQ customers and their branches
VERTICAL = ["gov", "fin", "ent"]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One demo build shared by the read-only tests of this module, removed afterwards."""
    with django_db_blocker.unblock():
        result = build_demo(scale=SMALL, seed=7)
    yield result
    with django_db_blocker.unblock(), transaction.atomic():
        wipe()
        get_user_model().objects.all().delete()


@pytest.fixture
def demo(built, db):
    return built


def pilot_hqs():
    return Customer.objects.filter(
        pk__in=PilotCustomer.objects.filter(program__code=PILOT_PROGRAMME).values("customer")
    )


def test_the_org_has_the_group_every_province_and_the_required_prefectures(demo):
    assert OrgUnit.objects.filter(kind="group").count() == 1
    provinces = OrgUnit.objects.filter(kind="province")
    assert sorted(provinces.values_list("region_id", flat=True)) == sorted(
        Region.objects.filter(level="province").values_list("code", flat=True)
    )
    assert len(data.PROVINCES) == 31
    for province in ("440000", "320000", "330000", "510000"):
        cities = set(Region.objects.filter(parent_id=province).values_list("code", flat=True))
        units = set(
            OrgUnit.objects.filter(kind="prefecture", parent__region_id=province).values_list(
                "region_id", flat=True
            )
        )
        assert units == cities, province
    for municipality in ("110000", "310000"):
        districts = set(
            Region.objects.filter(parent__parent_id=municipality).values_list("code", flat=True)
        )
        units = OrgUnit.objects.filter(kind="prefecture", parent__region_id=municipality)
        assert set(units.values_list("region_id", flat=True)) == districts
    assert OrgUnit.objects.get(code="GD.GZ.TH").name == "广州天河区分局"
    assert OrgUnit.objects.filter(kind="district", parent__code="GD.SZ").count() >= 9


def test_every_province_and_the_group_have_the_five_service_centres_and_industry_teams(demo):
    vertical_industries = {i.value for i in Industry if i.value.split(".")[0] != "cluster"}
    for unit in OrgUnit.objects.filter(kind__in=["group", "province"]):
        centres = OrgUnit.objects.filter(parent=unit, kind="centre")
        assert set(centres.values_list("segment", flat=True)) == {
            "gov", "fin", "ent", "sme", "cluster"
        }  # fmt: skip
        teams = OrgUnit.objects.filter(parent__parent=unit, kind="team")
        assert vertical_industries <= set(teams.values_list("industry", flat=True))
    for team in OrgUnit.objects.filter(kind="team"):
        assert team.industry.startswith(team.segment + ".")
        assert team.parent.kind == "centre" and team.parent.segment == team.segment


def test_codes_have_no_slash_and_paths_follow_parents(demo):
    for model in (OrgUnit, Customer):
        rows = model.objects.values_list("code", "path", "depth", "parent__path", "parent__depth")
        for code, path, depth, parent_path, parent_depth in rows:
            assert "/" not in code
            assert path == model.make_path(parent_path, code)
            assert depth == (parent_depth + 1 if parent_path else 0)


def test_every_post_has_staff(demo):
    held = set(Staff.objects.values_list("posts__post", flat=True))
    assert held >= {post.value for post in Post}
    chiefs = Staff.objects.filter(posts__post=Post.CHIEF_AM).count()
    assert chiefs == pilot_hqs().count() == 75


def test_every_pilot_hq_has_one_chief_am_and_every_chief_am_one_hq(demo):
    hqs = pilot_hqs()
    chiefs = Assignment.objects.filter(role="chief_am")
    assert sorted(chiefs.values_list("customer__code", flat=True)) == sorted(
        hqs.values_list("code", flat=True)
    )
    assert set(chiefs.values_list("user__staff__posts__post", flat=True)) == {Post.CHIEF_AM}
    assert chiefs.values("user").distinct().count() == hqs.count()


def test_the_printed_chief_am_holds_the_printed_hq_and_ams_have_books(demo):
    chief = next(login for login in demo.logins if login.post == "首席客户经理")
    held = Assignment.objects.get(user__username=chief.username, role="chief_am")
    assert held.customer.name in chief.note
    am = next(login for login in demo.logins if login.post == "客户经理")
    book = Assignment.objects.filter(user__username=am.username, role="am")
    assert book.exists()  # a handful at this small scale; 11 at scale 1, 40 at scale 100
    assert all(a.customer.org_unit.path.startswith("/GRP/GD/GD.SZ/") for a in book)
    assert Assignment.objects.filter(role="presales").exists()
    assert Assignment.objects.filter(role="service_manager").exists()
    # Every AM who owns customers has some of them by name.
    ams = Staff.objects.filter(posts__post=Post.AM, org_unit__kind="prefecture")
    assert Assignment.objects.filter(user__staff__in=ams).values("user").distinct().count() > 0


def test_every_vertical_industry_has_groups_that_are_not_pilots(demo):
    """The rest of the industry the pilots are compared with: local groups of a province or
    prefecture unit, without a chief AM, billed like everyone, mostly without branches."""
    pilots = set(pilot_hqs().values_list("pk", flat=True))
    assert len(pilots) == 75
    rest = Customer.objects.filter(parent=None, segment__in=VERTICAL).exclude(pk__in=pilots)
    industries = [i.value for i in Industry if not i.value.startswith("cluster.")]
    counts = {i: rest.filter(industry=i).count() for i in industries}
    assert all(n >= data.LOCAL_GROUPS_MIN for n in counts.values()), counts
    # Owned in a province or prefecture: neither the group nor its centres and teams.
    assert not rest.filter(org_unit__depth=0).exists()
    assert not rest.filter(org_unit__path__startswith="/GRP/GRP.").exists()
    assert not Assignment.objects.filter(customer__in=rest, role="chief_am").exists()
    assert Assignment.objects.filter(customer__in=rest, role="am").count() == rest.count()
    billed = CustomerMonth.objects.filter(customer__in=rest).values_list("customer_id", flat=True)
    assert set(billed) == set(rest.values_list("pk", flat=True))
    assert not Customer.objects.filter(parent__parent__in=rest).exists()  # one level of branches
    assert len(set(rest.values_list("name", flat=True))) == rest.count()
    # Their codes follow the pilots' in every segment: the pilots' codes stay the seed's.
    for segment in VERTICAL:
        top_pilot = max(pilot_hqs().filter(segment=segment).values_list("code", flat=True))
        assert not rest.filter(segment=segment, code__lt=top_pilot).exists()


def test_every_industry_has_hq_customers_with_branches_in_several_provinces(demo):
    hqs = pilot_hqs()
    assert hqs.count() == 75  # the pilot batch of DOMAIN.md §4
    for industry in Industry:
        if industry.value.startswith("cluster."):
            continue
        widest = 0
        for hq in hqs.filter(industry=industry):
            provinces = {
                region[:2]
                for region in hq.descendants(include_self=False).values_list("region_id", flat=True)
            }
            widest = max(widest, len(provinces))
        assert widest >= 2, industry
    branch = Customer.objects.filter(depth=3).select_related("parent__parent").first()
    assert branch.industry == branch.parent.industry == branch.parent.parent.industry


def test_sme_and_cluster_customers_sit_inside_their_city(demo):
    regions = Regions()
    centres = {}
    for province in data.PROVINCES:
        for city in prefecture_regions(regions, province):
            _, (_, lat, lon, _) = prefecture_entry(regions, city)
            centres[city] = (Decimal(str(lat)), Decimal(str(lon)))
    rows = Customer.objects.filter(segment__in=["sme", "cluster"]).values_list(
        "lat", "lon", "org_unit__kind", "org_unit__region_id", "org_unit__parent__region_id",
        "region_id", "industry", "segment",
    )  # fmt: skip
    assert len(rows) == 200
    for lat, lon, kind, unit_region, parent_region, region, industry, segment in rows:
        city = unit_region if kind == "prefecture" else parent_region
        assert kind in ("prefecture", "district")
        assert abs(lat - centres[city][0]) <= Decimal("0.1")
        assert abs(lon - centres[city][1]) <= Decimal("0.1")
        assert region in (city, unit_region) or regions.parent[region] == city
        assert (segment, industry[:8]) in {("sme", ""), ("cluster", "cluster.")}


def test_usccs_are_valid_and_unique(demo):
    usccs = list(Customer.objects.values_list("uscc", flat=True))
    assert all(uscc_error(code) is None for code in usccs)
    assert len(set(usccs)) == len(usccs) == Customer.objects.count()


def test_a_sample_of_every_model_passes_full_clean(demo):
    rng = random.Random(1)
    for model in (OrgUnit, Customer, Contact, Staff, Product, Assignment):
        ids = list(model.objects.values_list("pk", flat=True))
        for obj in model.objects.filter(pk__in=rng.sample(ids, min(40, len(ids)))):
            obj.full_clean()
    for obj in Product.objects.all():
        assert obj.is_ict == (obj.category in {"idc", "cloud", "system_integration",
                                               "industry_app", "video_surveillance", "iot"})  # fmt: skip


def test_contacts_and_staff_phones_look_like_mobiles(demo):
    phones = list(Contact.objects.values_list("phone", flat=True)) + list(
        Staff.objects.exclude(user__username="admin").values_list("phone", flat=True)
    )
    assert all(len(p) == 11 and p[0] == "1" and p[1] in "3456789" for p in phones)
    assert not Customer.objects.filter(parent=None, segment="fin", contacts=None).exists()


def test_every_customer_has_the_pinyin_keys_of_its_name(demo):
    from gecrm.customers.pinyin import name_keys

    rows = list(Customer.objects.values_list("name", "name_pinyin", "name_initials"))
    assert rows
    assert all((py, ini) == name_keys(name) for name, py, ini in rows)
