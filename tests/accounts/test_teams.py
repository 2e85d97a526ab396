"""Vertical teams: derivation, gaps, chief AM rules and handover, feed and notifications, scope."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gecrm.accounts.actions import do_assign, do_handover_chief_am, do_post_team_note
from gecrm.accounts.models import Assignment, TeamNote
from gecrm.accounts.teams import (
    GAP_NO_AM,
    GAP_NO_CHIEF,
    GAP_NO_INDUSTRY_MANAGER,
    derive_team,
    derive_teams,
)
from gecrm.core.exceptions import StaleObjectError
from gecrm.core.models import Notification, ObjectChange
from gecrm.core.testing import make_customer

from .conftest import SINCE

pytestmark = pytest.mark.django_db


def usernames(members):
    return sorted(m.username for m in members)


# ---------------------------------------------------------------- derivation and gaps


def test_the_team_is_derived_from_the_tree_on_three_levels(vteam):
    team = derive_team(vteam["hq"])
    assert [n.code for n in team.nodes] == [
        "C001", "C001.BJ", "C001.GD", "C001.GD.SZ", "C001.GD.SZ.NS",
    ]  # fmt: skip
    levels = {n.code: n.level for n in team.nodes}
    assert levels == {
        "C001": "group",
        "C001.BJ": "province",
        "C001.GD": "province",
        "C001.GD.SZ": "prefecture",
        "C001.GD.SZ.NS": "district",
    }
    assert team.chief.username == "cam"
    by_code = {n.code: n for n in team.nodes}
    assert usernames(by_code["C001.GD"].account_managers) == ["gd_am"]
    assert usernames(by_code["C001.GD.SZ"].account_managers) == ["sz_am"]
    assert usernames(by_code["C001.GD.SZ"].people["presales"]) == ["presales"]
    assert [c.code for c in by_code["C001.GD"].children] == ["C001.GD.SZ"]
    assert [c.code for c in by_code["C001.GD.SZ"].children] == ["C001.GD.SZ.NS"]
    # The group first, then the provinces involved; industry managers of the bank industry.
    assert [(lv.unit.code, usernames(lv.industry_managers)) for lv in team.levels] == [
        ("HQ", ["grp_im"]),
        ("BJ", []),
        ("GD", ["gd_im"]),
    ]
    assert usernames(team.members()) == ["cam", "gd_am", "gd_im", "grp_im", "presales", "sz_am"]
    assert team.prefectures == {"GD.SZ"}


def test_gaps_are_branches_without_an_am_and_levels_without_an_industry_manager(vteam):
    gaps = derive_team(vteam["hq"]).gaps()
    found = sorted((g.kind, g.node.code if g.node else g.level.unit.code) for g in gaps)
    assert found == [
        (GAP_NO_AM, "C001.BJ"),
        (GAP_NO_AM, "C001.GD.SZ.NS"),
        (GAP_NO_INDUSTRY_MANAGER, "BJ"),
    ]


def test_closing_a_gap_removes_it(vteam, admin):
    do_assign(vteam["bj"], vteam["gz_am"], "am", start=SINCE, actor=admin)
    kinds = [(g.kind, g.node.code) for g in derive_team(vteam["hq"]).gaps() if g.node]
    assert kinds == [(GAP_NO_AM, "C001.GD.SZ.NS")]


def test_ended_and_future_assignments_do_not_count(vteam, admin):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    do_assign(vteam["ns"], vteam["sz_am"], "am", start=tomorrow, actor=admin)
    do_assign(
        vteam["bj"], vteam["gz_am"], "am", start=SINCE, end=datetime.date(2024, 6, 30),
        actor=admin,
    )  # fmt: skip
    nodes = {g.node.code for g in derive_team(vteam["hq"]).gaps() if g.node}
    assert nodes == {"C001.BJ", "C001.GD.SZ.NS"}


def test_an_hq_without_chief_am_is_a_gap(vteam, admin):
    other = make_customer("C009", vteam["units"]["HQ.FIN.bank"], actor=admin)
    team = derive_team(other)
    assert team.chief is None
    assert [g.kind for g in team.gaps()] == [GAP_NO_CHIEF]


def test_several_teams_in_a_constant_number_of_queries(vteam, admin, django_assert_num_queries):
    hqs = [vteam["hq"]] + [
        make_customer(f"C10{i}", vteam["units"]["GD.FIN.bank"], actor=admin) for i in range(5)
    ]
    with django_assert_num_queries(4):
        teams = derive_teams(hqs)
    assert len(teams) == 6 and len(teams[vteam["hq"].pk].nodes) == 5


# ---------------------------------------------------------------- chief AM rules


def test_chief_am_without_the_post_is_refused(vteam, admin):
    Assignment.objects.filter(role="chief_am").update(end=datetime.date(2024, 1, 31))
    with pytest.raises(ValidationError) as error:
        do_assign(vteam["hq"], vteam["plain"], "chief_am", start=datetime.date(2024, 3, 1),
                  actor=admin)  # fmt: skip
    assert "user" in error.value.error_dict
    assert not Assignment.objects.filter(user=vteam["plain"]).exists()


def test_chief_am_on_a_branch_is_refused(vteam, admin):
    with pytest.raises(ValidationError) as error:
        do_assign(vteam["gd"], vteam["cam2"], "chief_am", actor=admin)
    assert "customer" in error.value.error_dict
    assert not Assignment.objects.filter(user=vteam["cam2"]).exists()


def test_an_overlapping_second_chief_am_is_refused(vteam, admin):
    with pytest.raises(ValidationError) as error:
        do_assign(vteam["hq"], vteam["cam2"], "chief_am", start=datetime.date(2025, 1, 1),
                  actor=admin)  # fmt: skip
    assert "start" in error.value.error_dict
    # A period before the current chief AM's start does not overlap.
    do_assign(vteam["hq"], vteam["cam2"], "chief_am", start=datetime.date(2023, 1, 1),
              end=datetime.date(2023, 12, 31), actor=admin)  # fmt: skip
    # …but one reaching into it does.
    with pytest.raises(ValidationError):
        do_assign(vteam["hq"], vteam["cam2"], "chief_am", start=datetime.date(2022, 1, 1),
                  end=datetime.date(2024, 1, 1), actor=admin)  # fmt: skip


# ---------------------------------------------------------------- handover


def active_chiefs(customer, day):
    return [
        a.user.username
        for a in Assignment.objects.filter(customer=customer, role="chief_am")
        if a.is_active(day)
    ]


def test_handover_keeps_exactly_one_active_chief_am_and_the_history(vteam, admin):
    on = datetime.date(2025, 7, 1)
    old = Assignment.objects.get(customer=vteam["hq"], role="chief_am")
    new = do_handover_chief_am(vteam["hq"], vteam["cam2"], on=on, actor=admin)
    old.refresh_from_db()
    assert old.end == datetime.date(2025, 6, 30) and new.start == on and new.end is None
    for day in (datetime.date(2025, 6, 30), on, datetime.date(2030, 1, 1)):
        assert len(active_chiefs(vteam["hq"], day)) == 1
    assert active_chiefs(vteam["hq"], datetime.date(2025, 6, 30)) == ["cam"]
    assert active_chiefs(vteam["hq"], on) == ["cam2"]
    assert Assignment.objects.filter(customer=vteam["hq"], role="chief_am").count() == 2
    logged = ObjectChange.objects.filter(object_type="accounts.assignment", source="web")
    assert {e.action for e in logged.filter(object_id__in=[str(old.pk), str(new.pk)])} == {
        "update",
        "create",
    }


def test_handover_notifies_the_new_and_the_old_chief_and_the_team(
    vteam, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        do_handover_chief_am(vteam["hq"], vteam["cam2"], actor=admin)
    notes = dict(Notification.objects.values_list("recipient__username", "message"))
    assert sorted(notes) == ["cam", "cam2", "gd_am", "gd_im", "grp_im", "presales", "sz_am"]
    assert notes["cam"] == notes["sz_am"] != notes["cam2"]


def test_handover_to_someone_without_the_post_changes_nothing(vteam, admin):
    before = list(Assignment.objects.values_list("pk", "end", "version"))
    with pytest.raises(ValidationError):
        do_handover_chief_am(vteam["hq"], vteam["plain"], actor=admin)
    with pytest.raises(ValidationError):
        do_handover_chief_am(vteam["hq"], vteam["cam"], actor=admin)  # already chief
    with pytest.raises(ValidationError):
        do_handover_chief_am(vteam["gd"], vteam["cam2"], actor=admin)  # a branch
    with pytest.raises(ValidationError):
        do_handover_chief_am(vteam["hq"], vteam["cam2"], on=SINCE, actor=admin)  # same day
    assert list(Assignment.objects.values_list("pk", "end", "version")) == before


def test_a_stale_handover_changes_nothing(vteam, admin):
    old = Assignment.objects.get(customer=vteam["hq"], role="chief_am")
    with pytest.raises(StaleObjectError):
        do_handover_chief_am(
            vteam["hq"], vteam["cam2"], expected=(old.pk, old.version - 1 or 99), actor=admin
        )
    with pytest.raises(StaleObjectError):
        do_handover_chief_am(vteam["hq"], vteam["cam2"], expected=(None, None), actor=admin)
    assert active_chiefs(vteam["hq"], datetime.date.today()) == ["cam"]


def test_handover_page_answers_409_for_a_stale_form(vteam, client):
    old = Assignment.objects.get(customer=vteam["hq"], role="chief_am")
    client.force_login(vteam["grp_sc"])
    url = reverse("accounts:team_handover", args=[vteam["hq"].pk])
    data = {
        "new_manager": "cam2",
        "on": "2026-01-01",
        "current": old.pk,
        "version": old.version,
    }
    # Someone else changed the chief AM's assignment after the form was loaded.
    Assignment.objects.filter(pk=old.pk).update(version=old.version + 1)
    response = client.post(url, data)
    assert response.status_code == 409
    assert active_chiefs(vteam["hq"], datetime.date(2026, 1, 1)) == ["cam"]
    # With the current version it goes through.
    response = client.post(url, {**data, "version": old.version + 1})
    assert response.status_code == 302
    assert active_chiefs(vteam["hq"], datetime.date(2026, 1, 1)) == ["cam2"]


def test_handover_form_errors_are_shown(vteam, client):
    old = Assignment.objects.get(customer=vteam["hq"], role="chief_am")
    client.force_login(vteam["grp_sc"])
    response = client.post(
        reverse("accounts:team_handover", args=[vteam["hq"].pk]),
        {"new_manager": "cam2", "on": "2024-01-01", "current": old.pk, "version": old.version},
    )
    assert response.status_code == 200
    assert response.context["handover_form"].errors
    assert active_chiefs(vteam["hq"], datetime.date.today()) == ["cam"]


@pytest.mark.parametrize("who", ["gd_sc", "sz_am", "cam"])
def test_only_managers_who_may_edit_the_hq_hand_it_over(vteam, client, who):
    client.force_login(vteam[who])
    page = client.get(reverse("accounts:team", args=[vteam["hq"].pk]))
    assert page.status_code == 200 and page.context["handover_form"] is None
    response = client.post(
        reverse("accounts:team_handover", args=[vteam["hq"].pk]),
        {"new_manager": "cam2", "on": "2026-01-01"},
    )
    assert response.status_code == 403
    assert active_chiefs(vteam["hq"], datetime.date(2026, 1, 1)) == ["cam"]


# ---------------------------------------------------------------- feed and notifications


def test_a_note_notifies_every_member_but_the_author(
    vteam, settings, django_capture_on_commit_callbacks
):
    settings.GECRM_NOTIFY_EMAIL = True
    with django_capture_on_commit_callbacks(execute=True):
        note = do_post_team_note(
            vteam["hq"], kind="plan", title="三季度营销计划", body="云专线", actor=vteam["cam"]
        )
    recipients = sorted(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == ["gd_am", "gd_im", "grp_im", "presales", "sz_am"]
    notification = Notification.objects.get(recipient=vteam["sz_am"])
    assert "三季度营销计划" in notification.message and notification.actor == vteam["cam"]
    assert notification.url.endswith(f"#note-{note.pk}")
    assert sorted(m.to[0] for m in mail.outbox) == [
        f"{u}@example.cn" for u in ["gd_am", "gd_im", "grp_im", "presales", "sz_am"]
    ]


def test_no_email_unless_configured(vteam, settings, django_capture_on_commit_callbacks):
    settings.GECRM_NOTIFY_EMAIL = False
    with django_capture_on_commit_callbacks(execute=True):
        do_post_team_note(vteam["hq"], kind="note", title="t", body="b", actor=vteam["cam"])
    assert Notification.objects.count() == 5 and mail.outbox == []


def test_nothing_is_notified_before_commit(vteam, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        do_post_team_note(vteam["hq"], kind="note", title="t", body="b", actor=vteam["cam"])
    assert not Notification.objects.exists()


@pytest.mark.parametrize("who", ["sz_am", "grp_sc"])
def test_only_the_chief_am_posts(vteam, client, who):
    with pytest.raises(PermissionDenied):
        do_post_team_note(vteam["hq"], kind="note", title="t", body="b", actor=vteam[who])
    client.force_login(vteam[who])
    response = client.post(
        reverse("accounts:team_note", args=[vteam["hq"].pk]),
        {"kind": "note", "title": "t", "body": "b"},
    )
    assert response.status_code == 403
    assert not TeamNote.objects.exists() and not Notification.objects.exists()


def test_the_chief_posts_through_the_page_and_members_read_the_feed(
    vteam, client, django_capture_on_commit_callbacks
):
    client.force_login(vteam["cam"])
    url = reverse("accounts:team_note", args=[vteam["hq"].pk])
    bad = client.post(url, {"kind": "memo", "title": "", "body": "x"})
    assert bad.status_code == 200 and set(bad.context["note_form"].errors) == {"kind", "title"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "plan", "title": "拜访计划", "body": "下周走访"})
    assert response.status_code == 302
    client.force_login(vteam["sz_am"])
    page = client.get(reverse("accounts:team", args=[vteam["hq"].pk]))
    assert "拜访计划" in page.content.decode() and not page.context["can_post"]
    bell = client.get(reverse("web:notification_bell"))
    assert 'id="notification-count">1<' in bell.content.decode()
    notification = Notification.objects.get(recipient=vteam["sz_am"])
    opened = client.post(reverse("web:notification_read", args=[notification.pk]))
    assert opened.status_code == 302 and opened["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_notifications_are_private(vteam, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        do_post_team_note(vteam["hq"], kind="note", title="t", body="b", actor=vteam["cam"])
    theirs = Notification.objects.get(recipient=vteam["sz_am"])
    client.force_login(vteam["gd_am"])
    assert client.post(reverse("web:notification_read", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("web:notifications"))
    assert [n.recipient_id for n in page.context["notifications"]] == [vteam["gd_am"].pk]
    client.post(reverse("web:notifications_read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert not Notification.objects.filter(recipient=vteam["gd_am"], read_at=None).exists()


# ---------------------------------------------------------------- scope of the team page


def page(client, user, customer):
    client.force_login(user)
    return client.get(reverse("accounts:team", args=[customer.pk]))


@pytest.mark.parametrize("who", ["sz_am", "cam", "gd_im", "presales", "grp_sc"])
def test_members_and_group_managers_see_the_whole_team(vteam, client, who):
    response = page(client, vteam[who], vteam["hq"])
    assert response.status_code == 200 and response.context["full_view"]
    content = response.content.decode()
    for code in ("C001.BJ", "C001.GD.SZ.NS", "C001.GD"):
        assert code in content
    assert len(response.context["gaps"]) == 3


def test_province_staff_see_only_their_province_part(vteam, client):
    response = page(client, vteam["gd_sc"], vteam["hq"])
    assert response.status_code == 200 and not response.context["full_view"]
    content = response.content.decode()
    assert "C001.GD.SZ.NS" in content and "C001.BJ" not in content
    assert [lv.unit.code for lv in response.context["levels"]] == ["GD"]
    assert "grp_im" not in content and "集团行业经理" not in content
    assert [g.node.code for g in response.context["gaps"]] == ["C001.GD.SZ.NS"]
    assert response.context["notes"] == []
    # The HQ itself is outside 广东's scope, but the team's leader is known to its part.
    assert response.context["team"].chief.username == "cam" and "陈首席" in content
    # 北京's staff: only the 北京 branch and its gaps.
    response = page(client, vteam["bj_sc"], vteam["hq"])
    content = response.content.decode()
    assert "C001.BJ" in content and "C001.GD" not in content
    assert sorted(g.kind for g in response.context["gaps"]) == [GAP_NO_AM, GAP_NO_INDUSTRY_MANAGER]


def test_outsiders_get_404(vteam, client):
    assert page(client, vteam["gz_am"], vteam["hq"]).status_code == 404
    client.force_login(vteam["gz_am"])
    assert client.get(reverse("accounts:team", args=[999999])).status_code == 404
    assert (
        client.post(
            reverse("accounts:team_note", args=[vteam["hq"].pk]), {"kind": "note"}
        ).status_code
        == 404
    )


def test_a_branch_leads_to_its_hq_team(vteam, client):
    response = page(client, vteam["sz_am"], vteam["ns"])
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("accounts:team", args=[vteam["hq"].pk]) + f"#node-{vteam['ns'].pk}"
    )


def test_team_page_query_budget(vteam, client, admin, django_assert_max_num_queries):
    for i in range(6):
        do_post_team_note(vteam["hq"], kind="note", title=f"n{i}", body="b", actor=vteam["cam"])
    client.force_login(vteam["grp_sc"])
    url = reverse("accounts:team", args=[vteam["hq"].pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200 and len(response.context["notes"]) == 6


# ---------------------------------------------------------------- my customers


def test_my_customers_lists_the_chiefs_hqs_with_team_health(vteam, client, admin):
    make_customer("C002", vteam["units"]["HQ.FIN.bank"], actor=admin, name="乙银行")
    client.force_login(vteam["cam"])
    response = client.get(reverse("accounts:my_customers"))
    assert response.status_code == 200 and response.context["mode"] == "chief"
    (row,) = response.context["rows"]
    assert (row["code"], row["branches"], row["provinces"], row["gaps"]) == ("C001", 4, 2, 3)


def test_my_customers_for_a_manager_and_for_nobody(
    vteam, client, admin, django_assert_max_num_queries
):
    make_customer("C002", vteam["units"]["GD.FIN.bank"], actor=admin, name="乙银行")
    client.force_login(vteam["gd_sc"])
    with django_assert_max_num_queries(18):
        response = client.get(reverse("accounts:my_customers") + "?sort=-gaps")
    assert response.context["mode"] == "manager"
    assert [r["code"] for r in response.context["rows"]] == ["C002"]
    only_gaps = client.get(reverse("accounts:my_customers") + "?gaps=1")
    assert [r["code"] for r in only_gaps.context["rows"]] == ["C002"]  # no chief AM: a gap
    client.force_login(vteam["sz_am"])
    response = client.get(reverse("accounts:my_customers"))
    assert response.context["mode"] == "none" and b"mine-empty" in response.content


# ---------------------------------------------------------------- the assignments import


def import_rows(tmp_path, actor, rows):
    from gecrm.core.importing import run_import

    from ..imports.helpers import write_file

    header = ["customer_code", "username", "role", "start", "end"]
    path = write_file(tmp_path, "csv", header, rows)
    return run_import("assignments", path, actor=actor)


def test_the_import_keeps_the_chief_am_rules(vteam, admin, tmp_path):
    before = list(Assignment.objects.order_by("pk").values_list("pk", "end"))
    result = import_rows(
        tmp_path,
        admin,
        [
            ["C001.GD", "cam2", "chief_am", "2025-01-01", ""],  # a branch
            ["C001", "plain", "chief_am", "2023-01-01", "2023-06-30"],  # no post
            ["C001", "cam2", "chief_am", "2025-01-01", ""],  # overlaps cam's
            ["C001", "sz_am", "am", "2025-01-01", ""],  # fine on its own
        ],
    )
    assert {(i.row, i.column) for i in result.errors} == {
        (2, "customer_code"),
        (3, "username"),
        (4, "start"),
    }
    assert "cam" in next(i.message for i in result.errors if i.row == 4)
    assert list(Assignment.objects.order_by("pk").values_list("pk", "end")) == before


def test_the_import_hands_over_by_ending_then_starting(vteam, admin, tmp_path):
    result = import_rows(
        tmp_path,
        admin,
        [
            ["C001", "cam", "chief_am", SINCE.isoformat(), "2025-06-30"],
            ["C001", "cam2", "chief_am", "2025-07-01", ""],
        ],
    )
    assert result.ok, result.errors
    assert active_chiefs(vteam["hq"], datetime.date(2025, 6, 30)) == ["cam"]
    assert active_chiefs(vteam["hq"], datetime.date(2025, 7, 1)) == ["cam2"]
    # Two chief AMs for overlapping periods in one file: refused.
    result = import_rows(
        tmp_path,
        admin,
        [
            ["C001", "cam", "chief_am", "2020-01-01", "2020-12-31"],
            ["C001", "cam2", "chief_am", "2020-06-01", "2020-06-30"],
        ],
    )
    assert [(i.row, i.column) for i in result.errors] == [(3, "start")]


def test_a_province_manager_counts_only_their_part_and_hands_over_their_hqs(vteam, client, admin):
    provincial = make_customer("C003", vteam["units"]["GD.FIN.bank"], actor=admin, name="粤银行")
    make_customer("C003.BJ", vteam["units"]["BJ"], parent=provincial, actor=admin)
    make_customer("C003.SZ", vteam["units"]["GD.SZ"], parent=provincial, actor=admin)
    client.force_login(vteam["gd_sc"])
    response = client.get(reverse("accounts:my_customers"))
    (row,) = response.context["rows"]
    # The 北京 branch is outside 广东's scope: neither counted nor its gaps.
    assert (row["code"], row["branches"], row["provinces"]) == ("C003", 1, 1)
    assert row["gap_kinds"] == ["no_am", "no_chief_am"]
    page = client.get(reverse("accounts:team", args=[provincial.pk]))
    assert page.context["handover_form"] is not None
    response = client.post(
        reverse("accounts:team_handover", args=[provincial.pk]),
        {"new_manager": "cam2", "on": "2026-01-01", "current": "", "version": ""},
    )
    assert response.status_code == 302
    assert active_chiefs(provincial, datetime.date(2026, 1, 1)) == ["cam2"]


# ---------------------------------------------------------------- command line and chart


def test_team_command_shows_and_hands_over(vteam):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("team", "show", "C001", stdout=out)
    text = out.getvalue()
    assert "C001.GD.SZ.NS" in text and "3" in text.splitlines()[-1]
    out = io.StringIO()
    call_command("team", "show", "C001", "--user", "gd_sc", stdout=out)
    assert "C001.BJ" not in out.getvalue() and "C001.GD.SZ.NS" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("team", "show", "C001", "--user", "gz_am", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("team", "handover", "C001", "cam2", "--user", "gd_sc", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("team", "handover", "C001", "plain", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("team", "handover", "C001", "cam2", "--on", "soon", stdout=io.StringIO())
    call_command("team", "handover", "C001", "cam2", "--on", "2026-03-01", stdout=io.StringIO())
    assert active_chiefs(vteam["hq"], datetime.date(2026, 3, 1)) == ["cam2"]
    assert ObjectChange.objects.filter(object_type="accounts.assignment", source="cli").count() == 2


def test_the_team_chart_counts_served_nodes_and_gaps_per_level(vteam, client):
    response = page(client, vteam["sz_am"], vteam["hq"])
    chart = response.context["coverage_chart"]
    by_level = dict(
        zip(chart["categories"], zip(*(s["data"] for s in chart["series"])), strict=True)
    )
    # The group: the HQ (served by its chief AM); 北京: one branch, a gap; 广东: two and a gap.
    assert list(by_level.values()) == [(1, 0), (0, 1), (2, 1)]


def test_a_hotline_agent_sees_the_team_but_not_its_feed(vteam, client, admin):
    from gecrm.core.testing import make_staff

    do_post_team_note(vteam["hq"], kind="plan", title="机密计划", body="b", actor=vteam["cam"])
    agent = make_staff("hl", vteam["units"]["GD"], posts=["hotline_agent"], actor=admin).user
    response = page(client, agent, vteam["hq"])
    assert response.status_code == 200 and response.context["full_view"]
    assert response.context["notes"] == [] and "机密计划" not in response.content.decode()
    assert response.context["kpi"] is None and response.context["handover_form"] is None
    # A province's sales controller answers for the HQs their province owns: they read its feed.
    assert page(client, vteam["grp_sc"], vteam["hq"]).context["reads_feed"]


def test_the_customer_page_links_to_the_vertical_team(vteam, client):
    client.force_login(vteam["sz_am"])
    response = client.get(reverse("web:customer_detail", args=["C001.GD.SZ"]))
    link = reverse("accounts:team", args=[vteam["sz"].pk])
    assert f'href="{link}"' in response.content.decode()
    assert client.get(link).status_code == 302


def test_province_staff_see_the_money_of_their_part_of_the_group(vteam, client, admin):
    """The HQ's money is not 广东's; its 广东 branches' is (the KPIs' territory view)."""
    from decimal import Decimal

    from gecrm.kpi import engine
    from tests.kpi import factories

    voice = factories.product("VOICE", ict=False, actor=admin)
    cloud = factories.product("CLOUD", ict=True, actor=admin)
    factories.facts(
        [
            (202401, vteam["hq"], voice, "1000"),
            (202401, vteam["gd"], voice, "60"),
            (202402, vteam["ns"], cloud, "40"),
            (202301, vteam["sz"], voice, "80"),
            (202401, vteam["bj"], voice, "500"),
        ]
    )
    engine.compute(202403)
    part = page(client, vteam["gd_sc"], vteam["hq"]).context["kpi"]
    assert part["part"] is True
    # 60 + 40 this year against 80 last year; ICT in one of the two customers with revenue.
    sums = part["sums"]
    assert (sums.revenue_ytd, sums.revenue_pytd, sums.growth) == (
        Decimal("100.00"), Decimal("80.00"), Decimal("0.2500")
    )  # fmt: skip
    assert sums.ict_share == Decimal("0.4000")
    whole = page(client, vteam["admin"], vteam["hq"]).context["kpi"]
    assert "part" not in whole and whole["sums"].revenue_ytd == Decimal("1600.00")
