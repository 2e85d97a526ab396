"""The home page's recent changes name objects readably (customer, person, role; programme,
phase, unit …), never by their ids (`1:None:None`), for new entries and for entries logged before
the models named themselves, in a constant number of queries."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from gecrm.accounts.actions import (
    do_add_pilot_customer,
    do_assign,
    do_create_program,
    do_set_program_target,
)
from gecrm.accounts.models import Assignment
from gecrm.core.changes import ID_ONLY_REPR, describe_entries
from gecrm.core.importing import run_import
from gecrm.core.models import ObjectChange
from gecrm.core.testing import make_customer, make_staff
from gecrm.kpi.actions import do_set_target

IDS = re.compile(r"\b\d+:(\d+|None):")


@pytest.fixture
def english(client, admin):
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def changes(hq_tree, org, admin):
    am = make_staff("gd_sz_am01", org["GD.SZ"], posts=("am",), name="马诗海", actor=admin)
    assignment = do_assign(
        hq_tree["sz"], am.user, "am", start=datetime.date(2025, 1, 1), actor=admin
    )
    program = do_create_program({"code": "P1", "name": "银行试点"}, units=[org["GD"]], actor=admin)
    target = do_set_program_target(program, {"customers": 3}, actor=admin)
    pilot = do_add_pilot_customer(program, hq_tree["hq"], org["HQ"], actor=admin)
    kpi = do_set_target(
        {"year": 2025, "dimension": "org_unit", "key": "GD", "revenue_growth": "0.1"}, actor=admin
    )
    return {"assignment": assignment, "target": target, "pilot": pilot, "kpi": kpi}


def home_labels(client) -> list[str]:
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    return [entry.label for entry in response.context["recent_changes"]]


def test_the_logged_models_name_themselves(changes):
    with translation.override("en"):
        names = {key: str(obj) for key, obj in changes.items()}
    assert names["assignment"] == "中国示范银行深圳分行 (C001.SZ) · 马诗海 · Account manager"
    assert names["target"] == "银行试点 · All phases · All pilot units"
    assert names["pilot"] == "银行试点 · 中国示范银行 (C001)"
    assert names["kpi"] == "2025 · org unit · GD"
    for obj in changes.values():
        entry = ObjectChange.objects.filter(object_id=str(obj.pk)).latest("id")
        assert not ID_ONLY_REPR.match(entry.object_repr), entry.object_repr


def test_the_home_page_shows_names_not_ids(english, changes):
    html = english.get(reverse("web:home")).content.decode()
    assert not IDS.search(html)
    labels = home_labels(english)
    assert "银行试点 · All phases · All pilot units" in labels
    assert "中国示范银行深圳分行 (C001.SZ) · 马诗海 · Account manager" in labels


def test_entries_logged_with_ids_show_the_current_name_or_the_model(english, changes, admin):
    target = changes["target"]
    legacy = ObjectChange.objects.create(
        actor=admin,
        actor_name=admin.username,
        object_type="accounts.programtarget",
        object_id=str(target.pk),
        object_repr=f"{target.program_id}:None:None",
        action="create",
    )
    gone = ObjectChange.objects.create(
        actor=admin,
        actor_name=admin.username,
        object_type="accounts.assignment",
        object_id="999999",
        object_repr="1:2:am:2025-01-01",
        action="delete",
    )
    by_pk = {
        e.pk: e for e in describe_entries(ObjectChange.objects.filter(pk__in=[legacy.pk, gone.pk]))
    }
    assert by_pk[legacy.pk].label == "银行试点 · All phases · All pilot units"
    assert by_pk[gone.pk].label == "account assignment #999999"
    assert by_pk[gone.pk].type_label == Assignment._meta.verbose_name
    assert not IDS.search(english.get(reverse("web:home")).content.decode())


def test_naming_the_entries_costs_one_query_per_model(changes):
    entries = list(ObjectChange.objects.order_by("-id")[:8])
    types = {e.object_type for e in entries}
    with CaptureQueriesContext(connection) as ctx:
        describe_entries(entries)
    assert len(ctx.captured_queries) <= len(types)


def test_an_assignment_import_logs_readable_names(hq_tree, org, admin, tmp_path):
    make_staff("gd_sz_am02", org["GD.SZ"], posts=("am",), actor=admin)
    path = tmp_path / "a.csv"
    path.write_text("customer_code,username,role,start\nC001.SZ,gd_sz_am02,am,2025-01-01\n")
    assert run_import("assignments", path, actor=admin).ok
    entry = ObjectChange.objects.filter(object_type="accounts.assignment").latest("id")
    assert entry.object_repr == "C001.SZ · gd_sz_am02 · Account manager"


def test_a_user_sees_no_new_name_of_an_object_now_out_of_scope(org, admin):
    """An AM's own change of a customer later moved out of their scope keeps the logged name."""
    from gecrm.customers.actions import do_update_customer  # noqa: PLC0415

    am = make_staff("gd_sz_am03", org["GD.SZ"], posts=("am",), actor=admin).user
    customer = make_customer(
        "S-SZ9", org["GD.SZ"], segment="sme", industry="", name="旧名", actor=admin
    )
    ObjectChange.objects.create(
        actor=am,
        actor_name=am.username,
        object_type="customers.customer",
        object_id=str(customer.pk),
        object_repr="旧名 (S-SZ9)",
        action="update",
    )
    do_update_customer(
        customer,
        {"name": "新名", "org_unit": org["BJ"]},
        expected_version=customer.version,
        actor=admin,
    )
    (entry,) = describe_entries(ObjectChange.objects.filter(actor=am), am)
    assert entry.label == "旧名 (S-SZ9)"
    (entry,) = describe_entries(ObjectChange.objects.filter(actor=am), admin)
    assert entry.label == "新名 (S-SZ9)"
