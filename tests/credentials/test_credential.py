"""The Open Badges 3.0 credential of a certificate, checked by an implementation other than
ours (openbadgeslib, on PyJWT): its signature with the published key, its structure, its
validity and, through the status list, its revocation."""

import base64
import json
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

from pledges.services import pledges as services
from pledges.services.publication import listing_take_down


def published_key_pem(client, kid: str) -> bytes:
    """The key as a verifier gets it: from the published key set's certificate chain."""
    keys = client.get("/credentials/keys.json").json()["keys"]
    [jwk] = [key for key in keys if key["kid"] == kid]
    certificate = x509.load_der_x509_certificate(base64.b64decode(jwk["x5c"][0]))
    return certificate.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fetch_from(client):
    def download(url: str) -> bytes:
        response = client.get(urlsplit(url).path)
        assert response.status_code == 200, url
        return response.content

    return download


def header(token: str) -> dict:
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_the_credential_verifies_with_an_independent_implementation(client, certificate):
    token = client.get(f"/verify/{certificate.number}.jwt").content.decode()
    assert token == certificate.credential
    verifier = OB3Verifier(published_key_pem(client, header(token)["kid"]))
    credential = verifier.verify(
        token, check_status=True, verify_status_list=True, download=fetch_from(client)
    )
    assert credential.issuer.id == client.get("/credentials/issuer.json").json()["id"]


def test_the_credential_says_what_the_certificate_says(client, certificate, enterprise, campaign):
    response = client.get(f"/verify/{certificate.number}.json")
    assert response["Content-Type"] == "application/ld+json"
    assert "public" in response["Cache-Control"]
    document = response.json()
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    subject = document["credentialSubject"]
    identities = {i["identityType"]: i["identityHash"] for i in subject["identifier"]}
    assert identities == {
        "ext:UnifiedSocialCreditCode": enterprise.credit_code,
        "name": enterprise.name,
    }
    assert subject["achievement"]["name"] == campaign.title
    assert document["validUntil"].startswith(f"{campaign.year + 1}-12-31T15:59:59")
    status = document["credentialStatus"]
    assert status["statusListIndex"] == str(certificate.sequence)
    assert status["statusListCredential"].endswith(f"/credentials/status/{campaign.year}.jwt")
    assert 'rel="alternate"' in response["Link"]
    # The JSON is the signed token's payload, less the JWT's own claims.
    part = certificate.credential.split(".")[1]
    signed = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    assert {k: v for k, v in signed.items() if k not in {"iss", "jti", "nbf", "exp"}} == document


def test_a_revoked_credential_fails_the_independent_status_check(
    client, certificate, certified_pledge, reviewer
):
    token = certificate.credential
    verifier = OB3Verifier(published_key_pem(client, header(token)["kid"]))
    services.pledge_revoke(pledge=certified_pledge, actor=reviewer, reason="虚假承诺")
    with pytest.raises(OB3VerificationError, match="'revocation' is set at index"):
        verifier.verify(
            token, check_status=True, verify_status_list=True, download=fetch_from(client)
        )


def test_a_token_changed_after_signing_is_refused(client, certificate):
    head, payload, signature = certificate.credential.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["identifier"][1]["identityHash"] = "另一家公司"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    verifier = OB3Verifier(published_key_pem(client, header(certificate.credential)["kid"]))
    with pytest.raises(OB3VerificationError, match="signature"):
        verifier.verify(f"{head}.{forged}.{signature}")


def test_unknown_numbers_and_taken_down_records_have_no_credential(
    client, certificate, certified_pledge
):
    assert client.get("/verify/CQ-2026-999999.json").status_code == 404
    assert client.get("/verify/not-a-number.jwt").status_code == 404
    listing_take_down(pledge=certified_pledge, at=timezone.now())
    assert client.get(f"/verify/{certificate.number}.json").status_code == 404


def test_the_issuer_and_its_keys_are_published(client, certificate):
    issuer = client.get("/credentials/issuer.json").json()
    assert issuer["type"] == ["Profile"]
    assert issuer["publicKeys"].endswith("/credentials/keys.json")
    keys = client.get("/credentials/keys.json").json()["keys"]
    assert [key["kid"] for key in keys] == [header(certificate.credential)["kid"]]
    assert {key["kty"] for key in keys} == {"EC"} and "d" not in keys[0]
