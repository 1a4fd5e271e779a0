import pytest
from django.core.cache import cache

from pledges.models import Certificate, Industry, Province
from pledges.reference import load_reference_data
from pledges.services import pledges as services

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


@pytest.fixture
def publish(campaign, reviewer):
    """A new enterprise's pledge brought to ``state`` (approved by default)."""

    def make(name, *, state="approved", province="11", year_campaign=None, **profile):
        owner = factories.user()
        enterprise = factories.enterprise(owner, province=province, name=name, **profile)
        pledge = factories.complete_draft(enterprise, year_campaign or campaign, owner)
        if state == "draft":
            return pledge
        if state == "withdrawn":
            return services.pledge_withdraw(pledge=pledge, actor=owner)
        services.pledge_submit(pledge=pledge, actor=owner)
        if state == "submitted":
            return pledge
        if state == "changes_requested":
            return services.pledge_request_changes(pledge=pledge, actor=reviewer, reason="补材料")
        if state == "rejected":
            return services.pledge_reject(pledge=pledge, actor=reviewer, reason="不符合")
        services.pledge_approve(pledge=pledge, actor=reviewer)
        if state == "revoked":
            services.pledge_revoke(
                pledge=pledge, actor=reviewer, reason=factories.REVOCATION_REASON
            )
        return pledge

    return make


@pytest.fixture
def certified_pledge(owner, enterprise, campaign, reviewer, django_capture_on_commit_callbacks):
    """Approved, with its certificate rendered (the eager worker runs after the commit)."""
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    return pledge


@pytest.fixture
def certificate(certified_pledge):
    certificate = Certificate.objects.get(pledge=certified_pledge)
    assert certificate.state == Certificate.State.READY
    return certificate
