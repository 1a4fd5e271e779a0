"""Public reads on a replica (DATABASE_REPLICA_URL): two real databases, rows copied from the
primary to the replica by hand, as streaming replication would."""

import pytest

from accounts.models import User
from pledges.models import (
    Campaign,
    Enterprise,
    Industry,
    Listing,
    ListingTally,
    Pledge,
    Province,
    PublicDataVersion,
)

# What a listing refers to, in the order rows can be inserted.
RECORD = (
    Province,
    Industry,
    User,
    Enterprise,
    Campaign,
    Pledge,
    PublicDataVersion,
    Listing,
    ListingTally,
)

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def replicate(models=RECORD):
    """Make the replica's rows of ``models`` the primary's (what replication does)."""
    for model in reversed(models):
        if model not in (Province, Industry):  # reference data: the same on both
            model.objects.using("replica").all().delete()
    for model in models:
        rows = model.objects.using("default").order_by("pk")
        model.objects.using("replica").bulk_create(rows, ignore_conflicts=True)


@pytest.fixture
def on_replica(settings):
    settings.PUBLIC_READS_ON_REPLICA = True
    PublicDataVersion.forget()
    yield
    PublicDataVersion.forget()


def test_public_pages_read_the_replica_and_decisions_write_the_primary(
    client, publish, settings, django_capture_on_commit_callbacks
):
    pledge = publish("复制库企业有限公司")
    assert Listing.objects.using("default").filter(pk=pledge.pk).exists()
    assert not Listing.objects.using("replica").exists()
    replicate(RECORD[:5])  # the reference data and the campaign, not the approval

    settings.PUBLIC_READS_ON_REPLICA = True
    PublicDataVersion.forget()
    # The replica has not received the approval yet: the public list does not show it.
    assert "复制库企业有限公司" not in client.get("/pledges/").content.decode()

    replicate()
    PublicDataVersion.forget()
    assert "复制库企业有限公司" in client.get("/pledges/").content.decode()
    assert client.get(f"/pledges/{pledge.pk}/").status_code == 200
    stats = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Beijing" in stats

    # The portal, the console and every write stay on the primary.
    ListingTally.objects.using("replica").all().delete()
    Listing.objects.using("replica").all().delete()
    assert pledge.enterprise.is_published() is False  # a bare read outside a transaction
    from django.db import transaction

    with transaction.atomic():
        assert pledge.enterprise.is_published() is True  # inside one: the primary


def test_without_a_replica_every_read_is_on_the_primary(client, publish):
    pledge = publish("主库企业有限公司")
    assert "主库企业有限公司" in client.get("/pledges/").content.decode()
    assert not Listing.objects.using("replica").filter(pk=pledge.pk).exists()
