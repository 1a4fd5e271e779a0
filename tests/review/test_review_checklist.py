"""The stamped-page checklist: per campaign, ticked with each approval, blocking approval
until the mandatory items are ticked, and shown on the console's timeline."""

import pytest
from django.utils import timezone

from pledges.errors import ChecklistIncomplete
from pledges.models import AuditEvent, ChecklistItem, Pledge
from pledges.services.campaigns import campaign_create, checklist_set
from pledges.services.pledges import pledge_approve
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(administrator):
    now = timezone.now()
    return campaign_create(
        actor=administrator,
        year=now.year,
        title="企业质量诚信倡议",
        pledge_text=factories.PLEDGE_TEXT,
        opens_at=now - timezone.timedelta(days=1),
        closes_at=now + timezone.timedelta(days=30),
    )


@pytest.fixture
def submitted(campaign, owner, enterprise):
    return factories.submitted_pledge(enterprise, campaign, owner)


def item_ids(campaign, *, mandatory=True) -> list[int]:
    return list(campaign.checklist.filter(mandatory=mandatory).values_list("pk", flat=True))


def test_a_new_campaign_starts_with_the_three_checks(campaign):
    items = list(campaign.checklist.all())
    assert [item.text_en for item in items] == [text_en for _t, text_en in ChecklistItem.DEFAULTS]
    assert all(item.mandatory for item in items)


def test_the_service_refuses_approval_until_every_mandatory_item_is_ticked(
    campaign, submitted, reviewer
):
    ids = item_ids(campaign)
    with pytest.raises(ChecklistIncomplete):
        pledge_approve(pledge=submitted, actor=reviewer, checked=ids[:2])
    submitted.refresh_from_db()
    assert submitted.state == Pledge.State.SUBMITTED
    pledge_approve(pledge=submitted, actor=reviewer, checked=ids)
    event = AuditEvent.objects.get(pledge=submitted, action=AuditEvent.Action.PLEDGE_APPROVED)
    assert [tick["checked"] for tick in event.details["checklist"]] == [True, True, True]


def test_the_approval_page_asks_for_the_ticks_and_records_them(
    campaign, submitted, reviewer, client
):
    checklist_set(
        campaign=campaign,
        actor=reviewer,
        items=[
            *[
                {"text": i.text, "text_en": i.text_en, "mandatory": True}
                for i in campaign.checklist.all()
            ],
            {"text": "附件齐全", "text_en": "Attachments complete", "mandatory": False},
        ],
    )
    client.force_login(reviewer)
    url = f"/review/pledges/{submitted.pk}/approve/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('type="checkbox" name="checked"') == 4
    assert "The page is complete and legible (mandatory)" in page
    # One mandatory item left out: refused at the field, nothing decided.
    ids = item_ids(campaign)
    response = client.post(url, {"checked": ids[:2]}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["checked"])
    assert "The page is complete and legible" in errors
    submitted.refresh_from_db()
    assert submitted.state == Pledge.State.SUBMITTED
    # Every mandatory item ticked; the optional one not.
    response = client.post(url, {"checked": ids}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Pledge.State.APPROVED
    ticks = AuditEvent.objects.get(
        pledge=submitted, action=AuditEvent.Action.PLEDGE_APPROVED
    ).details["checklist"]
    assert [(t["text_en"], t["checked"]) for t in ticks][-1] == ("Attachments complete", False)
    timeline = client.get(f"/review/pledges/{submitted.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = timeline.content.decode()
    assert html.count("Ticked:") == 3 and html.count("Not ticked:") == 1
    # The enterprise's own timeline shows the decision, not the reviewer's checklist.
    client.force_login(submitted.created_by)
    assert "Ticked:" not in client.get(f"/portal/pledges/{submitted.pk}/").content.decode()


def test_bulk_approval_ticks_once_for_every_pledge(campaign, submitted, reviewer, client, publish):
    other = publish("另一家质量有限公司", state="submitted")
    client.force_login(reviewer)
    selected = {"pledge": [submitted.pk, other.pk]}
    confirm = client.post("/review/bulk-approve/", selected, HTTP_ACCEPT_LANGUAGE="en")
    assert "of every selected pledge" in confirm.content.decode()
    refused = client.post("/review/bulk-approve/", {**selected, "confirmed": "yes"})
    assert refused.status_code == 400
    assert Pledge.objects.filter(state=Pledge.State.APPROVED).count() == 0
    done = client.post(
        "/review/bulk-approve/", {**selected, "confirmed": "yes", "checked": item_ids(campaign)}
    )
    assert done.status_code == 302
    assert Pledge.objects.filter(state=Pledge.State.APPROVED).count() == 2


def test_administrators_edit_the_checklist(campaign, administrator, reviewer, client):
    url = f"/review/campaigns/{campaign.year}/checklist/"
    client.force_login(reviewer)
    assert client.get(url).status_code == 403
    client.force_login(administrator)
    page = client.get(url)
    assert page.status_code == 200
    items = list(campaign.checklist.all())
    data = {
        "form-TOTAL_FORMS": "5",
        "form-INITIAL_FORMS": "3",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "20",
    }
    for i, item in enumerate(items):
        data |= {f"form-{i}-text": item.text, f"form-{i}-text_en": item.text_en}
        data[f"form-{i}-mandatory"] = "on"
    data["form-1-DELETE"] = "on"  # the signer and date: removed
    data["form-2-mandatory"] = ""  # legibility: optional now
    data |= {"form-3-text": "骑缝章完整", "form-3-text_en": "Perforation seal complete"}
    data["form-3-mandatory"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(campaign.checklist.values_list("text_en", "mandatory")) == [
        (items[0].text_en, True),
        (items[2].text_en, False),
        ("Perforation seal complete", True),
    ]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.CAMPAIGN_UPDATED).latest("pk")
    assert event.details["changed"] == ["checklist"] and event.actor == administrator
    # An English text without the Chinese one is refused at its field, and nothing changes.
    data |= {"form-4-text_en": "Only English"}
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "in Chinese too" in " ".join(refused.context["formset"].forms[4].errors["text"])
    assert campaign.checklist.count() == 3
