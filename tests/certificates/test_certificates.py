"""Certificates: owed at approval, numbered once, rendered to a real PDF that reads back."""

import hashlib

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from pledges.certificates import fonts, rendering
from pledges.certificates.checks import certificate_rendering
from pledges.certificates.credentials import read_qr_payload
from pledges.models import Campaign, Certificate, Pledge
from pledges.services import pledges as services
from pledges.services.certificates import certificate_rerender, certificates_sweep
from pledges.tasks import issue_certificate
from tests import factories
from tests.pdf import pdf_page_size_mm, pdf_qr_codes, pdf_text

pytestmark = pytest.mark.django_db


def approved(enterprise, campaign, owner, reviewer):
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    return services.pledge_approve(pledge=pledge, actor=reviewer)


def test_approval_owes_a_pending_certificate_in_the_same_transaction(
    enterprise, campaign, owner, reviewer, django_capture_on_commit_callbacks
):
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    with django_capture_on_commit_callbacks(execute=False):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    certificate = Certificate.objects.get(pledge=pledge)
    assert certificate.state == Certificate.State.PENDING
    assert certificate.number == "" and not certificate.file


def test_a_rolled_back_approval_owes_nothing(enterprise, campaign, owner, reviewer):
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.pledge_approve(pledge=pledge, actor=reviewer)
        raise RuntimeError("the request failed after the decision")
    assert not Certificate.objects.exists()
    assert Pledge.objects.get(pk=pledge.pk).state == Pledge.State.SUBMITTED


