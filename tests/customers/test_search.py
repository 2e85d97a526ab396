"""The customer search: every word must match; pinyin, contacts, complete phone/e-mail, USCC."""

import pytest
from django.db import connection

from gecrm.accounts.actions import do_assign
from gecrm.core.testing import make_customer, make_staff
from gecrm.customers.actions import do_add_contact, do_update_customer
from gecrm.customers.filtersets import CustomerFilterSet
from gecrm.customers.models import Customer
from gecrm.customers.pinyin import name_keys
from gecrm.customers.search import matching_contacts, phone_forms
from gecrm.customers.uscc import make_uscc


@pytest.fixture
def banks(org, admin):
    sz = make_customer("DD.SZ", org["GD.SZ"], name="大地银行深圳分行", actor=admin)
    bj = make_customer("DD.BJ", org["BJ"], name="大地银行北京分行", actor=admin, region="110000")
    other = make_customer(
        "TH.SZ", org["GD.SZ"], name="天和保险深圳分公司", actor=admin, industry="fin.insurance"
    )
    do_add_contact(
        sz,
        {"name": "张伟", "phone": "13812345678", "email": "Zhang.Wei@dadi.example.cn"},
        actor=admin,
    )
    do_add_contact(other, {"name": "李娜", "phone": "13987654321"}, actor=admin)
    return {"sz": sz, "bj": bj, "other": other}


def search(user, value, **params):
    qs = Customer.objects.restrict(user, "view")
    return sorted(
        CustomerFilterSet({"q": value, **params}, queryset=qs).qs.values_list("code", flat=True)
    )


def test_name_keys_are_pinyin_and_initials():
    assert name_keys("大地银行（深圳）分行") == ("dadiyinhangshenzhenfenhang", "ddyhszfh")
    # Polyphonic characters by phrase; Latin and digit runs kept whole.
    assert name_keys("重庆ABC 5G科技") == ("chongqingabc5gkeji", "cqabc5gkj")
    assert name_keys("") == ("", "")


def test_every_word_must_match_anywhere_in_the_name(banks, admin):
    assert search(admin, "大地银行 深圳") == ["DD.SZ"]
    assert search(admin, "深圳 大地") == ["DD.SZ"]
    assert search(admin, "大地银行") == ["DD.BJ", "DD.SZ"]
    assert search(admin, "分行") == ["DD.BJ", "DD.SZ"]
    assert search(admin, "大地银行 上海") == []


def test_pinyin_and_initials_match_by_prefix(banks, admin):
    assert search(admin, "dadi") == ["DD.BJ", "DD.SZ"]
    assert search(admin, "DaDi") == ["DD.BJ", "DD.SZ"]
    assert search(admin, "ddyh") == ["DD.BJ", "DD.SZ"]
    assert search(admin, "ddyhsz") == ["DD.SZ"]
    assert search(admin, "dadi beijing") == []  # pinyin is a prefix of the whole name
    assert search(admin, "ddyh 深圳") == ["DD.SZ"]  # mixed with a Chinese word
    assert search(admin, "tianhe") == ["TH.SZ"]
    assert search(admin, "yinhang") == []  # not a prefix


def test_the_keys_follow_renames(banks, admin):
    bj = banks["bj"]
    do_update_customer(bj, {"name": "红星银行北京分行"}, expected_version=bj.version, actor=admin)
    bj.refresh_from_db()
    assert (bj.name_pinyin, bj.name_initials) == name_keys("红星银行北京分行")
    assert search(admin, "hxyh") == ["DD.BJ"]
    assert search(admin, "dadi") == ["DD.SZ"]


def test_the_change_log_records_the_name_not_its_pinyin(banks, admin):
    from gecrm.core.models import ObjectChange

    entry = ObjectChange.objects.filter(
        object_type="customers.customer", object_id=str(banks["sz"].pk), action="create"
    ).get()
    assert "name" in entry.changes
    assert "name_pinyin" not in entry.changes and "name_initials" not in entry.changes


def test_contact_names_match_by_prefix(banks, admin):
    assert search(admin, "张伟") == ["DD.SZ"]
    assert search(admin, "张") == ["DD.SZ"]
    assert search(admin, "李娜 深圳") == ["TH.SZ"]
    assert search(admin, "李娜 大地") == []


