import fcntl
import time
from pathlib import Path
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.conf import settings
from django.core.cache import cache

from pledges.certificates import keys as signing_keys
from pledges.models import Certificate, Industry, Province, PublicDataVersion
from pledges.public import names as public_names
from pledges.reference import load_reference_data
from pledges.services import pledges as services
from tests import factories

TESTS = Path(__file__).resolve().parent
# Every test in these folders is slow: tests/worker/ starts real Celery workers (and
# bin/dev-server), tests/e2e/ drives Chromium. `make test-fast` leaves both markers out. A test
# elsewhere that starts a worker (tests.worker.celery_worker) carries @pytest.mark.worker itself.
SLOW_FOLDERS = {"worker": pytest.mark.worker, "e2e": pytest.mark.browser}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(TESTS):
            marker = SLOW_FOLDERS.get(item.path.relative_to(TESTS).parts[0])
            if marker:
                item.add_marker(marker)


@pytest.fixture(scope="session", autouse=True)
def _signing_keys():
    """A development CA and signing key, made by the first test process that needs them."""
    folder = Path(settings.SIGNING_KEYS_DIR)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / "test-keys.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not signing_keys.key_ids():
            signing_keys.create_development_key()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters and pages cached under a public data version (which each test's
    # rollback winds back) must not leak from one test into the next.
    cache.clear()
    PublicDataVersion.forget()
    public_names.forget()
    yield
    cache.clear()
    PublicDataVersion.forget()
    public_names.forget()


@pytest.fixture
def frozen_rate_limit_window(monkeypatch):
    """django-ratelimit counts in fixed windows (a minute for /verify/ and the searches), each
    client's ending at a second of its own: a test spending a budget across that second would
    start afresh halfway through, more often the slower the machine. Its clock stands still for
    the test, so each test's budget is counted in one window."""
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


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
def english_client(client):
    """pytest-django's client asking for English pages, so messages read the same with or
    without the compiled catalogues. The fixtures built on ``client`` (``owner_client``,
    ``reviewer_client``…) share it: a module that checks English messages through them asks
    for this one with ``pytest.mark.usefixtures("english_client")``."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def administrator_client(english_client, administrator):
    """Logged in as ``administrator``; messages are checked in English (the source language)."""
    english_client.force_login(administrator)
    return english_client


@pytest.fixture
def submitted_pledge(owner, enterprise, campaign):
    return factories.submitted_pledge(enterprise, campaign, owner)


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
