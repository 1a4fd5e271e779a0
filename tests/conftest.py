import pytest
from django.core.cache import cache

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
