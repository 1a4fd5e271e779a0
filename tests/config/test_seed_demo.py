import pytest
from django.core.management import call_command

from accounts.models import User
from pledges.models import Campaign, Enterprise, Pledge

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_state_and_is_idempotent(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "reviewer@chengxin.localhost" in output and "chengxin-demo" in output
    assert Campaign.objects.count() == 1
    assert Campaign.objects.get().is_open()
    assert Enterprise.objects.count() == 7
    states = set(Pledge.objects.values_list("state", flat=True))
    assert states == {
        "draft",
        "submitted",
        "changes_requested",
        "approved",
        "rejected",
        "withdrawn",
    }
    assert User.objects.get(email="admin@chengxin.localhost").is_superuser
    reviewer = User.objects.get(email="reviewer@chengxin.localhost")
    assert reviewer.check_password("chengxin-demo")


def test_seed_demo_publishes_even_when_the_calendar_cannot_count_the_notice(
    settings, monkeypatch, capsys
):
    """At the end of the calendar package's last year a newcomer's `make run` still works:
    the demo pledge is published without notice, with a warning saying why."""
    from datetime import UTC, datetime

    from django.utils import timezone

    from pledges.models import Listing

    settings.NOTICE_WORKING_DAYS = 5
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 28, 2, 0, tzinfo=UTC))
    call_command("seed_demo")
    assert "2027-01-01" in capsys.readouterr().err  # the first day it lacks
    listing = Listing.objects.get()
    assert listing.notice_until is None and listing.final_at is not None
