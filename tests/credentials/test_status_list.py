"""The revocation list: a signed Bitstring Status List per campaign year, as the
Recommendation encodes it, whose bit flips as soon as a revocation commits."""

import base64
import gzip

from pledges.certificates.credentials import STATUS_LIST_BITS, read_token
from pledges.certificates.status_list import encode_bits
from pledges.services import pledges as services


def decode_bits(encoded: str) -> bytes:
    """A verifier's reading of encodedList: multibase base64url, then GZIP."""
    assert encoded.startswith("u")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit_is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list(client, year):
    response = client.get(f"/credentials/status/{year}.jwt")
    assert response.status_code == 200
    _, claims = read_token(response.content.decode())
    return response, claims


def test_the_encoding_is_the_recommendations():
    encoded = encode_bits([0, 9, STATUS_LIST_BITS - 1])
    assert encoded.startswith("u") and "=" not in encoded
    data = encoded[1:]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    assert raw[:2] == b"\x1f\x8b"  # GZIP
    bits = decode_bits(encoded)
    assert len(bits) * 8 == STATUS_LIST_BITS >= 131_072
    assert bits[0] == 0b1000_0000  # index 0 is the first byte's most significant bit
    assert bits[1] == 0b0100_0000
    assert bits[-1] == 0b0000_0001
    assert sum(bin(byte).count("1") for byte in bits) == 3


def test_a_revocation_flips_the_certificates_bit(client, certificate, certified_pledge, reviewer):
    year = certificate.campaign.year
    response, claims = status_list(client, year)
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = claims["credentialSubject"]
    assert subject["statusPurpose"] == "revocation"
    index = certificate.sequence
    assert not bit_is_set(decode_bits(subject["encodedList"]), index)
    assert response["Cache-Control"] == "public, max-age=10"
    etag = response["ETag"]
    assert client.get(f"/credentials/status/{year}.jwt", HTTP_IF_NONE_MATCH=etag).status_code == 304

    services.pledge_revoke(pledge=certified_pledge, actor=reviewer, reason="虚假承诺")

    response, claims = status_list(client, year)
    bits = decode_bits(claims["credentialSubject"]["encodedList"])
    assert bit_is_set(bits, index)
    assert sum(bin(byte).count("1") for byte in bits) == 1
    assert response["ETag"] != etag


def test_a_superseded_number_keeps_its_bit_set(
    client, certificate, enterprise, reviewer, django_capture_on_commit_callbacks
):
    from pledges.models import SupersededCertificate
    from pledges.services.certificates import certificates_supersede

    old_index = certificate.sequence
    with django_capture_on_commit_callbacks(execute=True):
        certificates_supersede(enterprise=enterprise, issued_for=enterprise.name)
    superseded = SupersededCertificate.objects.get(number=certificate.number)
    assert superseded.status_index == old_index
    assert superseded.credential
    _, claims = status_list(client, certificate.campaign.year)
    bits = decode_bits(claims["credentialSubject"]["encodedList"])
    assert bit_is_set(bits, old_index)
    certificate.refresh_from_db()
    assert not bit_is_set(bits, certificate.sequence)  # the new number stands


def test_only_campaign_years_have_a_list(client, campaign):
    assert client.get(f"/credentials/status/{campaign.year - 30}.jwt").status_code == 404


def test_without_a_signing_key_the_list_is_unavailable_not_broken(
    client, campaign, settings, tmp_path
):
    settings.SIGNING_KEYS_DIR = str(tmp_path / "none")
    response = client.get(f"/credentials/status/{campaign.year}.jwt")
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
