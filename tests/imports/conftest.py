import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    # The messages asserted here are the English msgids; tests/core/test_locale.py covers Chinese.
    with translation.override("en"):
        yield
