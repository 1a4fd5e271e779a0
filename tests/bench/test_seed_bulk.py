"""seed_bulk: realistic, valid, marked bulk data, and a --reset that removes only that."""

import io
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from stdnum.cn import uscc

from accounts.models import User
from bench.management.commands.seed_bulk import (
    BULK_EMAIL_DOMAIN,
    BULK_TITLE_PREFIX,
    SYSTEM_USER_EMAIL,
)
from pledges.models import (
    AuditEvent,
    Campaign,
    Certificate,
    Enterprise,
    Listing,
    Pledge,
    PublicDataVersion,
)
from pledges.reference import CHINA_TZ
from pledges.search import name_ngrams
from pledges.services.publication import record_drift
from tests import factories
from tests.worker import ROOT, database_url

pytestmark = pytest.mark.django_db

PUBLIC = {Pledge.State.APPROVED, Pledge.State.REVOKED}


def seed(**options) -> str:
    out = io.StringIO()
    options = {"pledges": 600, "campaigns": 3, "batch": 128, "stdout": out} | options
    call_command("seed_bulk", **options)
    return out.getvalue()


def seed_in_subprocess(**options) -> str:
    arguments = ["--pledges", "600", "--campaigns", "3", "--batch", "128"]
    for name, value in options.items():
        arguments += [f"--{name}", str(value)]
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_bulk", *arguments],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "bench.dev_settings",  # local's, with the bench app
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_published_record_is_what_the_decisions_make():
    """The set-wise INSERT … SELECT gives the same record as the decision services."""
    seed()
    assert Listing.objects.count() == bulk_pledges().filter(state__in=PUBLIC).count()
    assert record_drift() == []
    assert PublicDataVersion.objects.get().version > Listing.objects.count()


def bulk_pledges():
    return Pledge.objects.filter(enterprise__contact_email__endswith=f"@{BULK_EMAIL_DOMAIN}")


def test_loads_the_requested_campaigns_enterprises_and_pledges():
    output = seed()
    assert "600 pledges" in output and "seed_bulk finished" in output
    this_year = timezone.now().astimezone(CHINA_TZ).year
    campaigns = list(Campaign.objects.order_by("year"))
    assert [c.year for c in campaigns] == [this_year - 2, this_year - 1, this_year]
    assert all(c.title.startswith(BULK_TITLE_PREFIX) for c in campaigns)
    # Closed windows in the past, except the latest, which is open now.
    assert [c.is_open() for c in campaigns] == [False, False, True]
    assert all(c.closes_at < timezone.now() for c in campaigns[:-1])

    assert Pledge.objects.count() == bulk_pledges().count() == 600
    enterprises = Enterprise.objects.all()
    assert 150 <= enterprises.count() < 600
    # Enterprises sign several years, each at most once a campaign.
    per_enterprise = Counter(Pledge.objects.values_list("enterprise_id", flat=True))
    assert max(per_enterprise.values()) > 1
    pairs = Pledge.objects.values_list("enterprise_id", "campaign_id")
    assert len(set(pairs)) == len(pairs)
    system = User.objects.get(email=SYSTEM_USER_EMAIL)
    assert not system.is_active and not system.has_usable_password()
    assert set(Pledge.objects.values_list("created_by", flat=True)) == {system.pk}


def test_enterprises_are_valid_and_cover_every_province_and_division():
    seed()
    rows = list(
        Enterprise.objects.values_list("name", "credit_code", "province_id", "search_ngrams")
    )
    codes = [code for _name, code, _province, _grams in rows]
    assert len(set(codes)) == len(codes)
    for name, code, province, grams in rows:
        assert uscc.is_valid(code), code
        assert code[2:4] == province, (code, province)
        assert re.fullmatch(r"[\u4e00-\u9fff（）]{6,40}", name), name
        assert grams and grams == name_ngrams(name)
    assert len({province for _n, _c, province, _g in rows}) == 34
    assert Enterprise.objects.values("industry").distinct().count() == 97
    assert len({name for name, *_ in rows}) > 0.95 * len(rows)
    assert Enterprise.objects.filter(name__contains="质量").exists()


