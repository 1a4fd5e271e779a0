"""The API and the CSV accept exactly what /api/schema.json allows: Schemathesis generates
requests from the schema, valid ones and invalid ones, and checks every answer against it
(no 5xx; valid input answered 200; invalid input refused with 400; bodies as documented)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from pledges.public.schema import openapi
from pledges.reference import DATA_DIR
from tests import factories

YEAR = timezone.now().year


def _codes(filename: str) -> list[str]:
    lines = (DATA_DIR / filename).read_text(encoding="utf-8").splitlines()[1:]
    return [line.split(",", 1)[0] for line in lines if line]


DOCUMENT = openapi(
    years=[YEAR],
    provinces=_codes("gbt2260-provinces.csv"),
    industries=_codes("gbt4754-2017.csv"),
)
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = get_wsgi_application()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]


@pytest.fixture
def open_data(db, settings, reviewer):
    # Thousands of searches in a few seconds: the per-client budget is not under test here.
    settings.RATELIMIT_ENABLE = False
    # Requests go through the WSGI handler itself, which closes the database connection when
    # a request ends; the test's transaction lives on it (Django's test client does the same).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    campaign = factories.campaign(YEAR)
    from tests.conftest import publish as publish_fixture

    make = publish_fixture.__wrapped__(campaign, reviewer)
    make("模糊测试甲有限公司")
    make("模糊测试乙有限公司", province="44", state="revoked")
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_served_schema_is_the_one_fuzzed(client, open_data):
    assert client.get("/api/schema.json").json() == DOCUMENT


@schema.include(path_regex="^/(api/pledges/|pledges/export.csv)$").parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_accepts_exactly_what_its_schema_allows(case, open_data):
    case.call_and_validate(checks=CHECKS)
