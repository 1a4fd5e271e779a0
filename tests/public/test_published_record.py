"""The published record: the public sees exactly what a reviewer approved.

An approved enterprise's edit of a public detail waits for review and reaches no public
surface (list, search, enterprise page, API and feed, CSV, sitemap, verify, statistics) until
a reviewer approves it; then it reaches all of them at once, with the correction in the
page's history, and a rename supersedes the certificate. A take-down leaves no trace.
"""

import re
import time
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.forms.models import model_to_dict

from pledges.models import (
    AuditEvent,
    Certificate,
    Listing,
    ListingTally,
    ProfileChange,
    PublicDataVersion,
)
from pledges.services import pledges as services
from pledges.services.certificates import certificate_issue
from pledges.services.enterprises import profile_change_approve, profile_change_reject
from pledges.services.publication import record_drift, record_rebuild
from tests import factories

pytestmark = pytest.mark.django_db

OLD = "诚实守信质量有限公司"
SPAM = "澳门真人线上娱乐城有限公司"


def edit_form(enterprise, **changes) -> dict:
    data = {
        name: getattr(enterprise, name)
        for name in ("name", "name_en", "city", "legal_representative", "address", "website")
    }
    data |= {
        "province": enterprise.province_id,
        "industry": enterprise.industry_id,
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "contact_email": enterprise.contact_email,
    }
    return data | changes


def public_text(client, pledge, number: str, *, search_code: bool = True) -> str:
    """Every public surface, concatenated, as an anonymous visitor reads them (a search by
    credit code echoes the code it was asked for: ``search_code`` leaves it out)."""
    client.logout()
    year = pledge.campaign.year
    urls = [
        "/pledges/",
        "/pledges/?year=",
        f"/pledges/?q={quote('真人')}",
        f"/pledges/?q={quote('诚实')}",
        *([f"/pledges/?q={pledge.enterprise.credit_code}"] if search_code else []),
        f"/pledges/{pledge.pk}/",
        "/api/pledges/?year=",
        "/api/pledges/?year=&since=2000-01-01T00:00:00Z",
        f"/api/pledges/?q={quote('真人')}",
        f"/stats/?year={year}",
        "/sitemap-pledges.xml",
        f"/verify/{number}/",
    ]
    parts = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404, 410), url
        parts.append(response.content.decode())
    export = client.get("/pledges/export.csv?year=")
    parts.append(b"".join(export.streaming_content).decode("utf-8"))
    return "\n".join(parts)


@pytest.fixture
def published(owner, enterprise, campaign, reviewer, django_capture_on_commit_callbacks):
    type(enterprise).objects.filter(pk=enterprise.pk).update(name=OLD)
    enterprise.refresh_from_db()
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    pledge.refresh_from_db()
    return pledge


