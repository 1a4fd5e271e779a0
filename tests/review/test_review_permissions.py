"""Who may open each /review/ URL: every pattern, every role.

The walk covers every URL pattern under /review/; a new pattern without an entry in
tests/url_access.py (REVIEW_URLS, which the site-wide walk in tests/security/test_url_walk.py
also reads) fails the test, so nothing is added to the console without deciding who may see it.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import BlockedSource
from pledges.models import BannedTerm, Certificate, Listing, OutboxMessage, Pledge
from pledges.services import certificates
from pledges.services.enterprises import enterprise_update
from pledges.services.imports import signatories_import
from pledges.services.pledges import pledge_approve
from tests import factories
from tests.url_access import REVIEW_URLS, url_patterns

pytestmark = pytest.mark.django_db


def review_url_names():
    return {pattern.name for pattern in url_patterns() if pattern.namespace == "review"}


def test_every_review_url_is_in_the_matrix():
    assert review_url_names() == set(REVIEW_URLS)


@pytest.fixture
def review_walk(
    owner, enterprise, campaign, administrator, django_capture_on_commit_callbacks, monkeypatch
):
    reviewer = factories.staff("reviewer@example.com")
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    # The licence scan, so its URL answers with a file for those allowed.
    enterprise.licence_scan.save("l.png", factories.upload(factories.png_bytes()), save=True)
    # Another enterprise's pledge, approved with its certificate rendered, so the certificate
    # URLs answer with a file for those allowed. A blank PDF stands in for the rendering:
    # this walk is about who may see what, and WeasyPrint would triple its time.
    monkeypatch.setattr(certificates, "render_pdf", lambda data: factories.pdf_bytes())
    other_owner = factories.user("other-owner@example.com")
    other = factories.enterprise(other_owner, name="上海认证测试有限公司")
    certified = factories.submitted_pledge(other, campaign, other_owner)
    with django_capture_on_commit_callbacks(execute=True):
        pledge_approve(pledge=certified, actor=reviewer)
    assert Certificate.objects.get(pledge=certified).state == Certificate.State.READY
    change = enterprise_update(enterprise=other, actor=other_owner, profile={"city": "松江区"})
    objection = factories.objection(
        Listing.objects.get(pk=certified.pk), evidence=factories.png_bytes()
    )
    return {
        "objection": objection,
        "blocked": BlockedSource.objects.create(kind="address", value="198.51.100.7"),
        "signatory_import": signatories_import(
            year=campaign.year - 5,
            file_name="earlier.csv",
            data=f"企业名称,统一社会信用代码\n甲公司,{factories.credit_code()}\n".encode(),
        ).record,
        "change": change.change,
        "banned": BannedTerm.objects.order_by("pk").first(),
        "anonymous": None,
        "enterprise": owner,
        "reviewer": reviewer,
        "administrator": administrator,
        "pledge": pledge,
        "certified": certified,
        "campaign": campaign,
    }


def url_for(name, review_walk):
    kwargs = {
        "pledge": {"pledge_id": review_walk["pledge"].pk},
        "stamped_page": {"pledge_id": review_walk["pledge"].pk},
        "licence_scan": {"pledge_id": review_walk["pledge"].pk},
        "claim": {"pledge_id": review_walk["pledge"].pk},
        "release": {"pledge_id": review_walk["pledge"].pk},
        "add_note": {"pledge_id": review_walk["pledge"].pk},
        "decide": {"pledge_id": review_walk["pledge"].pk, "decision": "approve"},
        "campaign_edit": {"year": review_walk["campaign"].year},
        "campaign_checklist": {"year": review_walk["campaign"].year},
        "campaign_open": {"year": review_walk["campaign"].year},
        "campaign_close": {"year": review_walk["campaign"].year},
        "staff_remove": {"user_id": review_walk["reviewer"].pk, "role": "reviewer"},
        "certificate": {"pledge_id": review_walk["certified"].pk},
        "certificate_rerender": {"pledge_id": review_walk["certified"].pk},
        "change": {"change_id": review_walk["change"].pk},
        "change_approve": {"change_id": review_walk["change"].pk},
        "change_reject": {"change_id": review_walk["change"].pk},
        "banned_term_remove": {"term_id": review_walk["banned"].pk},
        "message_retry": {"message_id": OutboxMessage.objects.order_by("pk").first().pk},
        "objection": {"objection_id": review_walk["objection"].pk},
        "objection_answer": {"objection_id": review_walk["objection"].pk},
        "objection_evidence": {"evidence_id": review_walk["objection"].evidence.get().pk},
        "unblock": {"blocked_id": review_walk["blocked"].pk},
        "import_report": {"import_id": review_walk["signatory_import"].pk},
    }.get(name, {})
    return reverse(f"review:{name}", kwargs=kwargs)


@pytest.mark.parametrize("role", ["anonymous", "enterprise", "reviewer", "administrator"])
@pytest.mark.parametrize("name", sorted(REVIEW_URLS))
def test_review_url_permissions(name, role, review_walk):
    method, audience = REVIEW_URLS[name]
    client = Client()
    if review_walk[role] is not None:
        client.force_login(review_walk[role])
    url = url_for(name, review_walk)
    state_before = Pledge.objects.get(pk=review_walk["pledge"].pk).state
    certificate_before = certificate_state(review_walk)
    response = getattr(client, method)(url)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    elif role == "enterprise" or (role == "reviewer" and audience == "administrator"):
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302), response.status_code
    if role in ("anonymous", "enterprise"):
        # Nothing changed for those turned away.
        assert Pledge.objects.get(pk=review_walk["pledge"].pk).state == state_before
    if role in ("anonymous", "enterprise") or (role == "reviewer" and audience == "administrator"):
        assert certificate_state(review_walk) == certificate_before


def certificate_state(review_walk):
    return Certificate.objects.values_list("state", "attempts", "file").get(
        pledge=review_walk["certified"]
    )


@pytest.mark.parametrize("name", sorted(n for n, (m, _) in REVIEW_URLS.items() if m == "post"))
def test_state_changing_review_urls_refuse_get(name, review_walk):
    client = Client()
    client.force_login(review_walk["administrator"])
    assert client.get(url_for(name, review_walk)).status_code == 405


@pytest.mark.parametrize("name", sorted(n for n, (m, _) in REVIEW_URLS.items() if m == "post"))
def test_state_changing_review_urls_need_csrf(name, review_walk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(review_walk["administrator"])
    assert client.post(url_for(name, review_walk)).status_code == 403


def test_the_certificate_is_served_to_reviewers_with_no_store(review_walk):
    client = Client()
    client.force_login(review_walk["reviewer"])
    response = client.get(url_for("certificate", review_walk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_private_files_are_served_to_reviewers_only_with_no_store(review_walk):
    client = Client()
    client.force_login(review_walk["reviewer"])
    response = client.get(url_for("stamped_page", review_walk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
