"""Passwords: Django's four validators, at least 10 characters, wherever a password is set."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from gecrm.core.testing import DEFAULT_PASSWORD
from gecrm.org.actions import do_create_staff
from gecrm.org.models import Staff

WEAK = {
    "short": "Xy7#kq2",  # 7 characters
    "nine characters": "Xy7#kq2mP",
    "common": "password123",
    "numeric": "20262026202620",
    "like the username": "gd_sz_am09x",
}


@pytest.mark.parametrize("password", WEAK.values(), ids=WEAK.keys())
def test_weak_passwords_are_rejected(django_user_model, password):
    user = django_user_model(username="gd_sz_am09", email="gd_sz_am09@example.cn")
    with pytest.raises(ValidationError):
        password_validation.validate_password(password, user)


def test_a_good_password_passes(django_user_model):
    user = django_user_model(username="gd_sz_am09")
    password_validation.validate_password(DEFAULT_PASSWORD, user)
    password_validation.validate_password("长城-宽带-2026-政企", user)


def test_the_minimum_is_ten_characters():
    help_texts = " ".join(password_validation.password_validators_help_texts())
    assert "10" in help_texts


@pytest.mark.parametrize("password", WEAK.values(), ids=WEAK.keys())
def test_creating_staff_with_a_weak_password_fails_and_creates_nothing(
    org, admin, password, django_user_model
):
    with pytest.raises(ValidationError) as error:
        do_create_staff(
            username="gd_sz_am09",
            name="新员工",
            org_unit=org["GD.SZ"],
            password=password,
            actor=admin,
        )
    assert "password" in error.value.message_dict
    assert not django_user_model.objects.filter(username="gd_sz_am09").exists()
    assert not Staff.objects.filter(name="新员工").exists()


def test_the_admin_password_form_rejects_a_weak_password(client, admin, org):
    staff = do_create_staff(
        username="gd_sz_am09", name="新员工", org_unit=org["GD.SZ"], password=None, actor=admin
    )
    client.force_login(admin)
    url = f"/admin/auth/user/{staff.user.pk}/password/"
    response = client.post(url, {"password1": "password123", "password2": "password123"})
    assert response.status_code == 200  # the form again, with the errors
    staff.user.refresh_from_db()
    assert not staff.user.has_usable_password()
    response = client.post(url, {"password1": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD})
    assert response.status_code == 302
    staff.user.refresh_from_db()
    assert staff.user.check_password(DEFAULT_PASSWORD)


def test_createsuperuser_rejects_a_weak_password(db, monkeypatch, capsys, django_user_model):
    from django.contrib.auth.management.commands import createsuperuser
    from django.core.management import call_command

    answers = iter(["password123", "password123", "n", DEFAULT_PASSWORD, DEFAULT_PASSWORD])
    monkeypatch.setattr(createsuperuser.getpass, "getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))

    call_command(
        "createsuperuser",
        interactive=True,
        username="root2",
        email="root2@example.cn",
        stdin=_Tty(),
    )
    err = capsys.readouterr().err
    assert "This password is too common" in err or "这个密码太常见了" in err
    # Declining to bypass the validators asks again; the second, good password is kept.
    assert django_user_model.objects.get(username="root2").check_password(DEFAULT_PASSWORD)


class _Tty:
    def isatty(self):
        return True
