"""Billing in the browser: upload → preview → confirm (background job with progress), and the
batches pages (list, detail, rollback)."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gecrm.core.importing import run_import
from gecrm.finance.models import ImportBatch, Revenue

from .helpers import facts

SEP = 202409
CSV = "month,customer_code,product_code,amount\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GECRM_JOBS_EAGER = True
    return settings.MEDIA_ROOT


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted as English msgids
    client.force_login(user)
    return client


def upload(client, text, partial=False, name="billing-2024-09.csv"):
    data = {"kind": "billing", "file": SimpleUploadedFile(name, text.encode())}
    if partial:
        data["partial"] = "on"
    return client.post(reverse("imports:index"), data)


def token_of(response):
    assert response.status_code == 302, response.content.decode()[:3000]
    return response.url.rstrip("/").rsplit("/", 1)[-1]


def batch(path, **kwargs):
    assert run_import("billing", path, **kwargs).ok
    return ImportBatch.objects.order_by("pk").last()


def test_upload_preview_confirm_progress(world, billing_file):
    batch(billing_file([("2024-09", "C2", "VOICE", "9")]))
    client = client_for(world["admin"])
    assert "billing" in client.get(reverse("imports:index")).content.decode()
    token = token_of(upload(client, CSV + "2024-09,C1,VOICE,1.50\n2024-09,C1,VOICE,1\n"))
    page = client.get(reverse("imports:preview", args=[token])).content.decode()
    assert "import-confirm" in page and "Whole months are replaced" in page
    assert ImportBatch.objects.count() == 1  # the preview wrote nothing
    response = client.post(reverse("imports:confirm", args=[token]))
    assert response.status_code == 302
    assert response.url == reverse("imports:progress", args=[token])
    page = client.get(response.url).content.decode()
    new = ImportBatch.objects.order_by("pk").last()
    assert "import-done" in page
    assert reverse("finance:batch_detail", args=[new.pk]) in page
    assert new.file_name == "billing-2024-09.csv" and new.created_by == world["admin"]
    assert facts() == {(SEP, "C1", "VOICE"): 250}
    # Confirming again starts nothing new.
    client.post(reverse("imports:confirm", args=[token]))
    assert ImportBatch.objects.count() == 2


def test_partial_upload(world, billing_file):
    batch(billing_file([("2024-09", "C2", "VOICE", "9")]))
    client = client_for(world["admin"])
    token = token_of(upload(client, CSV + "2024-09,C1,VOICE,1\n", partial=True))
    assert "Partial file" in client.get(reverse("imports:preview", args=[token])).content.decode()
    client.post(reverse("imports:confirm", args=[token]))
    assert facts() == {(SEP, "C1", "VOICE"): 100, (SEP, "C2", "VOICE"): 900}
    assert ImportBatch.objects.order_by("pk").last().partial


def test_a_bad_file_is_shown_and_cannot_be_confirmed(world):
    client = client_for(world["gd_sc"])
    token = token_of(upload(client, CSV + "2024-09,B1,VOICE,1\n2024-09,C1,VOICE,1.234\n"))
    page = client.get(reverse("imports:preview", args=[token])).content.decode()
    assert "outside your data scope" in page and "At most 2 decimal places" in page
    assert "import-confirm" not in page
    client.post(reverse("imports:confirm", args=[token]))
    page = client.get(reverse("imports:progress", args=[token])).content.decode()
    assert "import-rejected" in page
    assert not Revenue.objects.exists()


def test_the_progress_endpoint_polls_while_running(world, media):
    client = client_for(world["admin"])
    token = token_of(upload(client, CSV + "2024-09,C1,VOICE,1\n"))
    directory = media / "imports" / token
    (directory / "job.json").write_text(
        json.dumps({"state": "running", "phase": "validate", "fraction": 0.3, "rows": 120000})
    )
    url = reverse("imports:progress_status", args=[token])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and url in page
    assert "30%" in page and "120000" in page and "Reading and checking rows" in page
    (directory / "job.json").write_text(
        json.dumps({"state": "done", "ok": True, "fraction": 1, "rows": 1, "summary": "ok!"})
    )
    page = client.get(url).content.decode()
    assert "every 1s" not in page and "ok!" in page
    # Someone else's upload is not found; anonymous users go to the login page.
    assert client_for(world["grp_sc"]).get(url).status_code == 404
    response = Client().get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_job_runner_uses_a_thread(settings):
    """The real runner starts a thread (the import itself is covered eagerly above: a thread
    has its own connection and would need a transactional test, whose flush empties the
    migrations' reference data for the tests after it on the same worker)."""
    import threading

    from gecrm.web.imports import _start_job

    settings.GECRM_JOBS_EAGER = False
    seen = []
    done = threading.Event()

    def job(value):
        seen.append((value, threading.current_thread().name))
        done.set()

    _start_job(job, 42)
    assert done.wait(30)
    assert seen == [(42, "gecrm-import-job")]


# --------------------------------------------------------------------------------- batches


def test_batch_pages_need_login(db):
    for url in (
        reverse("finance:batch_list"),
        reverse("finance:batch_detail", args=[1]),
    ):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = Client().post(reverse("finance:batch_rollback", args=[1]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_batch_list_is_scoped_filtered_sorted(world, billing_file):
    mine = batch(billing_file([("2024-09", "C1", "VOICE", "1234.5")]), actor=world["gd_sc"])
    theirs = batch(billing_file([("2024-10", "B1", "VOICE", "1")]))
    page = client_for(world["admin"]).get(reverse("finance:batch_list")).content.decode()
    assert f"#{mine.pk}" in page and f"#{theirs.pk}" in page
    assert "¥1,234.50" in page and "2024-09" in page
    page = client_for(world["gd_sc"]).get(reverse("finance:batch_list")).content.decode()
    assert f'id="batch-{mine.pk}"' in page and f'id="batch-{theirs.pk}"' not in page
    admin = client_for(world["admin"])
    page = admin.get(reverse("finance:batch_list"), {"month": "2024-10"}).content.decode()
    assert f'id="batch-{theirs.pk}"' in page and f'id="batch-{mine.pk}"' not in page
    page = admin.get(reverse("finance:batch_list"), {"status": "rolled_back"}).content.decode()
    assert f'id="batch-{theirs.pk}"' not in page and "Nothing matches" in page
    page = admin.get(reverse("finance:batch_list"), {"ordering": "id"}).content.decode()
    assert page.index(f'id="batch-{mine.pk}"') < page.index(f'id="batch-{theirs.pk}"')
    page = admin.get(reverse("finance:batch_list"), {"ordering": "-id"}).content.decode()
    assert page.index(f'id="batch-{mine.pk}"') > page.index(f'id="batch-{theirs.pk}"')


def test_empty_batch_list_explains(world):
    page = client_for(world["admin"]).get(reverse("finance:batch_list")).content.decode()
    assert "batch-empty" in page and "No billing imports yet" in page


def test_batch_detail_per_month_totals_and_scope(world, billing_file):
    b = batch(billing_file([("2024-09", "C1", "VOICE", "1"), ("2024-09", "C2", "VOICE", "2"),
                            ("2024-10", "C1", "VOICE", "-0.5")]), actor=world["gd_sc"])  # fmt: skip
    page = client_for(world["gd_sc"]).get(reverse("finance:batch_detail", args=[b.pk]))
    text = page.content.decode()
    assert "¥3.00" in text and "¥-0.50" in text and "batch-rollback" in text
    # Another province's controller cannot see it (404, not 403).
    bj_sc = world["bj_am"]
    assert client_for(bj_sc).get(reverse("finance:batch_detail", args=[b.pk])).status_code == 404


def test_rollback_button(world, billing_file):
    first = batch(billing_file([("2024-09", "C1", "VOICE", "1")]))
    second = batch(billing_file([("2024-09", "C1", "VOICE", "2")]))
    admin = client_for(world["admin"])
    page = admin.get(reverse("finance:batch_detail", args=[first.pk])).content.decode()
    assert "batch-rollback" not in page and "batch-blocked" in page
    response = admin.post(reverse("finance:batch_rollback", args=[first.pk]), follow=True)
    assert f"#{second.pk}" in response.content.decode()  # the refusal names the later batch
    assert facts() == {(SEP, "C1", "VOICE"): 200}
    response = admin.post(reverse("finance:batch_rollback", args=[second.pk]), follow=True)
    assert "was rolled back" in response.content.decode()
    assert facts() == {(SEP, "C1", "VOICE"): 100}
    response = admin.post(reverse("finance:batch_rollback", args=[second.pk]), follow=True)
    assert "already rolled back" in response.content.decode()


def test_rollback_needs_import_rights_and_csrf(world, billing_file):
    b = batch(billing_file([("2024-09", "C1", "VOICE", "1")]))
    # An account manager may not import, hence not roll back: 403, nothing changes.
    response = client_for(world["bj_am"]).post(reverse("finance:batch_rollback", args=[b.pk]))
    assert response.status_code == 403
    csrf = client_for(world["admin"], enforce_csrf_checks=True)
    assert csrf.post(reverse("finance:batch_rollback", args=[b.pk])).status_code == 403
    assert csrf.get(reverse("finance:batch_rollback", args=[b.pk])).status_code == 405
    b.refresh_from_db()
    assert b.status == ImportBatch.Status.ACTIVE


def test_batch_pages_have_a_query_budget(world, billing_file, django_assert_max_num_queries):
    for month in range(1, 13):
        batch(billing_file([(f"2024-{month:02d}", "C1", "VOICE", "1")]), actor=world["gd_sc"])
    client = client_for(world["gd_sc"])
    with django_assert_max_num_queries(15):
        assert client.get(reverse("finance:batch_list")).status_code == 200
    b = ImportBatch.objects.order_by("pk").last()
    with django_assert_max_num_queries(20):
        assert client.get(reverse("finance:batch_detail", args=[b.pk])).status_code == 200


def test_the_navigation_links_the_batches_page(world):
    page = client_for(world["admin"]).get(reverse("imports:index")).content.decode()
    assert "nav-billing-batches" in page


def test_the_preview_shows_each_months_facts_and_warns_before_a_month_loses_most(
    world, billing_file
):
    rows = [("2024-09", c, p, "1") for c in ("C1", "C2", "C1.SZ") for p in ("VOICE", "LINE")]
    batch(billing_file(rows))
    client = client_for(world["admin"])
    token = token_of(upload(client, CSV + "2024-09,C1,VOICE,1\n2024-09,B1,VOICE,2\n"))
    response = client.get(reverse("imports:preview", args=[token]))
    page = response.content.decode()
    assert 'id="import-loss-warning"' in page
    assert page.index('id="import-loss-warning"') < page.index('id="import-confirm"')
    assert response.context["months"] == [
        {"month": "2024-09", "before": 6, "after": 2, "lost": 5, "gained": 1, "warn": True}
    ]
    assert 'id="import-months"' in page and "table-danger" in page
    # Half of a month is no warning.
    token = token_of(
        upload(client, CSV + "".join(f"2024-09,{c},VOICE,1\n" for c in ("C1", "C2", "C1.SZ")))
    )
    page = client.get(reverse("imports:preview", args=[token])).content.decode()
    assert 'id="import-months"' in page and 'id="import-loss-warning"' not in page


def test_an_overflowing_file_previews_as_errors_and_the_report_names_the_rows(world):
    client = client_for(world["admin"])
    rows = "2024-09,C1,VOICE,99999999999999.99\n" * 1000
    token = token_of(upload(client, CSV + rows))
    response = client.get(reverse("imports:preview", args=[token]))
    assert 'id="import-confirm"' not in response.content.decode()
    assert {i.row for i in response.context["result"].errors} == set(range(2, 1002))
    report = client.get(reverse("imports:report", args=[token, "csv"])).content.decode("utf-8-sig")
    lines = report.splitlines()
    assert lines[0].endswith("month,customer_code,product_code,amount")
    assert lines[1].startswith("2,amount,") and lines[1].endswith(
        "2024-09,C1,VOICE,99999999999999.99"
    )
    assert not Revenue.objects.exists()
