"""Keys: rotation keeps what old keys signed verifying; private keys stay private."""

import shutil

import pytest
from django.core.management import call_command

from pledges.certificates import keys
from pledges.certificates.checks import signing_keys
from pledges.certificates.credentials import read_token
from pledges.certificates.verification import PASSED, report_for_number, report_for_pdf
from pledges.models import Certificate
from pledges.public.verify import standing
from pledges.services import pledges as services
from tests import factories


@pytest.fixture
def own_keys(settings, tmp_path):
    """A copy of the test keys this test may rotate."""
    folder = tmp_path / "keys"
    shutil.copytree(settings.SIGNING_KEYS_DIR, folder)
    settings.SIGNING_KEYS_DIR = str(folder)
    return folder


def test_a_rotated_key_keeps_old_certificates_valid(
    own_keys, client, campaign, reviewer, django_capture_on_commit_callbacks
):
    def certified(name):
        owner = factories.user(f"{name}@example.com")
        enterprise = factories.enterprise(owner, name=f"{name}质量有限公司")
        pledge = factories.submitted_pledge(enterprise, campaign, owner)
        with django_capture_on_commit_callbacks(execute=True):
            services.pledge_approve(pledge=pledge, actor=reviewer)
        return Certificate.objects.get(pledge=pledge)

    old = certified("甲")
    old_kid = keys.current_key_id()
    call_command("create_signing_key", "--dev")
    new_kid = keys.current_key_id()
    assert new_kid > old_kid
    # The old private key may go once it signs no more: what it signed keeps verifying.
    (own_keys / "keys" / old_kid / keys.KEY_FILE).unlink()
    new = certified("乙")

    assert read_token(old.credential)[0]["kid"] == old_kid
    assert read_token(new.credential)[0]["kid"] == new_kid
    for certificate in (old, new):
        report = report_for_pdf(certificate.file.read(), standing)
        assert {check.outcome for check in report.checks} == {PASSED}, report.checks
        report = report_for_number(
            certificate.number, certificate.credential, standing(certificate.number)
        )
        assert [c.name for c in report.checks if c.outcome == PASSED] == [
            "signature",
            "issuer",
            "status",
            "validity",
        ]
    published = [key["kid"] for key in client.get("/credentials/keys.json").json()["keys"]]
    assert published == [old_kid, new_kid]


def test_a_private_key_others_can_read_is_refused(own_keys):
    assert not [e for e in signing_keys() if e.id == "pledges.E020"]
    key_file = keys.private_key_files()[0]
    key_file.chmod(0o644)
    [error] = [e for e in signing_keys() if e.id == "pledges.E020"]
    assert str(key_file) in error.msg


def test_new_private_keys_are_owner_only(own_keys):
    call_command("create_signing_key", "--dev")
    for path in keys.private_key_files():
        assert not keys.readable_by_others(path), path


def test_no_key_is_a_warning_and_issuing_waits(settings, tmp_path):
    settings.SIGNING_KEYS_DIR = str(tmp_path / "empty")
    assert [e.id for e in signing_keys()] == ["pledges.W020"]
    with pytest.raises(keys.SigningKeyMissing):
        keys.signing_key()


def test_keys_inside_the_repository_are_refused(settings):
    settings.SIGNING_KEYS_DIR = str(settings.BASE_DIR / "pledges" / "keys")
    assert "pledges.E021" in [e.id for e in signing_keys()]
