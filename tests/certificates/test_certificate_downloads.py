"""Certificate files: members download their own, reviewers any; administrators re-render."""

import hashlib
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from pledges.models import AuditEvent, Certificate
from pledges.services import pledges as services
from pledges.services.certificates import certificate_fail
from pledges.services.members import invitation_accept, invitation_create
from tests import factories

pytestmark = pytest.mark.django_db

REASON = "企业承诺内容与实际经营情况严重不符"


@pytest.fixture
def pending(owner, enterprise, campaign, reviewer):
    """Approved, but the worker has not rendered the certificate yet."""
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    return services.pledge_approve(pledge=pledge, actor=reviewer)  # on_commit never runs


def login(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def portal_url(pledge):
    return reverse("portal:certificate", args=[pledge.pk])


def review_url(pledge):
    return reverse("review:certificate", args=[pledge.pk])


def rerender_url(pledge):
    return reverse("review:certificate_rerender", args=[pledge.pk])


# --- The portal -------------------------------------------------------------------------


def test_members_download_the_pdf_whose_hash_the_verification_page_shows(
    owner, enterprise, certificate, certified_pledge
):
    colleague = factories.user("colleague@example.com")
    invitation = invitation_create(enterprise=enterprise, actor=owner, email=colleague.email)
    invitation_accept(invitation=invitation, actor=colleague)
    verification = (
        Client().get(reverse("public:verify", args=[certificate.number])).content.decode()
    )
    for member in (owner, colleague):
        response = login(member).get(portal_url(certified_pledge))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert certificate.number in response["Content-Disposition"]
        pdf = body(response)
        assert pdf.startswith(b"%PDF")
        digest = hashlib.sha256(pdf).hexdigest()
        assert digest == certificate.sha256
        assert digest in verification


def test_other_enterprises_and_strangers_get_404(certificate, certified_pledge):
    other_owner = factories.user("other@example.com")
    factories.enterprise(other_owner, name="上海别家有限公司")
    assert login(other_owner).get(portal_url(certified_pledge)).status_code == 404
    assert (
        login(factories.user("nobody@example.com")).get(portal_url(certified_pledge)).status_code
        == 404
    )
    missing = reverse("portal:certificate", args=[certified_pledge.pk + 1000])
    assert login(other_owner).get(missing).status_code == 404


def test_anonymous_users_are_sent_to_log_in(certificate, certified_pledge):
    response = Client().get(portal_url(certified_pledge))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_portal_links_the_ready_certificate_and_its_verification(
    owner, certificate, certified_pledge
):
    client = login(owner)
    for url in (reverse("portal:pledge", args=[certified_pledge.pk]), reverse("portal:dashboard")):
        page = client.get(url).content.decode()
        assert portal_url(certified_pledge) in page, url
        assert certificate.number in page
        assert reverse("public:verify", args=[certificate.number]) in page
        assert certificate.sha256 in page


def test_a_certificate_being_prepared_is_announced_not_offered(owner, pending):
    client = login(owner)
    for url in (reverse("portal:pledge", args=[pending.pk]), reverse("portal:dashboard")):
        page = client.get(url).content.decode()
        assert "being prepared" in page, url
        assert portal_url(pending) not in page
    assert client.get(portal_url(pending)).status_code == 404
    assert "正在准备" in login(owner, "zh-hans").get(reverse("portal:dashboard")).content.decode()


def test_a_failed_certificate_looks_like_one_being_prepared_to_members(owner, pending):
    certificate = Certificate.objects.get(pledge=pending)
    certificate_fail(certificate_id=certificate.pk, error="OSError('disk full')")
    page = login(owner).get(reverse("portal:pledge", args=[pending.pk])).content.decode()
    assert "being prepared" in page
    assert "disk full" not in page


def test_after_revocation_the_portal_neither_links_nor_serves_it(
    owner, certificate, certified_pledge, reviewer
):
    client = login(owner)
    assert client.get(portal_url(certified_pledge)).status_code == 200
    services.pledge_revoke(pledge=certified_pledge, actor=reviewer, reason=REASON)

    assert client.get(portal_url(certified_pledge)).status_code == 404
    for url in (reverse("portal:pledge", args=[certified_pledge.pk]), reverse("portal:dashboard")):
        page = client.get(url).content.decode()
        assert portal_url(certified_pledge) not in page, url
        assert "certificate.pdf" not in page
        assert "no longer valid" in page
        assert REASON in page
    chinese = login(owner, "zh-hans").get(reverse("portal:pledge", args=[certified_pledge.pk]))
    assert "已撤销" in chinese.content.decode()


# --- The review console ----------------------------------------------------------------


def test_reviewers_download_from_the_console(reviewer, certificate, certified_pledge):
    response = login(reviewer).get(review_url(certified_pledge))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    pdf = body(response)
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256


def test_reviewers_still_download_it_after_revocation(reviewer, certificate, certified_pledge):
    services.pledge_revoke(pledge=certified_pledge, actor=reviewer, reason=REASON)
    assert login(reviewer).get(review_url(certified_pledge)).status_code == 200


def test_enterprise_users_are_refused_the_console_download(owner, certificate, certified_pledge):
    assert login(owner).get(review_url(certified_pledge)).status_code == 403
    response = Client().get(review_url(certified_pledge))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_console_download_is_404_until_ready(reviewer, pending):
    assert login(reviewer).get(review_url(pending)).status_code == 404
    assert login(reviewer).get(reverse("review:certificate", args=[999999])).status_code == 404


def test_the_console_page_shows_the_certificate(
    reviewer, administrator, certificate, certified_pledge
):
    page = (
        login(reviewer).get(reverse("review:pledge", args=[certified_pledge.pk])).content.decode()
    )
    assert certificate.number in page
    assert certificate.sha256 in page
    assert review_url(certified_pledge) in page
    assert reverse("public:verify", args=[certificate.number]) in page
    assert re.search(r"Attempts</dt><dd>1</dd>", page)
    assert "KB" in page  # the size
    assert rerender_url(certified_pledge) not in page  # reviewers cannot render again
    admin_page = login(administrator).get(reverse("review:pledge", args=[certified_pledge.pk]))
    assert rerender_url(certified_pledge) in admin_page.content.decode()
    assert "Render again" in admin_page.content.decode()


def test_the_console_page_shows_the_last_error_of_a_failed_certificate(reviewer, pending):
    certificate = Certificate.objects.get(pledge=pending)
    certificate_fail(certificate_id=certificate.pk, error="TemplateSyntaxError('bad tag')")
    page = login(reviewer).get(reverse("review:pledge", args=[pending.pk])).content.decode()
    assert "Failed" in page
    assert "TemplateSyntaxError(&#x27;bad tag&#x27;)" in page
    assert review_url(pending) not in page


def test_rendering_again_keeps_the_number_and_ends_ready(
    administrator, certificate, certified_pledge, django_capture_on_commit_callbacks
):
    client = login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(rerender_url(certified_pledge))
    assert response.status_code == 302
    assert response["Location"] == reverse("review:pledge", args=[certified_pledge.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The certificate is being rendered again, with the same number."
    ]
    again = Certificate.objects.get(pk=certificate.pk)
    assert again.state == Certificate.State.READY
    assert again.number == certificate.number
    assert again.issued_at == certificate.issued_at
    assert again.attempts == certificate.attempts + 1
    assert again.file.name != certificate.file.name
    pdf = again.file.open("rb").read()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == again.sha256
    event = AuditEvent.objects.get(action="certificate_rerendered")
    assert event.actor == administrator and event.details["number"] == certificate.number
    # The members download the new file.
    owner_download = login(certified_pledge.created_by).get(portal_url(certified_pledge))
    assert hashlib.sha256(body(owner_download)).hexdigest() == again.sha256


def test_a_failed_certificate_can_be_rendered_again(
    administrator, pending, django_capture_on_commit_callbacks
):
    certificate = Certificate.objects.get(pledge=pending)
    certificate_fail(certificate_id=certificate.pk, error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        login(administrator).post(rerender_url(pending))
    certificate.refresh_from_db()
    assert certificate.state == Certificate.State.READY
    assert certificate.error == ""
    assert re.fullmatch(r"CQ-\d{4}-\d{6}", certificate.number)


def test_reviewers_cannot_render_again(reviewer, certificate, certified_pledge):
    assert login(reviewer).post(rerender_url(certified_pledge)).status_code == 403
    assert login(reviewer).get(rerender_url(certified_pledge)).status_code == 405
    unchanged = Certificate.objects.get(pk=certificate.pk)
    assert (unchanged.state, unchanged.attempts) == (Certificate.State.READY, 1)
    assert not AuditEvent.objects.filter(action="certificate_rerendered").exists()


def test_a_revoked_pledges_certificate_is_not_rendered_again(
    administrator, reviewer, certificate, certified_pledge
):
    services.pledge_revoke(pledge=certified_pledge, actor=reviewer, reason=REASON)
    response = login(administrator).post(rerender_url(certified_pledge))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Only the certificate of an approved pledge can be rendered again."
    ]
    assert Certificate.objects.get(pk=certificate.pk).state == Certificate.State.READY
    page = (
        login(administrator)
        .get(reverse("review:pledge", args=[certified_pledge.pk]))
        .content.decode()
    )
    assert rerender_url(certified_pledge) not in page


def test_rendering_again_a_pledge_without_certificate_is_404(
    administrator, owner, enterprise, campaign
):
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    assert login(administrator).post(rerender_url(pledge)).status_code == 404
