import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created with a password; PBKDF2 would make each one cost ~0.3 s."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