def test_a_complete_phone_number_finds_the_contact_and_its_customer(banks, admin):
    assert search(admin, "13812345678") == ["DD.SZ"]
    assert search(admin, "138 1234 5678") == ["DD.SZ"]
    assert search(admin, "138-1234-5678") == ["DD.SZ"]
    assert search(admin, "+86 138 1234 5678") == ["DD.SZ"]
    contacts = matching_contacts(Customer.objects.all(), "138 1234 5678")
    assert [(c.name, c.customer.code) for c in contacts] == [("张伟", "DD.SZ")]


@pytest.mark.parametrize("partial", ["1381234567", "3812345678", "138123", "5678", "138****5678"])
def test_a_partial_phone_number_finds_nothing(banks, admin, partial):
    assert search(admin, partial) == []
    assert matching_contacts(Customer.objects.all(), partial) == []


def test_a_complete_email_finds_the_contact_in_any_case(banks, admin):
    assert search(admin, "zhang.wei@dadi.example.cn") == ["DD.SZ"]
    assert search(admin, "ZHANG.WEI@DADI.EXAMPLE.CN") == ["DD.SZ"]
    assert search(admin, "zhang.wei@dadi.example") == []
    assert search(admin, "dadi.example.cn") == []


def test_code_and_uscc_match_exactly(org, admin):
    uscc = make_uscc("91440300MA5ABCDE1")
    make_customer("SZ-0001", org["GD.SZ"], name="某某公司", uscc=uscc, actor=admin)
    assert search(admin, "SZ-0001") == ["SZ-0001"]
    assert search(admin, "sz-0001") == ["SZ-0001"]
    assert search(admin, uscc.lower()) == ["SZ-0001"]
    assert search(admin, "SZ-000") == []


def test_the_search_stays_in_the_users_scope(banks, org, admin):
    am = make_staff("search_am", org["GD.SZ"], posts=("am",), actor=admin)
    do_assign(banks["other"], am.user, "am", actor=admin)
    user = am.user
    assert search(user, "") == ["TH.SZ"]
    # 张伟's number belongs to a customer outside the AM's scope: not found, not listed.
    assert search(user, "13812345678") == []
    assert search(user, "zhang.wei@dadi.example.cn") == []
    assert search(user, "张伟") == []
    assert search(user, "dadi") == []
    in_scope = Customer.objects.restrict(user, "view")
    assert matching_contacts(in_scope, "13812345678") == []
    assert [c.name for c in matching_contacts(in_scope, "13987654321")] == ["李娜"]


def test_names_sort_by_pinyin(org, admin):
    for code, name in [
        ("S1", "中国银行"),
        ("S2", "阿里巴巴"),
        ("S3", "北京银行"),
        ("S4", "长安汽车"),
    ]:
        make_customer(code, org["BJ"], name=name, actor=admin, region="110000")
    qs = Customer.objects.all()
    names = list(
        CustomerFilterSet({"ordering": "name"}, queryset=qs).qs.values_list("name", flat=True)
    )
    assert names == ["阿里巴巴", "北京银行", "长安汽车", "中国银行"]
    names = list(
        CustomerFilterSet({"ordering": "-name"}, queryset=qs).qs.values_list("name", flat=True)
    )
    assert names == ["中国银行", "长安汽车", "北京银行", "阿里巴巴"]


def test_phone_forms():
    assert phone_forms("138 1234 5678") == ["138 1234 5678", "13812345678"]
    assert "13812345678" in phone_forms("+8613812345678")
    assert phone_forms("123456") == []
    assert phone_forms("大地") == []


def test_pinyin_lookups_use_a_range_on_sqlite_and_like_on_postgresql(banks, admin):
    sql = str(CustomerFilterSet({"q": "dadi"}, queryset=Customer.objects.all()).qs.query)
    if connection.vendor == "postgresql":
        assert 'name_pinyin"::text LIKE' in sql
    else:
        assert 'name_pinyin" >= dadi' in sql


