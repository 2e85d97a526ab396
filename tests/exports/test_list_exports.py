"""Every list's 导出 menu exports the filters and sort shown, after htmx updates too."""

import html
import io
import re

from django.urls import reverse
from openpyxl import load_workbook

from gecrm.audit.models import AuditEvent
from gecrm.core.testing import make_customer

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "object-table"}


def links(page: str) -> dict[str, str]:
    """The export links of a page or htmx fragment: id → href (unescaped)."""
    found = re.findall(r'id="(export-[a-z-]+)"[^>]*href="([^"]*)"', page)
    found += re.findall(r'href="([^"]*)"[^>]*id="(export-[a-z-]+)"', page)
    pairs = {}
    for a, b in found:
        key, href = (a, b) if a.startswith("export-") else (b, a)
        pairs[key] = html.unescape(href)
    return pairs


def csv_codes(response, column=0) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [line.split(",")[column] for line in text.splitlines()[1:]]


def listed_codes(response) -> list[str]:
    return [customer.code for customer in response.context["object_list"]]


def more_customers(org, admin):
    make_customer("G1", org["BJ"], segment="gov", industry="gov.party", name="乙政府", actor=admin)
    make_customer(
        "G2", org["GD.SZ"], segment="gov", industry="gov.party", name="甲政府", actor=admin
    )
    make_customer("G3", org["BJ"], segment="gov", industry="gov.party", name="丙政府", actor=admin)


def test_an_htmx_update_of_the_customer_list_renders_the_export_menu_again(
    admin_client, org, hq_tree, admin
):
    more_customers(org, admin)
    url = reverse("web:customer_list")
    # The htmx request the filter form sends: every field, most of them blank.
    query = {"q": "", "segment": "gov", "industry": "", "org_unit": "", "ordering": "-code",
             "per_page": "25"}  # fmt: skip
    response = admin_client.get(url, query, **HTMX)
    fragment = response.content.decode()
    assert "<html" not in fragment  # only the table came back
    assert 'id="export-dropdown" hx-swap-oob="true"' in fragment
    found = links(fragment)
    assert set(found) == {
        "export-report-xlsx", "export-report-csv", "export-import-csv", "export-import-xlsx",
    }  # fmt: skip
    csv_url = reverse("imports:export", args=["customers", "csv"])
    assert found["export-import-csv"] == f"{csv_url}?segment=gov&ordering=-code"
    assert found["export-report-csv"] == f"{csv_url}?shape=report&segment=gov&ordering=-code"
    shown = listed_codes(response)
    assert shown == ["G3", "G2", "G1"]
    exported = admin_client.get(found["export-import-csv"])
    assert csv_codes(exported) == shown
    report = admin_client.get(found["export-report-csv"])
    assert csv_codes(report) == shown


def test_the_export_follows_the_sort_shown(admin_client, org, hq_tree, admin):
    more_customers(org, admin)
    url = reverse("web:customer_list")
    for ordering in ("name", "-name", "code", "-code"):
        response = admin_client.get(url, {"segment": "gov", "ordering": ordering}, **HTMX)
        found = links(response.content.decode())
        shown = listed_codes(response)
        assert csv_codes(admin_client.get(found["export-import-csv"])) == shown, ordering
        xlsx = admin_client.get(found["export-report-xlsx"])
        sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
        assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == shown


def test_a_full_page_renders_the_menu_once_and_not_out_of_band(admin_client, org, hq_tree):
    page = admin_client.get(reverse("web:customer_list"), {"segment": "fin"}).content.decode()
    assert page.count('id="export-dropdown"') == 1
    assert "hx-swap-oob" not in page.split('id="export-dropdown"')[1][:40]
    assert links(page)["export-import-xlsx"].endswith("customers.xlsx?segment=fin")


def test_staff_and_product_lists_update_their_export_menus(admin_client, org, hq_tree):
    for page, kind, query in (
        ("web:staff_list", "staff", {"q": "adm", "ordering": "-name"}),
        ("web:product_list", "products", {"q": "X", "ordering": "name"}),
    ):
        fragment = admin_client.get(reverse(page), query, **HTMX).content.decode()
        assert 'id="export-dropdown" hx-swap-oob="true"' in fragment
        href = links(fragment)["export-report-xlsx"]
        assert href.startswith(reverse("imports:export", args=[kind, "xlsx"]) + "?shape=report&")
        assert href.endswith("ordering=" + query["ordering"])


def test_the_audit_log_export_follows_an_htmx_filter(admin_client, org):
    fragment = admin_client.get(
        reverse("audit:events"), {"kind": "login", "actor": "", "ordering": "time"}, **HTMX
    ).content.decode()
    assert 'id="export-log" hx-swap-oob="true"' in fragment
    assert links(fragment)["export-log"] == (
        reverse("audit:export", args=["events"]) + "?kind=login&ordering=time"
    )


def test_the_export_event_records_the_shape(admin_client, org, hq_tree):
    base = reverse("imports:export", args=["customers", "csv"])
    b"".join(admin_client.get(base, {"shape": "report", "segment": "fin"}).streaming_content)
    b"".join(admin_client.get(base, {"segment": "fin"}).streaming_content)
    events = AuditEvent.objects.filter(kind="export").order_by("id")
    assert [(e.details["shape"], e.details["filters"]) for e in events] == [
        ("report", {"segment": ["fin"]}),
        ("import", {"segment": ["fin"]}),
    ]


def test_an_unknown_shape_is_explained_and_exports_nothing(admin_client, org, hq_tree):
    url = reverse("imports:export", args=["customers", "xlsx"])
    response = admin_client.get(url, {"shape": "poster"})
    assert response.status_code == 302
    assert "poster" in admin_client.get(response.url).content.decode()
    assert not AuditEvent.objects.filter(kind="export").exists()


def test_the_org_tree_offers_both_shapes_of_the_org_units(admin_client, org):
    page = admin_client.get(reverse("web:org_tree")).content.decode()
    found = links(page)
    xlsx = reverse("imports:export", args=["orgunits", "xlsx"])
    assert found["export-report-xlsx"] == f"{xlsx}?shape=report"
    assert found["export-import-xlsx"] == xlsx
    sheet = load_workbook(
        io.BytesIO(b"".join(admin_client.get(xlsx + "?shape=report").streaming_content))
    ).active
    assert sheet.freeze_panes == "A2" and sheet.max_row == 1 + len(org)
