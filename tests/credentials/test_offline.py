"""Offline: the QR code's payload verifies with the published key and no network, and a
certificate file checks itself (signature, issuer, integrity, dates) with the network off."""

import base64
import socket

import jwt
import pytest
from cryptography import x509

from pledges.certificates.verification import FAILED, NOT_CHECKED, PASSED, report_for_pdf
from tests.pdf import pdf_qr_codes


@pytest.fixture
def network_off(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("the network is off")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_qr_payload_verifies_offline(client, certificate, enterprise, campaign, network_off):
    # The verifier holds the published keys (fetched earlier, or shipped with its app).
    keys = {key["kid"]: key for key in client.get("/credentials/keys.json").json()["keys"]}
    pdf = certificate.file.read()
    [scanned] = pdf_qr_codes(pdf)
    url, token = scanned.split("#")
    assert url.endswith(f"/verify/{certificate.number}/")
    kid = jwt.get_unverified_header(token)["kid"]
    certificate_der = base64.b64decode(keys[kid]["x5c"][0])
    public_key = x509.load_der_x509_certificate(certificate_der).public_key()
    claims = jwt.decode(token, public_key, algorithms=["ES256"])
    assert claims == {
        "n": certificate.number,
        "e": enterprise.name,
        "c": enterprise.credit_code,
        "y": campaign.year,
        "f": claims["f"],
        "u": f"{campaign.year + 1}-12-31",
    }
    head, _, signature = token.split(".")
    forged = base64.urlsafe_b64encode(b'{"n":"CQ-2026-999999"}').decode().rstrip("=")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{head}.{forged}.{signature}", public_key, algorithms=["ES256"])


def test_a_certificate_file_checks_itself_offline(certificate, network_off):
    report = report_for_pdf(certificate.file.read(), standing_of=None)
    outcomes = {check.name: check.outcome for check in report.checks}
    assert outcomes == {
        "signature": PASSED,
        "issuer": PASSED,
        "integrity": PASSED,
        "status": NOT_CHECKED,
        "validity": PASSED,
    }
    assert report.number == certificate.number
    assert not report.failed


def test_a_changed_file_fails_offline(certificate, network_off):
    changed = bytearray(certificate.file.read())
    changed[len(changed) // 3] ^= 0x01
    report = report_for_pdf(bytes(changed), standing_of=None)
    assert report.failed
    assert {check.name: check.outcome for check in report.checks}["integrity"] == FAILED