def test_the_import_computes_the_keys_on_insert_and_on_rename(org, admin, tmp_path):
    from gecrm.core.importing import run_import

    def write(name):
        path = tmp_path / "customers.csv"
        path.write_text(
            f"code,name,segment,industry,org_unit,region\nIMP1,{name},fin,fin.bank,GD.SZ,440300\n",
            encoding="utf-8",
        )
        return path

    result = run_import("customers", write("大地银行深圳分行"), actor=admin)
    assert not result.errors and result.created == 1
    row = Customer.objects.values_list("name_pinyin", "name_initials").get(code="IMP1")
    assert row == ("dadiyinhangshenzhenfenhang", "ddyhszfh")
    # The bulk insert gives the bigrams in one statement (SQLite), and the trigger is back.
    assert search(admin, "深圳分行") == ["IMP1"]
    later = make_customer("AFTER1", org["GD.SZ"], name="天和保险", actor=admin)
    assert gram_rows(later) == ["保险", "和保", "天和"]
    result = run_import("customers", write("红星银行"), actor=admin)
    assert not result.errors and result.updated == 1
    row = Customer.objects.values_list("name_pinyin", "name_initials").get(code="IMP1")
    assert row == ("hongxingyinhang", "hxyh")
    assert search(admin, "hxyh") == ["IMP1"]


def test_the_migration_fills_the_keys_of_existing_customers(banks, admin):
    import importlib

    from django.apps import apps
    from django.db import connection

    Customer.objects.update(name_pinyin="", name_initials="")
    migration = importlib.import_module("gecrm.customers.migrations.0002_search_keys")
    # The function only needs the editor's connection.
    migration.fill_name_keys(apps, type("Editor", (), {"connection": connection})())
    rows = Customer.objects.values_list("name", "name_pinyin", "name_initials")
    assert all((py, ini) == name_keys(name) for name, py, ini in rows)
    assert search(admin, "ddyh") == ["DD.BJ", "DD.SZ"]


def test_the_coverage_table_and_the_pilot_list_sort_names_by_pinyin(org, admin):
    from gecrm.accounts.coverage import TeamRow, sort_rows
    from gecrm.accounts.filtersets import PilotCustomerFilterSet

    names = {"T1": "中国银行", "T2": "阿里巴巴", "T3": "北京银行"}
    rows = [
        TeamRow(i, code, name, "fin", "金融", "HQ", "")
        for i, (code, name) in enumerate(names.items())
    ]
    assert [r.name for r in sort_rows(rows, "name")[0]] == ["阿里巴巴", "北京银行", "中国银行"]
    ordering = PilotCustomerFilterSet({"ordering": "name"}).filters["ordering"]
    assert ordering.param_map["name"] == "customer__name_pinyin"


def gram_rows(customer):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gram FROM customers_name_gram WHERE customer_id = %s ORDER BY gram",
            [customer.pk],
        )
        return [row[0] for row in cursor.fetchall()]


def test_the_bigram_index_follows_inserts_and_renames(banks, admin):
    from gecrm.customers.grams import bigrams

    sz = banks["sz"]
    assert gram_rows(sz) == sorted(bigrams("大地银行深圳分行"))
    do_update_customer(sz, {"name": "红星银行南山支行"}, expected_version=sz.version, actor=admin)
    assert gram_rows(sz) == sorted(bigrams("红星银行南山支行"))
    assert search(admin, "南山") == ["DD.SZ"]
    assert search(admin, "深圳分行") == []
    assert search(admin, "大地 深圳") == []


def test_words_of_one_character_and_latin_words_match_anywhere(org, admin):
    make_customer("L1", org["GD.SZ"], name="深圳IBM科技", actor=admin)
    make_customer("L2", org["GD.SZ"], name="广州乐科技", actor=admin)
    assert search(admin, "乐") == ["L2"]
    assert search(admin, "ibm") == ["L1"]
    assert search(admin, "IBM科技") == ["L1"]
    assert search(admin, "科技") == ["L1", "L2"]


def test_a_stale_bigram_never_yields_a_wrong_match(org, admin):
    from django.db import connection

    gone = make_customer("OLD1", org["GD.SZ"], name="大地银行深圳分行", actor=admin)
    Customer.objects.filter(pk=gone.pk).delete()  # leaves its bigrams behind
    fresh = make_customer("NEW1", org["GD.SZ"], name="天和保险", actor=admin)
    with connection.cursor() as cursor:  # the worst case: a reused id under the old bigrams
        cursor.execute(
            "INSERT INTO customers_name_gram (gram, customer_id) VALUES (%s, %s)",
            ["大地", fresh.pk],
        )
    assert search(admin, "大地") == []
    assert search(admin, "天和") == ["NEW1"]