def test_the_certificate_pdf_reads_back(
    owner, campaign, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://pledge.example.org"
    enterprise = factories.enterprise(owner, name="<b>华质</b>&<script>x</script>精密有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        pledge = approved(enterprise, campaign, owner, reviewer)
    certificate = Certificate.objects.get(pledge=pledge)
    assert certificate.state == Certificate.State.READY
    assert certificate.number == f"CQ-{campaign.year}-000001"
    data = certificate.file.read()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == certificate.sha256
    assert certificate.size == len(data)
    text = pdf_text(data).replace(" ", "")
    # The name is printed as the text it is, markup and all, never interpreted.
    assert "<b>华质</b>&<script>x</script>精密有限公司" in text
    assert enterprise.credit_code in text
    assert certificate.number in text
    # The QR code opens the verify page; after the "#" it carries the signed payload.
    [qr] = pdf_qr_codes(data)
    url, payload = qr.split("#")
    assert url == f"https://pledge.example.org/verify/{certificate.number}/"
    assert read_qr_payload(payload).enterprise_name == enterprise.name
    width, height = pdf_page_size_mm(data)
    assert round(width) == 297 and round(height) == 210  # A4 landscape
    certificate_mails = [m for m in mail.outbox if certificate.number in m.subject]
    assert [m.to for m in certificate_mails] == [[owner.email]]


def test_numbers_follow_each_other_per_campaign_and_are_never_reused(
    campaign, reviewer, administrator, django_capture_on_commit_callbacks
):
    numbers = []
    for _ in range(3):
        owner = factories.user()
        with django_capture_on_commit_callbacks(execute=True):
            pledge = approved(factories.enterprise(owner), campaign, owner, reviewer)
        numbers.append(Certificate.objects.get(pledge=pledge).number)
    assert numbers == [f"CQ-{campaign.year}-00000{i}" for i in (1, 2, 3)]
    first = Certificate.objects.get(number=numbers[0])
    with django_capture_on_commit_callbacks(execute=True):
        certificate_rerender(certificate=first, actor=administrator)
    first.refresh_from_db()
    assert first.number == numbers[0] and first.state == Certificate.State.READY
    assert Campaign.objects.get(pk=campaign.pk).certificate_counter == 3


def test_running_the_task_twice_makes_one_certificate(
    enterprise, campaign, owner, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pledge = approved(enterprise, campaign, owner, reviewer)
    certificate = Certificate.objects.get(pledge=pledge)
    before = (certificate.number, certificate.file.name, certificate.sha256)
    issue_certificate.delay(certificate.pk)
    issue_certificate.delay(certificate.pk)
    certificate.refresh_from_db()
    assert (certificate.number, certificate.file.name, certificate.sha256) == before
    assert Certificate.objects.count() == 1
    assert Campaign.objects.get(pk=campaign.pk).certificate_counter == 1
    assert sum(certificate.number in m.subject for m in mail.outbox) == 1  # one mail


def test_a_transient_failure_is_retried(
    enterprise, campaign, owner, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    real_render = rendering.render_pdf
    calls = []

    def flaky(data):
        calls.append(data.number)
        if len(calls) == 1:
            raise OSError("storage briefly unavailable")
        return real_render(data)

    monkeypatch.setattr("pledges.services.certificates.render_pdf", flaky)
    with django_capture_on_commit_callbacks(execute=False):
        pledge = approved(enterprise, campaign, owner, reviewer)
    certificate = Certificate.objects.get(pledge=pledge)
    # Applied in-process, Celery runs the retry at once instead of after the countdown.
    issue_certificate.apply(args=[certificate.pk], throw=False)
    certificate.refresh_from_db()
    assert certificate.state == Certificate.State.READY
    assert certificate.attempts == 2
    assert calls[0] == calls[1]  # the retry kept the number


def test_a_permanent_failure_is_recorded_for_reviewers(
    enterprise, campaign, owner, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(data):
        raise ValueError("template error")

    monkeypatch.setattr("pledges.services.certificates.render_pdf", broken)
    with pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True):
        approved(enterprise, campaign, owner, reviewer)
    certificate = Certificate.objects.get(pledge__enterprise=enterprise)
    assert certificate.state == Certificate.State.FAILED
    assert "template error" in certificate.error
    assert Pledge.objects.get(pk=certificate.pledge_id).state == Pledge.State.APPROVED


def test_the_sweep_requeues_what_a_lost_message_left_behind(
    enterprise, campaign, owner, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the message is "lost"
        pledge = approved(enterprise, campaign, owner, reviewer)
    Pledge.objects.filter(pk=pledge.pk).update(
        decided_at=timezone.now() - timezone.timedelta(minutes=10)
    )
    assert Certificate.objects.get().state == Certificate.State.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        assert certificates_sweep() == 1
    assert Certificate.objects.get().state == Certificate.State.READY
    with django_capture_on_commit_callbacks(execute=True):
        assert certificates_sweep() == 0


def test_resources_other_than_data_uris_and_our_font_are_refused():
    fetcher = rendering.url_fetcher()
    refused = (
        "file:///etc/passwd",
        "http://127.0.0.1/x.png",
        "https://example.org/a.css",
        # The font file itself is served only under its own name, never as a file: URL.
        fonts.font_path().as_uri(),
        "chengxin-font:../../etc/passwd",
    )
    for url in refused:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok").url.startswith("data:")
    assert fetcher.fetch(rendering.FONT_URL).read(4) == b"OTTO"  # the built font, only


def test_the_system_check_passes_here_and_catches_a_missing_subsetter(monkeypatch):
    assert certificate_rendering() == []
    call_command("check", "--fail-level", "ERROR")
    monkeypatch.setattr("weasyprint.text.ffi.harfbuzz_subset", None)
    assert [error.id for error in certificate_rendering()] == ["pledges.E002"]


def test_a_certificate_being_rendered_again_stays_valid(
    client,
    enterprise,
    campaign,
    owner,
    reviewer,
    administrator,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        pledge = approved(enterprise, campaign, owner, reviewer)
    certificate = Certificate.objects.get(pledge=pledge)
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        certificate_rerender(certificate=certificate, actor=administrator)
    assert Certificate.objects.get(pk=certificate.pk).state == Certificate.State.PENDING
    response = client.get(f"/verify/{certificate.number}/")
    assert response.status_code == 200
    assert response.context["verification"].is_valid
