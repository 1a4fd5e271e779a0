"""Abuse controls: administrators see this week's top sources of objections and sign-ups and
block an address or an e-mail domain; sign-ups and objections from it are refused."""

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import BlockedSource, User
from pledges.models import AuditEvent, Listing, Objection

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]

PASSWORD = "Quality-Month-2026"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def visitor():
    """Someone without an account (administrator_client is the ``client`` fixture, signed in)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def listed(publish):
    return Listing.objects.get(pk=publish("被滥用异议企业有限公司").pk)


def objection_data(email: str) -> dict:
    return {
        "name": "赵六", "email": email, "phone": "", "relationship": "other",
        "grounds": ["other"], "statement": "这是一条用于测试来源统计的异议陈述内容。",
        "truthful": "on",
    }  # fmt: skip


def test_the_week_s_top_sources_are_counted(visitor, administrator_client, listed):
    for address, email in [
        ("203.0.113.5", "a@flood.example"),
        ("203.0.113.5", "b@flood.example"),
        ("198.51.100.2", "c@other.example"),
    ]:
        visitor.post(f"/pledges/{listed.pk}/object/", objection_data(email), REMOTE_ADDR=address)
    visitor.post(
        "/accounts/signup/",
        {"email": "new@flood.example", "password1": PASSWORD, "password2": PASSWORD},
        REMOTE_ADDR="203.0.113.5",
    )
    assert User.objects.get(email="new@flood.example").signup_address == "203.0.113.5"
    page = administrator_client.get("/review/abuse/").content.decode()
    objections = page.split("Objections by client address")[1].split("</table>")[0]
    assert objections.index("203.0.113.5") < objections.index("198.51.100.2")
    assert "<td>203.0.113.5</td><td>2</td>" in objections
    domains = page.split("Objections by e-mail domain")[1].split("</table>")[0]
    assert "<td>flood.example</td><td>2</td>" in domains
    signups = page.split("Sign-ups by e-mail domain")[1].split("</table>")[0]
    assert "<td>flood.example</td><td>1</td>" in signups


def test_a_blocked_address_or_domain_can_neither_object_nor_sign_up(
    visitor, administrator_client, listed
):
    refused = administrator_client.post(
        "/review/abuse/", {"kind": "address", "value": "not an address"}
    )
    assert "Enter an IP address" in refused.content.decode()
    for kind, value in (("address", "203.0.113.66"), ("domain", "@Flood.Example")):
        assert (
            administrator_client.post(
                "/review/abuse/", {"kind": kind, "value": value, "reason": "批量虚假异议"}
            ).status_code
            == 302
        )
    assert set(BlockedSource.objects.values_list("value", flat=True)) == {
        "203.0.113.66", "flood.example",
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="source_blocked").count() == 2

    by_address = visitor.post(
        f"/pledges/{listed.pk}/object/",
        objection_data("x@fine.example"),
        REMOTE_ADDR="203.0.113.66",
    )
    by_domain = visitor.post(f"/pledges/{listed.pk}/object/", objection_data("x@flood.example"))
    for response in (by_address, by_domain):
        assert "Objections from this network or e-mail domain are not accepted" in (
            response.content.decode()
        )
    assert not Objection.objects.exists()

    signup = {"password1": PASSWORD, "password2": PASSWORD}
    blocked_domain = visitor.post("/accounts/signup/", {**signup, "email": "y@flood.example"})
    assert "addresses of this e-mail domain are not accepted" in blocked_domain.content.decode()
    closed = visitor.post(
        "/accounts/signup/", {**signup, "email": "z@fine.example"}, REMOTE_ADDR="203.0.113.66"
    )
    assert not User.objects.filter(email__in=["y@flood.example", "z@fine.example"]).exists()
    assert closed.status_code == 200

    blocked = BlockedSource.objects.get(value="flood.example")
    assert administrator_client.post(f"/review/abuse/{blocked.pk}/remove/").status_code == 302
    assert AuditEvent.objects.filter(action="source_unblocked").count() == 1
    allowed = visitor.post(f"/pledges/{listed.pk}/object/", objection_data("x@flood.example"))
    assert allowed.status_code == 302
