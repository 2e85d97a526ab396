"""The coverage dashboard, the alignment pages and the rollout target edit, through the client."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from gecrm.accounts.models import RolloutTarget
from gecrm.core import testing
from gecrm.core.models import ObjectChange

from .coverage_world import build_alignment, build_coverage

pytestmark = pytest.mark.django_db

COVERAGE = reverse("accounts:coverage")
ALIGNMENT = reverse("accounts:alignment")


@pytest.fixture
def world(org, admin):
    return build_coverage(org, admin)


@pytest.fixture
def aligned(org, admin):
    """The alignment org alone (the coverage world would add the 北京朝阳 prefecture)."""
    build_alignment(org, admin)
    return {"am_sz": testing.make_staff("am_sz", org["GD.SZ"], actor=admin).user}


def login(client, user):
    client.force_login(user)
    return client


def target_url(year):
    return reverse("accounts:rollout_target", args=[year])


def rows_of(response) -> list[str]:
    return [row.code for row in response.context["page"].object_list]


# ---------------------------------------------------------------- coverage


def test_pages_require_login(client, world):
    year = world["today"].year
    for url in (COVERAGE, ALIGNMENT, reverse("accounts:alignment_detail", args=["HQ.FIN"])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    response = client.post(target_url(year), {"covered_customers": 1, "version": 0})
    assert response.status_code == 302
    assert not RolloutTarget.objects.exists()


def test_dashboard_shows_figures_targets_and_teams(
    client, admin, world, django_assert_max_num_queries
):
    login(client, admin)
    with django_assert_max_num_queries(20):
        response = client.get(COVERAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert rows_of(response) == ["C1", "C5"]
    headline = {card["id"]: card for card in response.context["headline"]}
    assert (headline["covered"]["value"], headline["covered"]["target"]) == (2, 200)
    assert headline["covered"]["light"] == "red"
    assert (headline["provinces"]["value"], headline["prefectures"]["value"]) == (2, 2)
    assert 'id="default-targets"' in html  # nothing stored: the seed's targets
    assert 'data-gecrm-chart="bars"' in html and 'id="province-chart-data"' in html
    # Each team links to its team page (the customer page until that exists).
    try:
        team = reverse("accounts:team", args=[world["C1"].pk])
    except NoReverseMatch:
        team = reverse("web:customer_detail", args=["C1"])
    assert f'href="{team}"' in html
    # One branch without an AM each: shown as a badge.
    assert len(re.findall(r'class="badge bg-red-lt gecrm-gap"', html)) == 2
    # No industry manager anywhere: the group and each province involved are gaps, as on the
    # team page (C1: the group, 广东 and 北京; C5: the group and 北京).
    manager_gaps = {row.code: row.manager_gaps for row in response.context["page"].object_list}
    assert manager_gaps == {"C1": 3, "C5": 2}
    assert "<script>" not in html  # CSP: data travels as json_script only


def test_dashboard_filters_and_sorts(client, admin, world):
    login(client, admin)
    assert rows_of(client.get(COVERAGE, {"segment": "gov"})) == ["C5"]
    assert rows_of(client.get(COVERAGE, {"q": "C1"})) == ["C1"]
    assert rows_of(client.get(COVERAGE, {"ordering": "branches"})) == ["C5", "C1"]
    # Bad input is ignored, not an error.
    response = client.get(
        COVERAGE, {"segment": "nope", "year": "x", "ordering": "evil", "page": "9"}
    )
    assert response.status_code == 200
    assert rows_of(response) == ["C1", "C5"]
    assert response.context["year"] == world["today"].year
    response = client.get(COVERAGE, {"q": "nobody"})
    assert 'id="teams-empty"' in response.content.decode()


def test_dashboard_with_stored_targets_and_kpi_figures(client, admin, world):
    from gecrm.kpi import engine

    from ..kpi import factories

    year = world["today"].year
    RolloutTarget.objects.create(year=year, covered_customers=2, provinces=3, prefectures=2)
    voice = factories.product("VOICE", ict=False, actor=admin)
    factories.facts([(year * 100 + 1, world["C1.SZ"], voice, "150"),
                     ((year - 1) * 100 + 1, world["C1"], voice, "100")])  # fmt: skip
    engine.compute(year * 100 + 1, reason="test")
    response = login(client, admin).get(COVERAGE)
    headline = {card["id"]: card for card in response.context["headline"]}
    assert [headline[k]["light"] for k in ("covered", "provinces", "prefectures")] == [
        "green",
        "red",  # 2 of 3 is below 90 %
        "green",
    ]
    c1 = next(row for row in response.context["page"].object_list if row.code == "C1")
    assert (c1.revenue_ytd, c1.growth) == (Decimal("150"), Decimal("0.5000"))
    assert "¥150.00" in response.content.decode()


def test_a_province_sees_its_part_without_lights(client, world, django_assert_max_num_queries):
    login(client, world["gd_sc"])
    with django_assert_max_num_queries(26):
        response = client.get(COVERAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert rows_of(response) == []  # C1 belongs to the group
    assert "客户C1" not in html
    assert 'id="coverage-scope-note"' in html
    assert {card["light"] for card in response.context["headline"]} == {"none"}
    assert response.context["figures"].prefectures[0].code == "GD.SZ"
    assert 'id="edit-targets"' not in html


@pytest.mark.parametrize("who", ["am_sz", "chief1", "hotline"])
def test_non_managers_get_the_alignment_instead(client, world, who):
    response = login(client, world[who]).get(COVERAGE, {"year": "2025"})
    assert response.status_code == 302
    assert response.url == f"{ALIGNMENT}?year=2025"
    page = client.get(response.url)
    assert page.status_code == 200
    assert 'id="tab-coverage"' not in page.content.decode()


# ---------------------------------------------------------------- alignment


def test_alignment_matrix(client, aligned, django_assert_max_num_queries):
    login(client, aligned["am_sz"])  # org data: everyone signed in
    with django_assert_max_num_queries(14):
        response = client.get(ALIGNMENT)
    assert response.status_code == 200
    html = response.content.decode()
    rows = response.context["rows"]
    assert [r["subject"].code for r in rows] == ["HQ.GOV", "HQ.FIN", "HQ.FIN.BANK"]
    assert rows[1]["cells"] == ["post", "unit", "missing"]  # BJ GD JS
    assert rows[1]["prefecture_light"] == "green"  # exactly 50 %
    assert rows[0]["province_light"] == "red"
    assert response.context["province_light"] == "red"
    assert html.count('class="text-center gecrm-align gecrm-align-missing"') == 4
    assert reverse("accounts:alignment_detail", args=["HQ.FIN"]) in html


def test_alignment_drill_down_lists_the_missing(client, aligned):
    login(client, aligned["am_sz"])
    response = client.get(reverse("accounts:alignment_detail", args=["HQ.FIN"]))
    assert response.status_code == 200
    assert [p.code for p in response.context["missing_provinces"]] == ["JS"]
    missing = {
        g["province"].code: [p.code for p in g["prefectures"]]
        for g in response.context["missing_prefectures"]
    }
    assert missing == {"GD": ["GD.GZ"], "JS": ["JS.SU"]}
    assert [p.code for p in response.context["posts_only"]] == ["BJ"]
    html = response.content.decode()
    assert 'data-missing="GD.GZ"' in html and 'data-missing="JS.SU"' in html


@pytest.mark.parametrize("code", ["NOPE", "GD.FIN", "HQ.SME", "HQ"])
def test_alignment_drill_down_of_a_non_subject_is_404(client, aligned, code):
    login(client, aligned["am_sz"])
    assert client.get(reverse("accounts:alignment_detail", args=[code])).status_code == 404


def test_alignment_without_group_centres_has_an_empty_state(client, org, admin):
    response = login(client, admin).get(ALIGNMENT)
    assert response.status_code == 200
    assert 'id="alignment-empty"' in response.content.decode()


# ---------------------------------------------------------------- rollout targets


def form(**changes):
    data = {
        "covered_customers": "250",
        "provinces": "7",
        "prefectures": "10",
        "aligned_provinces": "100",
        "aligned_prefectures": "60",
        "version": "0",
    }
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_target_form_shows_the_seeds_defaults(client, admin, db):
    response = login(client, admin).get(target_url(2030))
    assert response.status_code == 200
    f = response.context["form"]
    assert f["covered_customers"].value() == 200
    assert f["aligned_prefectures"].value() == "50"
    assert 'value="50"' in response.content.decode()  # typed as a percentage
    assert 'id="defaults-note"' in response.content.decode()


def test_first_save_creates_then_edits_with_the_version(client, admin, db):
    login(client, admin)
    response = client.post(target_url(2030), form())
    assert response.status_code == 302
    assert response.url == f"{COVERAGE}?year=2030"
    target = RolloutTarget.objects.get(year=2030)
    assert (target.covered_customers, target.aligned_prefectures) == (250, Decimal("0.6"))
    assert target.version == 1
    response = client.post(target_url(2030), form(prefectures=12, version=1))
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.prefectures, target.version) == (12, 2)
    actions = ObjectChange.objects.filter(object_type="accounts.rollouttarget").values_list(
        "action", "actor_name", "source"
    )
    assert sorted(actions) == [("create", "admin", "web"), ("update", "admin", "web")]


def test_stale_save_is_409_and_writes_nothing(client, admin, db):
    login(client, admin)
    client.post(target_url(2030), form())
    client.post(target_url(2030), form(covered_customers=300, version=1))
    logged = ObjectChange.objects.count()
    # Someone loaded version 1 (now 2) and saves.
    response = client.post(target_url(2030), form(covered_customers=999, version=1))
    assert response.status_code == 409
    # Someone loaded the defaults (version 0) while another stored the year's first row.
    response = client.post(target_url(2030), form(covered_customers=999, version=0))
    assert response.status_code == 409
    target = RolloutTarget.objects.get(year=2030)
    assert (target.covered_customers, target.version) == (300, 2)
    assert ObjectChange.objects.count() == logged


def test_stale_version_of_an_unstored_year_is_409(client, admin, db):
    response = login(client, admin).post(target_url(2030), form(version=3))
    assert response.status_code == 409
    assert not RolloutTarget.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"aligned_prefectures": "150"}, "aligned_prefectures"),
        ({"aligned_provinces": ""}, "aligned_provinces"),
        ({"covered_customers": "-1"}, "covered_customers"),
        ({"provinces": "many"}, "provinces"),
    ],
)
def test_bad_input_shows_errors_and_writes_nothing(client, admin, db, changes, field):
    response = login(client, admin).post(target_url(2030), form(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "is-invalid" in response.content.decode()
    assert not RolloutTarget.objects.exists()


def test_only_administrators_and_group_managers_set_targets(client, world):
    year = world["today"].year
    for who in ("gd_sc", "am_sz"):
        login(client, world[who])
        assert client.get(target_url(year)).status_code == 403
        assert client.post(target_url(year), form()).status_code == 403
    assert not RolloutTarget.objects.exists()
    login(client, world["hq_sc"])
    assert client.post(target_url(year), form()).status_code == 302
    assert RolloutTarget.objects.get(year=year).covered_customers == 250


def test_target_year_out_of_range_is_404(client, admin, db):
    assert login(client, admin).get(target_url(1999)).status_code == 404


def test_target_save_needs_the_csrf_token(admin, db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(target_url(2030), form()).status_code == 403
    assert not RolloutTarget.objects.exists()


def test_dashboard_queries_do_not_grow_with_teams(client, admin, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gecrm.accounts.actions import do_assign

    login(client, admin)
    with CaptureQueriesContext(connection) as before:
        client.get(COVERAGE)
    for n in range(3):
        hq = testing.make_customer(f"N{n}", world["C1"].org_unit, actor=admin)
        branch = testing.make_customer(f"N{n}.SZ", world["C1.SZ"].org_unit, parent=hq, actor=admin)
        do_assign(hq, world["chief1"], "chief_am", actor=admin, source="test")
        do_assign(branch, world["am_sz"], "am", actor=admin, source="test")
    with CaptureQueriesContext(connection) as after:
        response = client.get(COVERAGE)
    assert len(rows_of(response)) == 5
    assert len(after) == len(before)


def test_a_province_counts_its_part_of_a_team(client, admin, world):
    """C7 (owned in 广东) gets a chief AM and a 北京 branch: 广东's sales controller sees C7 with
    its 广东 part only — one branch, one province, gaps of the group and 广东 levels — while the
    administrator sees the whole team."""
    from gecrm.accounts.actions import do_assign

    do_assign(world["C7"], world["chief1"], "chief_am", actor=admin, source="test")
    branch = testing.make_customer(
        "C7.BJ", world["C1.BJ"].org_unit, parent=world["C7"], actor=admin
    )
    do_assign(branch, world["am_bj"], "am", actor=admin, source="test")

    def c7(user):
        response = login(client, user).get(COVERAGE)
        return next(row for row in response.context["page"].object_list if row.code == "C7")

    whole, part = c7(admin), c7(world["gd_sc"])
    assert (whole.branches, whole.provinces, whole.manager_gaps) == (2, 2, 3)
    assert (part.branches, part.provinces, part.manager_gaps) == (1, 1, 2)
