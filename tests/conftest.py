import pytest
from django.core.cache import cache

from pledges.models import Industry, Province
from pledges.reference import load_reference_data

from . import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters must not leak from one test into the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def campaign(db):
    return factories.campaign()


@pytest.fixture
def owner(db):
    return factories.user("owner@example.com")


@pytest.fixture
def enterprise(owner):
    return factories.enterprise(owner)


@pytest.fixture
def owner_client(client, owner, enterprise):
    client.force_login(owner)
    return client


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests empty every table when they end; give each one the reference data.

    (Serialized rollback cannot be relied on here: once Playwright runs an event loop in this
    thread, Django hands out a fresh connection object without the serialized copy.)
    """
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        load_reference_data(Province, Industry)


@pytest.fixture
def reviewer(db):
    return factories.staff("reviewer@association.example", role="Reviewers", full_name="审核员甲")


@pytest.fixture
def administrator(db):
    return factories.staff("admin@association.example", role="Administrators")


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client
