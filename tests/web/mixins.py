"""Generic tests of a model's list, detail and edit pages (in the spirit of NetBox's ViewTestCases).

A model's test class inherits `ObjectViewTests` and declares only its data:

    class TestProductViews(ObjectViewTests):
        list_url = "web:product_list"
        detail_url = "web:product_detail"
        edit_url = "web:product_edit"
        changes = {"name": "云主机（新版）"}
        invalid_changes = {"category": "no-such-category"}

        @pytest.fixture
        def obj(self, admin):
            return do_create_product({...}, actor=admin, source="test")

Every page must: require a login; answer 200 for an object in the user's scope and 404 for an
unknown key or an object outside it (scope comes from `restrict()`, so a registered scope rule
hides it); save an edit through the app's action and log the change; and answer 409 without
writing anything when the version the user loaded is stale.
"""

import pytest
from django.urls import reverse

from gecrm.core import querysets
from gecrm.core.models import ObjectChange
from gecrm.core.testing import make_staff

UNKNOWN_KEY = "NO-SUCH-KEY"


def form_data(form) -> dict:
    """POST data that re-submits an unbound form as the user saw it."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data


def changes_of(obj):
    return ObjectChange.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("id")


class ObjectViewTests:
    """List, detail and edit pages of one model; subclasses declare URLs, data and `obj`."""

    list_url: str = ""
    detail_url: str = ""
    edit_url: str = ""
    lookup_attr: str = "code"  # the object's attribute that goes into its URLs
    changes: dict = {}  # POST values (on top of the form as loaded) that the edit saves
    invalid_changes: dict = {}  # POST values the form rejects

    @pytest.fixture
    def obj(self):  # pragma: no cover - every subclass provides it
        raise NotImplementedError

    @pytest.fixture
    def outsider(self, obj, org, admin, monkeypatch):
        """A logged-in member of staff whose scope (a registered rule) excludes `obj`."""
        label = obj._meta.label_lower
        previous = querysets._scope_rules.get(label)

        def rule(queryset, user, action):
            queryset = previous(queryset, user, action) if previous else queryset
            return queryset.exclude(pk=obj.pk)

        monkeypatch.setitem(querysets._scope_rules, label, rule)
        return make_staff("outsider", org["GD.GZ"], actor=admin).user

    def key(self, obj) -> str:
        value = obj
        for part in self.lookup_attr.split("."):
            value = getattr(value, part)
        return value

    def detail(self, obj_or_key) -> str:
        key = obj_or_key if isinstance(obj_or_key, str) else self.key(obj_or_key)
        return reverse(self.detail_url, args=[key])

    def edit(self, obj_or_key) -> str:
        key = obj_or_key if isinstance(obj_or_key, str) else self.key(obj_or_key)
        return reverse(self.edit_url, args=[key])

    def loaded_form_data(self, client, obj) -> dict:
        response = client.get(self.edit(obj))
        assert response.status_code == 200
        return form_data(response.context["form"])

    def listed_objects(self, response) -> list:
        return list(response.context["object_list"])

    def assert_saved(self, obj):
        for name, value in self.changes.items():
            assert str(getattr(obj, name)) == str(value), name

    # ------------------------------------------------------------ login required

    def test_pages_require_login(self, client, obj):
        version = obj.version
        for url in (reverse(self.list_url), self.detail(obj), self.edit(obj)):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url
        response = client.post(self.edit(obj), {**self.changes, "version": version})
        assert response.status_code == 302
        obj.refresh_from_db()
        assert obj.version == version

    # ------------------------------------------------------------ in scope

    def test_list_shows_the_object(self, client, admin, obj):
        client.force_login(admin)
        response = client.get(reverse(self.list_url))
        assert response.status_code == 200
        assert obj in self.listed_objects(response)

    def test_detail_shows_the_object(self, client, admin, obj):
        client.force_login(admin)
        response = client.get(self.detail(obj))
        assert response.status_code == 200
        assert response.context["object"] == obj
        assert str(obj.name) in response.content.decode()

    def test_edit_form_shows_current_values(self, client, admin, obj):
        client.force_login(admin)
        data = self.loaded_form_data(client, obj)
        assert data["version"] == str(obj.version)
        assert data["name"] == obj.name

    # ------------------------------------------------------------ unknown or out of scope

    def test_unknown_key_is_404(self, client, admin, obj):
        client.force_login(admin)
        assert client.get(self.detail(UNKNOWN_KEY)).status_code == 404
        assert client.get(self.edit(UNKNOWN_KEY)).status_code == 404
        assert client.post(self.edit(UNKNOWN_KEY), self.changes).status_code == 404

    def test_out_of_scope_is_hidden_and_404(self, client, obj, outsider):
        client.force_login(outsider)
        response = client.get(reverse(self.list_url))
        assert response.status_code == 200
        assert obj not in self.listed_objects(response)
        assert client.get(self.detail(obj)).status_code == 404
        assert client.get(self.edit(obj)).status_code == 404
        version = obj.version
        response = client.post(self.edit(obj), {**self.changes, "version": version})
        assert response.status_code == 404
        obj.refresh_from_db()
        assert obj.version == version

    # ------------------------------------------------------------ edit

    def test_edit_saves_and_logs_the_change(self, client, admin, obj):
        client.force_login(admin)
        data = self.loaded_form_data(client, obj)
        version = obj.version
        response = client.post(self.edit(obj), {**data, **self.changes})
        assert response.status_code == 302, response.context["form"].errors
        assert response.url == self.detail(obj)
        obj.refresh_from_db()
        self.assert_saved(obj)
        assert obj.version == version + 1
        entry = changes_of(obj).last()
        assert entry.action == ObjectChange.Action.UPDATE
        assert entry.actor == admin
        assert entry.source == "web"
        assert set(self.changes) <= set(entry.changes)
        # The change shows in the object's history.
        assert entry in [row["entry"] for row in client.get(self.detail(obj)).context["history"]]

    def test_stale_version_is_409_and_changes_nothing(self, client, admin, obj):
        client.force_login(admin)
        data = self.loaded_form_data(client, obj)
        # Someone else saves first: the version the form carries is now stale.
        other = type(obj)._base_manager.get(pk=obj.pk)
        self.update_by_someone_else(other, admin)
        logged = changes_of(obj).count()
        response = client.post(self.edit(obj), {**data, **self.changes})
        assert response.status_code == 409
        assert "409" in response.content.decode()
        obj.refresh_from_db()
        assert obj.version == other.version
        assert obj.name == other.name
        assert changes_of(obj).count() == logged

    def update_by_someone_else(self, obj, actor):
        type(self).update_action(
            obj, {"name": obj.name + "·改"}, expected_version=obj.version, actor=actor, source="api"
        )
        obj.refresh_from_db()

    def test_invalid_edit_shows_errors_and_writes_nothing(self, client, admin, obj):
        if not self.invalid_changes:
            pytest.skip("no invalid input declared for this model")
        client.force_login(admin)
        data = self.loaded_form_data(client, obj)
        version, logged = obj.version, changes_of(obj).count()
        response = client.post(self.edit(obj), {**data, **self.invalid_changes})
        assert response.status_code == 200
        form = response.context["form"]
        assert set(self.invalid_changes) <= set(form.errors)
        assert "is-invalid" in response.content.decode()
        obj.refresh_from_db()
        assert obj.version == version
        assert changes_of(obj).count() == logged
