"""The Django admin in Chinese: Django's own models keep Django's translation (auth Group is 组,
not our 集团客户数), and django-axes, which ships no Simplified Chinese, is translated by us.

The tests marked CATALOGUE read the compiled project catalogue: on a helper branch they fail
until the lead regenerates it from the new msgids (/work/wt/zh/words.json); the others do not
depend on it.
"""

import gettext
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.utils import translation

from gecrm.access.axes_app import AXES_STRINGS

DJANGO_DIR = Path(django.__file__).parent


def django_catalogue(app_label: str) -> dict:
    mo = DJANGO_DIR / "contrib" / app_label / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as f:
        return gettext.GNUTranslations(f)._catalog


def admin_models(app_label):
    return [model for model in admin.site._registry if model._meta.app_label == app_label]


@pytest.fixture
def chinese_admin(client, admin):
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_every_axes_string_is_listed_for_extraction():
    """Every name axes shows in the admin is a msgid of ours (extracted by `make messages`)."""
    wanted = set()
    for model in apps.get_app_config("axes").get_models():
        meta = model._meta
        wanted |= {meta.original_attrs["verbose_name"], meta.original_attrs["verbose_name_plural"]}
        for field in meta.get_fields():
            if field.concrete and not field.auto_created and field.name != "id":
                wanted.add(field._verbose_name or field.verbose_name)
                if field.help_text:
                    wanted.add(field.help_text)
    with translation.override("en"):
        wanted = {str(s) for s in wanted}
    already = {"Username"}  # translated by our catalogue already (用户名)
    missing = wanted - already - set(AXES_STRINGS)
    assert not missing


def test_axes_is_named_by_us_in_the_admin():
    config = apps.get_app_config("axes")
    with translation.override("en"):
        assert str(config.verbose_name) == "Sign-in lockout"
    assert admin_models("axes"), "axes' admin pages are registered"


def test_our_kpi_groups_column_does_not_use_djangos_groups_msgid():
    """The KPI count of customer groups has its own context; Django's "groups" stays Django's."""
    field = apps.get_model("kpi", "Computation")._meta.get_field("groups")
    with translation.override("en"):
        assert str(field.verbose_name) == "groups"
    assert type(field.verbose_name).__name__ == "__proxy__"
    assert field.verbose_name._args[0] == "customer groups"  # pgettext_lazy(context, msgid)


# CATALOGUE: needs the regenerated project catalogue.
def test_django_models_keep_djangos_translation():
    for app_label in ("auth",):
        theirs = django_catalogue(app_label)
        for model in admin_models(app_label):
            with translation.override("en"):
                plural = str(model._meta.original_attrs["verbose_name_plural"])
            with translation.override("zh-hans"):
                assert str(model._meta.verbose_name_plural) == theirs[plural], model


# CATALOGUE: needs the regenerated project catalogue.
def test_the_chinese_admin_index_shows_group_as_zu_and_axes_in_chinese(chinese_admin):
    response = chinese_admin.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="/admin/auth/group/">组</a>' in html
    assert "集团客户数" not in html
    for text in ("登录锁定", "访问尝试", "访问失败记录", "访问日志"):
        assert text in html, text
    for english in ("Access attempts", "Access failures", "Access logs", "Axes"):
        assert english not in html, english
