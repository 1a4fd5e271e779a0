"""The verify page lists each check, for a number and for an uploaded file, and the command
line does the same."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from pledges.services import pledges as services


def checks_of(response) -> dict[str, str]:
    html = response.content.decode()
    found = {}
    for row in html.split('<tr data-check="')[1:]:
        name, rest = row.split('"', 1)
        found[name] = rest.split('data-outcome="', 1)[1].split('"', 1)[0]
    return found


def upload(client, content: bytes, name="certificate.pdf"):
    return client.post(
        "/verify/file/", {"file": SimpleUploadedFile(name, content, "application/pdf")}
    )


def tampered(pdf: bytes) -> bytes:
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


def test_the_number_page_lists_the_checks(client, certificate):
    response = client.get(f"/verify/{certificate.number}/")
    assert checks_of(response) == {
        "signature": "passed",
        "issuer": "passed",
        "integrity": "not_checked",
        "status": "passed",
        "validity": "passed",
    }
    html = response.content.decode()
    assert f"/verify/{certificate.number}.json" in html
    assert 'action="/verify/file/"' in html


def test_a_revoked_number_fails_its_status(client, certificate, certified_pledge, reviewer):
    services.pledge_revoke(pledge=certified_pledge, actor=reviewer, reason="虚假承诺")
    response = client.get(f"/verify/{certificate.number}/")
    assert checks_of(response)["status"] == "failed"
    assert "虚假承诺" in response.content.decode()


def test_an_uploaded_certificate_passes_every_check(client, certificate):
    response = upload(client, certificate.file.read())
    assert response.status_code == 200
    assert set(checks_of(response).values()) == {"passed"}
    assert certificate.number in response.content.decode()


def test_an_uploaded_file_changed_after_signing_fails(client, certificate):
    response = upload(client, tampered(certificate.file.read()))
    checks = checks_of(response)
    assert checks["integrity"] == "failed"
    assert checks["signature"] == "failed"


def test_an_uploaded_revoked_certificate_fails_its_status(
    client, certificate, certified_pledge, reviewer
):
    services.pledge_revoke(pledge=certified_pledge, actor=reviewer, reason="虚假承诺")
    checks = checks_of(upload(client, certificate.file.read()))
    assert checks["status"] == "failed"
    assert checks["integrity"] == "passed"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"GIF89a not a pdf", "This file is not a PDF."), (b"", "The submitted file is empty.")],
)
def test_a_file_that_is_not_a_pdf_is_refused_at_the_field(client, content, message):
    with translation.override("en"):
        response = client.post(
            "/verify/file/",
            {"file": SimpleUploadedFile("x.pdf", content, "application/pdf")},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unsigned_pdf_fails_the_signature(client, db):
    from tests import factories

    checks = checks_of(upload(client, factories.pdf_bytes()))
    assert checks["signature"] == "failed"
    assert checks["issuer"] == "failed"


def test_the_command_checks_a_file(certificate, tmp_path, capsys):
    pdf = certificate.file.read()
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    call_command("verify_certificate", str(path))
    output = capsys.readouterr().out
    assert certificate.number in output
    assert output.count("\npassed ") == 5

    call_command("verify_certificate", str(path), "--offline")
    assert "not_checked  status" in capsys.readouterr().out

    path.write_bytes(tampered(pdf))
    with pytest.raises(CommandError) as failure:
        call_command("verify_certificate", str(path))
    assert failure.value.returncode == 1
    assert "failed       integrity" in capsys.readouterr().out


def test_the_number_page_asks_the_record_once(client, certificate, django_assert_num_queries):
    # The listing (with its campaign) and the credential issued for the number: the checks
    # reuse the record the page already read.
    with django_assert_num_queries(2):
        response = client.get(f"/verify/{certificate.number}/")
    assert checks_of(response)["status"] == "passed"
