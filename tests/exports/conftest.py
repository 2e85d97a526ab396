import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    # Column heads are asserted as their English msgids (the Chinese come with the catalogue);
    # domain labels (金融, 客户经理) are Chinese msgids and read the same in every language.
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client