def test_a_rename_reaches_no_public_surface_until_a_reviewer_approves_it(
    client, owner, reviewer, published, django_capture_on_commit_callbacks
):
    enterprise = published.enterprise
    number = Certificate.objects.get(pledge=published).number
    assert number
    text = public_text(client, published, number)
    assert OLD in text and SPAM not in text

    client.force_login(owner)
    response = client.post(
        "/portal/enterprise/edit/", edit_form(enterprise, name=SPAM, contact_name="新联系人")
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.name == OLD  # the approved name stays until review
    assert enterprise.contact_name == "新联系人"  # private details change at once
    change = ProfileChange.objects.get(enterprise=enterprise, state="pending")
    assert change.changes == {"name": [OLD, SPAM]}
    portal = client.get("/portal/enterprise/").content.decode()
    assert SPAM in portal and "<del>" in portal  # the member sees what waits for review

    text = public_text(client, published, number)
    assert SPAM not in text
    assert OLD in text
    assert "valid" in text.lower() or "有效" in text

    # The reviewer sees the diff in the console, and approves it.
    client.force_login(reviewer)
    queue = client.get("/review/changes/").content.decode()
    assert OLD in queue
    detail = client.get(f"/review/changes/{change.pk}/").content.decode()
    assert f"<del>{OLD}</del>" in detail and f"<ins>{SPAM}</ins>" in detail
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/review/changes/{change.pk}/approve/")
    assert response.status_code == 302

    text = public_text(client, published, number)
    assert time.monotonic() - started < 2
    assert SPAM in text
    page = client.get(f"/pledges/{published.pk}/").content.decode()
    assert re.search(rf"<td>{OLD}</td><td>{SPAM}</td>", page)  # the correction history

    # The old certificate verifies as superseded with the name it was issued for; a new
    # number carries the new name.
    old = client.get(f"/verify/{number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert old.context["verification"].outcome == "superseded"
    assert old.context["verification"].enterprise_name == OLD
    certificate = Certificate.objects.get(pledge=published)
    assert certificate.state == "ready" and certificate.number != number
    new = client.get(f"/verify/{certificate.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert new.context["verification"].outcome == "valid"
    assert new.context["verification"].enterprise_name == SPAM
    assert old.context["verification"].replaced_by in ("", certificate.number)
    assert record_drift() == []


def test_private_details_change_at_once_and_a_rejected_change_publishes_nothing(
    owner_client, reviewer, published
):
    enterprise = published.enterprise
    owner_client.post(
        "/portal/enterprise/edit/",
        edit_form(enterprise, city="怀柔区", address="新地址路1号", website="https://q.example"),
    )
    change = ProfileChange.objects.get(enterprise=enterprise)
    assert set(change.changes) == {"city", "website"}
    enterprise.refresh_from_db()
    assert enterprise.address == "新地址路1号" and enterprise.city != "深圳市"
    profile_change_reject(change=change, actor=reviewer, reason="与营业执照不符")
    listing = Listing.objects.get(pk=published.pk)
    assert listing.city == enterprise.city and listing.website == ""
    assert listing.corrections == []
    assert AuditEvent.objects.filter(action="profile_change_rejected").count() == 1


def test_an_approved_move_updates_the_statistics(reviewer, published, owner):
    enterprise = published.enterprise
    key = {"year": published.campaign.year, "status": "listed"}
    assert ListingTally.objects.get(province="11", **key).count == 1
    from pledges.services.enterprises import enterprise_update

    update = enterprise_update(
        enterprise=enterprise,
        actor=owner,
        profile=factories.profile(
            name=OLD, province=factories.Province.objects.get(code="44"), city="广州市"
        ),
    )
    profile_change_approve(change=update.change, actor=reviewer)
    assert ListingTally.objects.get(province="11", **key).count == 0
    assert ListingTally.objects.get(province="44", **key).count == 1
    [entry_city, entry_province] = sorted(
        Listing.objects.get(pk=published.pk).corrections, key=lambda e: e["field"]
    )
    assert entry_province == {
        "on": entry_province["on"],
        "field": "province",
        "before": "11",
        "after": "44",
    }


def test_asking_again_replaces_the_waiting_change(owner_client, published):
    enterprise = published.enterprise
    owner_client.post("/portal/enterprise/edit/", edit_form(enterprise, name="第一次改名有限公司"))
    owner_client.post("/portal/enterprise/edit/", edit_form(enterprise, name="第二次改名有限公司"))
    [change] = ProfileChange.objects.filter(enterprise=enterprise)
    assert change.changes["name"][1] == "第二次改名有限公司"
    owner_client.post("/portal/enterprise/change/withdraw/")
    change.refresh_from_db()
    assert change.state == "withdrawn"


def test_before_anything_is_published_the_profile_changes_freely(owner_client, enterprise):
    response = owner_client.post("/portal/enterprise/edit/", edit_form(enterprise, name=SPAM))
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.name == SPAM
    assert not ProfileChange.objects.exists()


def test_a_take_down_leaves_no_trace_on_any_public_surface(
    client, reviewer, published, django_capture_on_commit_callbacks
):
    number = Certificate.objects.get(pledge=published).number
    code = published.enterprise.credit_code
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/review/pledges/{published.pk}/take_down/", {"reason": "名称含违法信息"}
        )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.state == "revoked"
    text = public_text(client, published, number, search_code=False)
    assert OLD not in text and code not in text and "名称含违法信息" not in text
    found = client.get(f"/pledges/?q={code}", HTTP_ACCEPT_LANGUAGE="en")
    assert "0 signatories" in found.content.decode()
    assert client.get(f"/pledges/{published.pk}/").status_code == 410
    [item] = client.get("/api/pledges/?year=").json()["results"]
    assert item == {
        "id": published.pk,
        "state": "removed",
        "year": published.campaign.year,
        "updated_at": item["updated_at"],
    }
    verify = client.get(f"/verify/{number}/")
    assert verify.context["verification"].outcome == "revoked"
    assert record_drift() == []


def test_the_rebuild_reproduces_the_record_and_the_check_reports_drift(
    publish, reviewer, owner, published, django_capture_on_commit_callbacks
):
    publish("撤销企业有限公司", state="revoked")
    taken = publish("下架企业有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_take_down(pledge=taken, actor=reviewer, reason="违规")
    from pledges.services.enterprises import enterprise_update

    update = enterprise_update(
        enterprise=published.enterprise,
        actor=owner,
        profile=factories.profile(name="更名后质量有限公司"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        profile_change_approve(change=update.change, actor=reviewer)
    fields = [f.name for f in Listing._meta.fields if f.name not in ("sequence", "changed_at")]
    before = {row.pk: model_to_dict(row, fields) for row in Listing.objects.all()}
    tallies = sorted(
        ListingTally.objects.exclude(count=0).values_list("year", "province", "status", "count")
    )
    assert len(before) == 3
    call_command("rebuild_published", "--check")  # no drift: exits quietly

    Listing.objects.filter(pk=published.pk).update(name="被改动的名字")
    ListingTally.objects.all().delete()
    Listing.objects.filter(pk=taken.pk).delete()
    with pytest.raises(CommandError):
        call_command("rebuild_published", "--check")
    drift = record_drift()
    assert any("被改动的名字" in line for line in drift)
    assert any(f"listing {taken.pk}: missing" in line for line in drift)

    assert record_rebuild() == 2
    after = {row.pk: model_to_dict(row, fields) for row in Listing.objects.all()}
    assert after == before
    assert (
        sorted(
            ListingTally.objects.exclude(count=0).values_list("year", "province", "status", "count")
        )
        == tallies
    )
    assert record_drift() == []


def test_public_pages_answer_304_until_the_record_changes(
    client, publish, reviewer, django_capture_on_commit_callbacks
):
    pledge = publish("协商缓存有限公司", state="submitted")
    publish("已公布企业有限公司")
    for url in ("/pledges/", "/api/pledges/", "/stats/"):
        first = client.get(url)
        etag = first["ETag"]
        assert etag.startswith('W/"') and first["Last-Modified"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, actor=reviewer)
    again = client.get("/pledges/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and "协商缓存有限公司" in again.content.decode()
    assert PublicDataVersion.current().version > 1


def test_a_decision_in_another_process_is_public_within_two_seconds(
    client, publish, reviewer, monkeypatch
):
    """Another web process only sees the version row change; its copy lives READ_TTL."""
    pledge = publish("别处批准有限公司", state="submitted")
    assert "别处批准有限公司" not in client.get("/pledges/").content.decode()
    services.pledge_approve(pledge=pledge, actor=reviewer)  # no commit hook runs here
    assert PublicDataVersion.READ_TTL < 2
    time.sleep(PublicDataVersion.READ_TTL + 0.05)
    assert "别处批准有限公司" in client.get("/pledges/").content.decode()


def test_the_certificate_prints_the_approved_name(published, owner, reviewer):
    from pledges.services.enterprises import enterprise_update

    enterprise_update(
        enterprise=published.enterprise, actor=owner, profile=factories.profile(name=SPAM)
    )
    certificate = Certificate.objects.get(pledge=published)
    Certificate.objects.filter(pk=certificate.pk).update(state="pending")
    certificate_issue(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(certificate.file.open("rb")).pages)
    assert OLD in text.replace(" ", "") and SPAM not in text.replace(" ", "")


def test_a_filtered_feed_reports_a_take_down_too(client, reviewer, publish, published):
    publish("上海其他企业有限公司", province="31")
    services.pledge_take_down(pledge=published, actor=reviewer, reason="违规")
    for query in ("province=11", "province=11&industry=13", "province=11&industry=C", "q=诚实"):
        items = client.get(f"/api/pledges/?year=&{query}").json()["results"]
        assert [(i["id"], i["state"]) for i in items] == [(published.pk, "removed")], query
    others = client.get("/api/pledges/?year=&province=31").json()["results"]
    assert [i["state"] for i in others] == ["approved"]


def test_editing_contacts_while_a_change_waits_says_only_that_the_profile_is_saved(
    owner_client, published
):
    enterprise = published.enterprise
    asked = owner_client.post(
        "/portal/enterprise/edit/",
        edit_form(enterprise, name="等待中的新名称有限公司"),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert [str(m) for m in asked.context["messages"]] == [
        "Your change of public details is waiting for review: the public list shows it once "
        "a reviewer approves it."
    ]
    response = owner_client.post(
        "/portal/enterprise/edit/",
        edit_form(enterprise, contact_name="另一位联系人"),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert [str(m) for m in response.context["messages"]] == ["The profile is saved."]
    [change] = ProfileChange.objects.filter(enterprise=enterprise, state="pending")
    assert change.changes["name"][1] == "等待中的新名称有限公司"  # still waiting, untouched
