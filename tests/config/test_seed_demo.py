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
