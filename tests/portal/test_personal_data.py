"""Personal data (PIPL): a member downloads everything held about them; deleting the account
leaves none of it anywhere in the database; contacts of long-lapsed enterprises are removed."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import User
from pledges.models import AuditEvent, Campaign, Enterprise, Listing, Pledge
from pledges.services import pledges as services
from pledges.services.members import invitation_accept, invitation_create
from pledges.services.personal_data import lapsed_contacts_anonymise
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Secret-123"
TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.EmailField,
    models.GenericIPAddressField,
    models.JSONField,
)


@pytest.fixture
def member(campaign, reviewer, django_capture_on_commit_callbacks):
    """赵个人 joined 北京 by invitation, is its contact person, has a second address, filed
    an objection against another listing and was written to."""
    owner = factories.user("owner-pd@example.com")
    enterprise = factories.enterprise(owner)
    invitation = invitation_create(enterprise=enterprise, actor=owner, email="zhao@example.com")
    person = factories.user(
        "zhao@example.com", full_name="赵个人", signup_address="198.51.100.23", language="en"
    )
    EmailAddress.objects.create(user=person, email="zhao.second@example.net", verified=True)
    invitation_accept(invitation=invitation, actor=person)
    Enterprise.objects.filter(pk=enterprise.pk).update(
        contact_name="赵个人", contact_phone="139-0000-7777", contact_email="zhao@example.com"
    )
    with django_capture_on_commit_callbacks(execute=True):
        pledge = factories.submitted_pledge(enterprise, campaign, person)
        services.pledge_approve(pledge=pledge, actor=reviewer)
    other_owner = factories.user()
    other = factories.enterprise(other_owner, name="异议对象有限公司")
    listed = factories.submitted_pledge(other, campaign, other_owner)
    services.pledge_approve(pledge=listed, actor=reviewer)
    factories.objection(
        Listing.objects.get(pk=listed.pk),
        name="赵个人",
        email="zhao@example.com",
        statement="赵个人所述：该企业地址与执照不符。",
    )
    return {"user": person, "enterprise": enterprise, "pledge": pledge}


# The member's personal data, as the fixture made them: each must be in the export, and none
# anywhere after the deletion.
PERSONAL = [
    "zhao@example.com",
    "zhao.second@example.net",
    "赵个人",
    "198.51.100.23",
    "139-0000-7777",
    "13800001111",  # the objection's phone
    "203.0.113.9",  # the objection's client address
]


def test_the_export_holds_every_personal_field(client, member):
    client.force_login(member["user"])
    response = client.get("/portal/account/data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    text = response.content.decode()
    data = json.loads(text)
    for value in PERSONAL:
        assert value in text, value
    assert data["membership"]["enterprise"] == "北京质量测试有限公司"
    assert data["enterprise_contact"]["contact_phone"] == "139-0000-7777"
    assert {m["kind"] for m in data["messages"]} >= {"decision"}
    assert data["activity"] and data["pledges_created"][0]["id"] == member["pledge"].pk


def test_someone_else_cannot_download_it(client, member):
    assert client.get("/portal/account/data.json").status_code == 302  # to the login page
    client.force_login(factories.user("stranger@example.com"))
    assert "zhao@example.com" not in client.get("/portal/account/data.json").content.decode()


def rows_holding(value: str) -> list[str]:
    """Every (table, column) in the database that still holds ``value``."""
    found = []
    escaped = json.dumps(value)[1:-1]
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            column = Cast(field.name, TextField())
            condition = Q(scanned__icontains=value) | Q(scanned__icontains=escaped)
            if model._base_manager.annotate(scanned=column).filter(condition).exists():
                found.append(f"{model._meta.db_table}.{field.column}")
    return found


def test_deleting_the_account_leaves_no_personal_data(client, member):
    user = member["user"]
    published = list(Listing.objects.order_by("pk").values("name", "credit_code", "status"))
    pledges = Pledge.objects.count()
    # Some of it really is there before (the scan can find it).
    assert rows_holding("zhao@example.com") and rows_holding("赵个人")
    client.force_login(user)
    wrong = client.post(
        "/portal/account/delete/",
        {"password": "wrong", "confirm": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert wrong.status_code == 200
    assert "not correct" in " ".join(wrong.context["form"].errors["password"])
    assert User.objects.get(pk=user.pk).email == "zhao@example.com"
    done = client.post("/portal/account/delete/", {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302
    for value in PERSONAL:
        assert rows_holding(value) == [], value
    # Signed out, and no way back in.
    assert client.get("/portal/").status_code == 302
    assert not client.login(email="zhao@example.com", password=PASSWORD)
    # What the enterprise published stays; the trail says an account was deleted.
    assert list(Listing.objects.order_by("pk").values("name", "credit_code", "status")) == published
    assert Pledge.objects.count() == pledges
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ACCOUNT_DELETED, actor_id=user.pk
    ).exists()
    # The enterprise lost its contact person; its colleagues are asked for a new one.
    enterprise = Enterprise.objects.get(pk=member["enterprise"].pk)
    assert (enterprise.contact_name, enterprise.contact_email) == ("", "")


def test_staff_accounts_are_not_deleted_here(client, reviewer):
    reviewer.set_password(PASSWORD)
    reviewer.save()
    client.force_login(reviewer)
    response = client.post("/portal/account/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.is_active and reviewer.email == "reviewer@association.example"


def test_contacts_of_long_lapsed_enterprises_are_removed(settings, reviewer):
    settings.CONTACT_RETENTION_YEARS = 5
    year = timezone.now().year
    old_campaign = factories.campaign(year - 7)
    lapsed_owner = factories.user()
    lapsed = factories.enterprise(lapsed_owner, name="久未签署有限公司")
    pledge = factories.submitted_pledge(lapsed, old_campaign, lapsed_owner)
    services.pledge_approve(pledge=pledge, actor=reviewer)
    factories.enterprise(factories.user(), name="新注册有限公司")
    active_owner = factories.user()
    active = factories.enterprise(active_owner, name="持续签署有限公司")
    last = factories.campaign(year - 1)
    services.pledge_approve(
        pledge=factories.submitted_pledge(active, last, active_owner), actor=reviewer
    )
    long_ago = timezone.now() - timedelta(days=7 * 366)
    Enterprise.objects.filter(pk__in=[lapsed.pk, active.pk]).update(created_at=long_ago)
    Campaign.objects.filter(pk__in=[old_campaign.pk, last.pk]).update(
        opens_at=long_ago, closes_at=long_ago + timedelta(days=30)
    )
    assert lapsed_contacts_anonymise() == 1
    contacts = dict(Enterprise.objects.values_list("name", "contact_phone"))
    assert contacts == {
        "久未签署有限公司": "",
        "新注册有限公司": "010-88886666",
        "持续签署有限公司": "010-88886666",
    }
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CONTACTS_ANONYMISED, enterprise=lapsed
    ).exists()
    assert lapsed_contacts_anonymise() == 0
