"""Schemathesis over every operation of /api/v1/openapi.json: no input makes the API fail (5xx),
and every answer matches the documented status codes and schemas."""

import os
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from gecrm.access.models import ApiToken
from gecrm.catalog.actions import do_create_product
from gecrm.org.actions import do_create_staff
from gecrm.wsgi import application

# ninja emits OpenAPI 3.1 (`anyOf [..., null]` for optional fields); schemathesis 3.x needs the
# 3.1 support switched on explicitly.
schemathesis.experimental.OPEN_API_3_1.enable()
schema = schemathesis.from_wsgi("/api/v1/openapi.json", application)
# Deterministic by default (CI); API_FUZZ_EXAMPLES / API_FUZZ_RANDOM widen a run by hand.
FUZZ_SETTINGS = settings(
    max_examples=int(os.environ.get("API_FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=not os.environ.get("API_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)

# Random codes almost never name an existing row; steer part of the examples to the data set below
# so that the success paths (detail, update, move, create under a parent) are fuzzed too.
KNOWN_PATH_VALUES = {
    "code": ["C001", "C001.SZ", "C001.SZ.1", "HQ", "GD", "GD.SZ", "P-CLOUD", "440300"],
    "username": ["am1", "admin"],
}
KNOWN_BODY_VALUES = {
    "org_unit": ["GD", "GD.SZ", "HQ"],
    "parent_code": [None, "C001", "C001.SZ", "GD", "HQ"],
    "region": [None, "440300", "110000"],
    "version": [1, 2],
    "segment": ["fin"],
    "industry": [None, "fin.bank", "银行"],
    "posts": [[], ["am"], ["chief_am", "首席客户经理"]],
    "email": ["", "am@example.cn"],
}


@schema.hook
def before_generate_path_parameters(context, strategy):
    names = re.findall(r"{(\w+)}", context.operation.path)
    known = st.fixed_dictionaries({n: st.sampled_from(KNOWN_PATH_VALUES[n]) for n in names})
    return st.one_of(strategy, known)


def _with_known_values(pair):
    body, known = pair
    if not isinstance(body, dict):
        return body
    return {**body, **{k: v for k, v in known.items() if k in body}}


@schema.hook
def before_generate_body(context, strategy):
    known = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in KNOWN_BODY_VALUES.items()})
    return st.one_of(strategy, st.tuples(strategy, known).map(_with_known_values))


@pytest.fixture
def keep_test_connection():
    """Requests go through the real WSGI handler, which closes the database connection when a
    request ends; that would drop the test's transaction on PostgreSQL. Django's test client
    disconnects the same handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(hq_tree, admin, keep_test_connection):
    do_create_product(
        {"code": "P-CLOUD", "name": "天翼云主机", "category": "cloud", "is_ict": True},
        actor=admin,
        source="test",
    )
    do_create_staff(username="am1", name="客户经理", org_unit=hq_tree["sz"].org_unit, actor=admin)
    _token, raw = ApiToken.issue(admin)
    return raw


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_conforms_to_its_schema_and_never_fails(case, bearer):
    case.call_and_validate(headers={"Authorization": f"Bearer {bearer}"})
