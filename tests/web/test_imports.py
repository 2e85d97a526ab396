"""The data import pages: upload → preview → confirm, error reports, exports."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gecrm.core.testing import DEFAULT_PASSWORD, make_customer, make_staff
from gecrm.customers.models import Customer
from tests.imports.helpers import snapshot, uscc

HEADER = "code,name,uscc,segment,industry,parent_code,region,org_unit,address,lat,lon\n"
GOOD = HEADER + (
    "K1.GZ,示范制造广州分公司,,ent,ent.manufacturing,K1,440100,GD.GZ,,23.13,113.26\n"
    f"K1,示范制造集团,{uscc(1)},大企业,制造业,,440300,GD.SZ,深圳市南山区科技园,,\n"
)
BAD = HEADER + (
    "K1,示范制造集团,,ent,,,440300,GD.SZ,,,\nK2,坏客户,91440300ABC,bank,,NOPE,999999,XX,,91,114\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def upload(client, text, name="customers.csv", kind="customers"):
    file = SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)
    return client.post(reverse("imports:index"), {"kind": kind, "file": file})


def token_of(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url.rstrip("/").rsplit("/", 1)[-1]


def test_anonymous_users_are_sent_to_login(client, db):
    token = uuid.uuid4()
    for url in (
        reverse("imports:index"),
        reverse("imports:preview", args=[token]),
        reverse("imports:report", args=[token, "csv"]),
        reverse("imports:export", args=["customers", "csv"]),
        reverse("imports:template", args=["customers", "xlsx"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    response = client.post(reverse("imports:confirm", args=[token]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_page_lists_kinds_templates_and_exports(admin_client, org):
    response = admin_client.get(reverse("imports:index"))
    assert response.status_code == 200
    page = response.content.decode()
    for kind in ("orgunits", "staff", "products", "customers"):
        assert reverse("imports:template", args=[kind, "xlsx"]) in page
        assert reverse("imports:export", args=[kind, "csv"]) in page
    assert 'enctype="multipart/form-data"' in page
    assert "csrfmiddlewaretoken" in page


def test_a_bad_file_shows_every_problem_and_changes_nothing(admin_client, org, hq_tree):
    before = snapshot()
    response = upload(admin_client, BAD)
    token = token_of(response)
    page = admin_client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="import-errors"' in html
    assert 'id="import-confirm"' not in html
    assert "2 problems found" not in html  # six, all listed
    problems = page.context["result"].errors
    assert {(i.row, i.column) for i in problems} == {
        (3, "uscc"), (3, "segment"), (3, "parent_code"), (3, "region"), (3, "org_unit"),
        (3, "lat"),
    }  # fmt: skip
    assert "XX" in html and "999999" in html
    assert snapshot() == before

    report = admin_client.get(reverse("imports:report", args=[token, "csv"]))
    assert report.status_code == 200
    assert "attachment" in report["Content-Disposition"]
    text = report.content.decode("utf-8-sig")
    # row, column, value, message, then the file's own columns with the row's cells.
    assert text.splitlines()[0].count(",") == 3 + HEADER.count(",") + 1
    assert text.splitlines()[0].endswith(HEADER.strip())
    assert "K2,坏客户,91440300ABC,bank,,NOPE,999999,XX,,91,114" in text
    assert "3,org_unit,XX," in text
    report = admin_client.get(reverse("imports:report", args=[token, "xlsx"]))
    assert report.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(report.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert len(rows) == 1 + len(problems)
    assert [3, "org_unit", "XX"] in [[int(r[0]), r[1], r[2]] for r in rows[1:]]

    # Confirming a bad file imports nothing either (the server re-validates).
    response = admin_client.post(reverse("imports:confirm", args=[token]))
    assert response.status_code == 302
    assert snapshot() == before


def test_a_file_problem_is_reported_without_a_row(admin_client, org):
    response = upload(admin_client, "code,name\nK1,x\n")
    page = admin_client.get(response.url)
    assert {(i.row, i.column) for i in page.context["result"].errors} == {
        (1, "segment"), (1, "org_unit"),
    }  # fmt: skip


def test_a_good_file_is_previewed_then_imported_on_confirmation(admin_client, org, media):
    before = snapshot()
    response = upload(admin_client, GOOD)
    token = token_of(response)
    page = admin_client.get(response.url)
    html = page.content.decode()
    assert page.context["result"].created == 2
    assert 'id="import-confirm"' in html
    assert "深圳市南山区科技园" in html  # the first rows are shown
    assert snapshot() == before  # the preview wrote nothing
    assert (media / "imports" / token).is_dir()

    response = admin_client.post(reverse("imports:confirm", args=[token]))
    assert response.status_code == 302
    assert response.url == reverse("imports:index")
    assert set(Customer.objects.values_list("code", flat=True)) == {"K1", "K1.GZ"}
    assert Customer.objects.get(code="K1.GZ").parent.code == "K1"
    assert not (media / "imports" / token).exists()
    follow = admin_client.get(response.url)
    assert [str(m) for m in follow.context["messages"]] == [
        "客户：共 2 行，已新建 2 条、更新 0 条，0 条未变。"
    ]
    # The stored file is gone: confirming again finds nothing.
    assert admin_client.post(reverse("imports:confirm", args=[token])).status_code == 404


def test_an_xlsx_upload_is_previewed(admin_client, org, tmp_path):
    from tests.imports.helpers import write_file

    rows = [line.split(",") for line in GOOD.splitlines()[1:]]
    path = write_file(tmp_path, "xlsx", HEADER.strip().split(","), rows)
    response = upload(admin_client, path.read_bytes(), name="客户.xlsx")
    page = admin_client.get(response.url)
    assert page.context["result"].ok
    assert page.context["result"].created == 2
    assert len(page.context["rows"]) == 2


def test_confirmation_revalidates_against_the_database(admin_client, admin, org):
    response = upload(admin_client, GOOD)
    token = token_of(response)
    # Meanwhile someone else registers the same USCC for another customer.
    make_customer("OTHER", org["GD"], uscc=uscc(1), actor=admin)
    before = snapshot()
    response = admin_client.post(reverse("imports:confirm", args=[token]))
    assert response.status_code == 302
    assert response.url == reverse("imports:preview", args=[token])
    assert snapshot() == before
    page = admin_client.get(response.url)
    assert [(i.row, i.column) for i in page.context["result"].errors] == [(3, "uscc")]


def test_cancel_discards_the_upload(admin_client, org, media):
    token = token_of(upload(admin_client, GOOD))
    response = admin_client.post(reverse("imports:cancel", args=[token]))
    assert response.status_code == 302
    assert not (media / "imports" / token).exists()
    assert not Customer.objects.exists()


def test_another_users_upload_is_not_found(admin_client, org, admin):
    from gecrm.core.testing import make_superuser

    token = token_of(upload(admin_client, BAD))
    other = Client()
    other.force_login(make_superuser("admin2"))
    assert other.get(reverse("imports:preview", args=[token])).status_code == 404
    assert other.get(reverse("imports:report", args=[token, "csv"])).status_code == 404
    assert other.post(reverse("imports:confirm", args=[token])).status_code == 404


def test_users_who_may_not_import_cannot_upload(client, org, admin):
    make_staff("gd_am01", org["GD.SZ"], posts=("am",), actor=admin)
    client.login(username="gd_am01", password=DEFAULT_PASSWORD)
    page = client.get(reverse("imports:index"))
    assert page.status_code == 200
    assert 'id="import-upload-form"' not in page.content.decode()
    assert upload(client, GOOD).status_code == 403
    assert not Customer.objects.exists()


def test_sales_controllers_may_import(client, org, admin):
    make_staff("gd_sc01", org["GD"], posts=("sales_control",), actor=admin)
    client.login(username="gd_sc01", password=DEFAULT_PASSWORD)
    assert 'id="import-upload-form"' in client.get(reverse("imports:index")).content.decode()
    token_of(upload(client, GOOD))


def test_oversize_and_unsupported_files_are_refused(admin_client, org, settings, media):
    settings.GECRM_MAX_UPLOAD_BYTES = 100
    response = upload(admin_client, GOOD)
    assert response.status_code == 400
    assert "上限为 0 MB" in response.content.decode()
    settings.GECRM_MAX_UPLOAD_BYTES = 10_000_000
    response = upload(admin_client, GOOD, name="customers.xls")
    assert response.status_code == 400
    assert not (media / "imports").exists() or not any((media / "imports").iterdir())


def test_a_zip_bomb_is_refused_with_a_clear_error(admin_client, org):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (12 * 1024 * 1024))
    response = upload(admin_client, buffer.getvalue(), name="bomb.xlsx")
    page = admin_client.get(response.url)
    errors = page.context["result"].errors
    assert len(errors) == 1 and "压缩炸弹" in errors[0].message


def test_csrf_is_enforced(org, admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert upload(client, GOOD).status_code == 403


def test_export_uses_the_list_filters(admin_client, org, hq_tree, admin):
    make_customer("GOV1", org["BJ"], segment="gov", industry="gov.party", actor=admin)
    url = reverse("imports:export", args=["customers", "csv"])
    response = admin_client.get(url, {"segment": "gov", "ordering": "name", "page": "2"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("code,name,uscc")
    assert [line.split(",")[0] for line in lines[1:]] == ["GOV1"]
    response = admin_client.get(reverse("imports:export", args=["customers", "xlsx"]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 1 + 5


@pytest.mark.parametrize(
    ("page", "kind"),
    [
        ("web:customer_list", "customers"),
        ("web:staff_list", "staff"),
        ("web:product_list", "products"),
    ],
)
def test_list_pages_export_what_they_show(admin_client, org, hq_tree, page, kind):
    html = admin_client.get(reverse(page), {"q": "示范", "ordering": "name"}).content.decode()
    for fmt in ("csv", "xlsx"):
        assert (
            f"{reverse('imports:export', args=[kind, fmt])}?q=%E7%A4%BA%E8%8C%83&amp;ordering=name"
            in html
        )
    if kind == "customers":
        url = reverse("imports:export", args=[kind, "csv"])
        response = admin_client.get(url, {"q": "深圳", "ordering": "name"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["C001.SZ", "C001.SZ.1"]


def test_export_with_an_unknown_filter_explains(admin_client, org):
    response = admin_client.get(
        reverse("imports:export", args=["customers", "csv"]), {"colour": "red"}
    )
    assert response.status_code == 302
    page = admin_client.get(response.url).content.decode()
    assert "colour" in page


def test_templates_download(admin_client, db):
    response = admin_client.get(reverse("imports:template", args=["customers", "csv"]))
    assert response.content.decode("utf-8-sig").strip() == HEADER.strip()
    assert admin_client.get(reverse("imports:template", args=["nope", "csv"])).status_code == 404
    assert admin_client.get(reverse("imports:template", args=["staff", "pdf"])).status_code == 404
