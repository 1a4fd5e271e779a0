"""Public notice (公示): an approval stands NOTICE_WORKING_DAYS Chinese working days, counted
on the real calendar (the 2025 National Day Golden Week and its make-up working days), then
becomes final by itself, once; every public surface says so meanwhile."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from pledges.errors import CalendarNotCovered
from pledges.models import AuditEvent, Listing, Pledge
from pledges.services import enterprises as enterprise_services
from pledges.services import pledges as services
from pledges.services.notice import notices_end
from pledges.services.publication import record_drift, record_rebuild
from pledges.workdays import working_days_after
from tests import factories

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
# Friday 26 September 2025, 10:00 China time: the week before the Golden Week.
BEFORE_GOLDEN_WEEK = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "until"),
    [
        # Sunday 28 September is a make-up working day; 1–8 October are off.
        (date(2025, 9, 26), date(2025, 10, 10)),
        # Saturday 11 October is a make-up working day too.
        (date(2025, 10, 9), date(2025, 10, 15)),
        # An ordinary week: the weekend is skipped.
        (date(2025, 11, 14), date(2025, 11, 21)),
    ],
)
def test_working_days_follow_the_official_calendar(start, until):
    assert working_days_after(start, 5) == until


def test_a_year_the_calendar_lacks_is_an_error_that_names_the_date():
    with pytest.raises(CalendarNotCovered) as raised:
        working_days_after(date(2099, 12, 30), 5)
    assert "2099-12-31" in str(raised.value.message)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The clock at ``BEFORE_GOLDEN_WEEK``; ``clock(moment)`` moves it."""
    now = {"now": BEFORE_GOLDEN_WEEK}
    monkeypatch.setattr(timezone, "now", lambda: now["now"])

    def at(moment: datetime) -> None:
        now["now"] = moment

    return at


@pytest.fixture
def campaign(clock):
    """The 2025 campaign, open on the clock's day."""
    return factories.campaign(2025)


@pytest.fixture
def notice(settings, clock):
    """Public notice on, for 5 working days (the product's default); moves the clock."""
    settings.NOTICE_WORKING_DAYS = 5
    return clock