def test_states_revocations_and_certificates():
    seed()
    states = Counter(Pledge.objects.values_list("state", flat=True))
    assert states[Pledge.State.APPROVED] > 0.85 * 600
    assert states[Pledge.State.REVOKED] > 0
    assert sum(n for state, n in states.items() if state not in PUBLIC) > 0

    # Every revocation has its event, with the reason the public sees.
    revoked = bulk_pledges().filter(state=Pledge.State.REVOKED)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.PLEDGE_REVOKED)
    assert events.count() == revoked.count()
    for event in events.select_related("pledge"):
        assert event.pledge.state == Pledge.State.REVOKED
        assert event.reason and event.from_state == "approved" and event.to_state == "revoked"
        assert event.enterprise_id == event.pledge.enterprise_id
        assert event.created_at >= event.pledge.decided_at

    # A ready certificate for each published pledge, numbered per campaign from 1.
    certificates = Certificate.objects.select_related("pledge", "campaign")
    assert certificates.count() == bulk_pledges().filter(state__in=PUBLIC).count()
    numbers = defaultdict(list)
    for certificate in certificates:
        campaign = certificate.campaign
        assert certificate.pledge.state in PUBLIC
        assert certificate.pledge.campaign_id == campaign.pk
        assert certificate.state == Certificate.State.READY
        assert certificate.number == f"CQ-{campaign.year}-{certificate.sequence:06d}"
        assert re.fullmatch(r"[0-9a-f]{64}", certificate.sha256)
        assert certificate.issued_at >= certificate.pledge.decided_at
        assert not certificate.file
        numbers[campaign].append(certificate.sequence)
    for campaign, sequences in numbers.items():
        assert sorted(sequences) == list(range(1, len(sequences) + 1))
        campaign.refresh_from_db()
        assert campaign.certificate_counter == len(sequences)
    # Numbered in the order of approval.
    for campaign in numbers:
        decided = list(
            certificates.filter(campaign=campaign)
            .order_by("sequence")
            .values_list("pledge__decided_at", flat=True)
        )
        assert decided == sorted(decided)


def test_dates_fall_in_each_campaigns_september_and_october():
    seed()
    now = timezone.now()
    for pledge in bulk_pledges().select_related("campaign"):
        year = pledge.campaign.year
        window_end = datetime(year, 11, 1, tzinfo=CHINA_TZ)
        assert pledge.campaign.opens_at <= pledge.created_at <= pledge.updated_at <= now
        if pledge.submitted_at:
            assert pledge.campaign.opens_at <= pledge.submitted_at < window_end
        if pledge.state in PUBLIC:
            assert pledge.submitted_at <= pledge.decided_at < window_end
        else:
            assert pledge.state != Pledge.State.DRAFT or pledge.submitted_at is None


def test_refuses_to_load_twice_and_reset_replaces_only_its_own_rows():
    owner = factories.user()
    own = factories.enterprise(owner)
    own_campaign = factories.campaign(2001)
    own_pledge = factories.complete_draft(own, own_campaign, owner)
    seed()
    with pytest.raises(CommandError, match="--reset"):
        seed()
    assert Pledge.objects.count() == 601

    output = seed(reset=True, pledges=300, seed=7)
    assert "Removed earlier bulk data" in output
    assert bulk_pledges().count() == 300
    assert Campaign.objects.filter(title__startswith=BULK_TITLE_PREFIX).count() == 3
    assert Enterprise.objects.filter(pk=own.pk).exists()
    assert Pledge.objects.filter(pk=own_pledge.pk).exists()
    assert Campaign.objects.filter(pk=own_campaign.pk).exists()
    assert AuditEvent.objects.filter(enterprise=own).exists()  # its registration event

    seed(reset=True, pledges=0)  # only removes
    assert not bulk_pledges().exists()
    assert not Campaign.objects.filter(title__startswith=BULK_TITLE_PREFIX).exists()
    assert not Certificate.objects.exists()
    assert set(Enterprise.objects.all()) == {own}
    assert list(Pledge.objects.all()) == [own_pledge]


def test_refuses_years_that_other_campaigns_hold():
    this_year = timezone.now().astimezone(CHINA_TZ).year
    factories.campaign(this_year)
    with pytest.raises(CommandError, match="--last-year"):
        seed()
    assert not Enterprise.objects.exists()
    seed(last_year=this_year - 1)
    latest = Campaign.objects.get(year=this_year - 1)
    assert latest.title.startswith(BULK_TITLE_PREFIX) and latest.is_open()


def _fingerprint() -> dict:
    """What the data say, without the keys (which depend on the order rows were written)."""
    return {
        "enterprises": sorted(
            Enterprise.objects.values_list("credit_code", "name", "province", "industry")
        ),
        "pledges": sorted(
            Pledge.objects.values_list(
                "enterprise__credit_code", "campaign__year", "state", "submitted_at", "decided_at"
            )
        ),
        "certificates": sorted(
            Certificate.objects.values_list("number", "pledge__enterprise__credit_code", "sha256")
        ),
        "counters": sorted(Campaign.objects.values_list("year", "certificate_counter")),
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes: PostgreSQL only")
def test_worker_processes_write_what_one_process_writes():
    # In a process of its own: forked workers must not inherit this test process's
    # connections (Playwright's event loop, earlier in the run, gives it several).
    output = seed_in_subprocess(jobs=2)
    assert "2 worker processes" in output
    forked = _fingerprint()
    output = seed(jobs=1, reset=True)
    assert "in this process" in output
    assert _fingerprint() == forked
    assert len(forked["pledges"]) == 600
