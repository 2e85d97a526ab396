import pytest


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The personas' passwords are hashed with the production hasher otherwise (~0.3 s each).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