@pytest.mark.usefixtures("notice", "english_client")
def test_an_approval_is_public_in_notice_until_its_last_working_day(
    client, publish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the certificate is rendered
        pledge = publish("公示期企业有限公司")
    listing = Listing.objects.get(pk=pledge.pk)
    assert listing.notice_until == date(2025, 10, 10)
    assert listing.final_at is None and listing.in_notice
    started = AuditEvent.objects.get(pledge=pledge, action=Action.NOTICE_STARTED)
    assert started.details == {"until": "2025-10-10"}

    page = client.get(f"/pledges/{pledge.pk}/").content.decode()
    assert "In public notice until 2025-10-10" in page
    assert "In public notice" in client.get("/pledges/?year=2025").content.decode()
    [item] = client.get("/api/pledges/?year=2025").json()["results"]
    assert item["notice_until"] == "2025-10-10" and item["final_at"] is None
    export = client.get("/pledges/export.csv?year=2025")
    csv = b"".join(export.streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[1].endswith(",2025-10-10,")  # in notice; no objection
    number = Pledge.objects.get(pk=pledge.pk).certificate.number
    verify = client.get(f"/verify/{number}/").content.decode()
    assert "Valid" in verify and "in public notice until 2025-10-10" in verify


@pytest.mark.usefixtures("english_client")
def test_the_period_ends_once_the_day_after_its_last_day(client, publish, notice):
    pledge = publish("期满生效企业有限公司")
    assert notices_end(today=date(2025, 10, 10)) == 0  # its last day: still in notice
    notice(datetime(2025, 10, 10, 16, 30, tzinfo=UTC))  # 00:30 on the 11th, China time
    assert notices_end() == 1
    assert notices_end() == 0  # a second run finds nothing left to end
    listing = Listing.objects.get(pk=pledge.pk)
    assert listing.final_at == datetime(2025, 10, 10, 16, 30, tzinfo=UTC)
    assert AuditEvent.objects.filter(pledge=pledge, action=Action.NOTICE_ENDED).count() == 1
    page = client.get(f"/pledges/{pledge.pk}/").content.decode()
    assert "In public notice" not in page
    [item] = client.get("/api/pledges/?year=2025").json()["results"]
    assert item["notice_until"] is None
    assert parse_datetime(item["final_at"]) == listing.final_at
    assert record_drift() == []


@pytest.mark.usefixtures("notice")
def test_a_pledge_revoked_in_notice_never_becomes_final(publish, reviewer):
    pledge = publish("公示撤销企业有限公司")
    services.pledge_revoke(pledge=pledge, actor=reviewer, reason="公示期内核实不符")
    assert notices_end(today=date(2026, 1, 1)) == 0
    listing = Listing.objects.get(pk=pledge.pk)
    assert listing.final_at is None and not listing.in_notice
    assert record_drift() == []


def test_an_approved_change_is_in_notice_again(publish, reviewer, notice):
    pledge = publish("改名前企业有限公司")
    notice(datetime(2025, 10, 13, 2, 0, tzinfo=UTC))
    notices_end()
    owner = pledge.created_by
    update = enterprise_services.enterprise_update(
        enterprise=pledge.enterprise,
        actor=owner,
        profile=factories.profile(name="改名后企业有限公司"),
    )
    notice(datetime(2025, 10, 17, 2, 0, tzinfo=UTC))  # a Friday
    enterprise_services.profile_change_approve(change=update.change, actor=reviewer)
    listing = Listing.objects.get(pk=pledge.pk)
    assert listing.name == "改名后企业有限公司"
    assert (listing.notice_until, listing.final_at) == (date(2025, 10, 24), None)
    assert record_drift() == []


def test_the_rebuild_reproduces_notice_and_finality(publish, notice):
    in_notice = publish("重建公示中企业有限公司")
    notice(datetime(2025, 10, 6, 2, 0, tzinfo=UTC))
    final = publish("重建已生效企业有限公司")  # its notice runs until 15 October
    notices_end(today=date(2025, 10, 11))  # ends the first one's only
    assert Listing.objects.get(pk=in_notice.pk).final_at is not None
    assert Listing.objects.get(pk=final.pk).in_notice
    assert record_drift() == []
    Listing.objects.filter(pk=final.pk).update(final_at=timezone.now())
    Listing.objects.filter(pk=in_notice.pk).update(notice_until=date(2025, 12, 31))
    assert sorted(line.split(":")[0] for line in record_drift()) == sorted(
        [f"listing {final.pk}", f"listing {in_notice.pk}"]
    )
    assert record_rebuild() == 2
    assert record_drift() == []
    assert Listing.objects.get(pk=final.pk).in_notice


def test_an_approval_the_calendar_cannot_count_is_refused_and_nothing_changes(
    notice, client, reviewer, submitted_pledge
):
    # Five working days after 28 December 2026 fall in 2027, which the calendar lacks.
    notice(datetime(2026, 12, 28, 2, 0, tzinfo=UTC))
    client.force_login(reviewer)
    url = f"/review/pledges/{submitted_pledge.pk}/approve/"
    response = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "The working-day calendar does not cover 2027-01-01 yet" in response.content.decode()
    submitted_pledge.refresh_from_db()
    assert submitted_pledge.state == Pledge.State.SUBMITTED
    assert not Listing.objects.filter(pk=submitted_pledge.pk).exists()
    assert not AuditEvent.objects.filter(action=Action.PLEDGE_APPROVED).exists()


def test_without_notice_an_approval_is_final_at_once(publish):
    pledge = publish("无公示企业有限公司")
    listing = Listing.objects.get(pk=pledge.pk)
    assert listing.notice_until is None
    assert listing.final_at == Pledge.objects.get(pk=pledge.pk).decided_at
    assert not AuditEvent.objects.filter(pledge=pledge, action=Action.NOTICE_STARTED).exists()

    assert record_drift() == []
