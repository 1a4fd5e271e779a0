"""The revocation list: one Bitstring Status List credential per campaign year.

A certificate's index in its year's list is its sequence number (unique in the campaign and
never reused). Its bit is set while the certificate does not stand: its listing was revoked
or taken down, or the number was superseded after a rename. The list is built from the
published record on each request, so a revocation flips its bit as soon as it commits.
"""

import base64
import gzip
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Q

from ..models import Certificate, Listing, SupersededCertificate
from .credentials import STATUS_LIST_BITS, _iso, issuer_url, signed_credential, status_list_url
from .keys import signing_key

# How long a verifier may rely on a copy (also its Cache-Control max-age): revocations reach
# verifiers within this time.
LIST_TTL = timedelta(seconds=10)


def encode_bits(indices: Iterable[int], size: int = STATUS_LIST_BITS) -> str:
    """The Recommendation's encodedList: bit 0 is the first byte's most significant bit;
    the bitstring is GZIP-compressed, then multibase base64url ("u", no padding)."""
    bitstring = bytearray(size // 8)
    for index in indices:
        bitstring[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always encode the same way (the ETag depends on it).
    compressed = gzip.compress(bytes(bitstring), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def revoked_indices(year: int) -> list[int]:
    """The sequence numbers of the year's certificates that no longer stand."""
    fallen = Certificate.objects.filter(
        Q(pledge__listing__status__in=[Listing.Status.REVOKED, Listing.Status.REMOVED]),
        campaign__year=year,
        sequence__isnull=False,
    ).values_list("sequence", flat=True)
    superseded = SupersededCertificate.objects.filter(
        pledge__campaign__year=year, status_index__isnull=False
    ).values_list("status_index", flat=True)
    return sorted({*fallen, *superseded})


def status_list_credential(year: int, *, bits: list[int], valid_from: datetime) -> dict:
    url = status_list_url(year)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_url()},
        "validFrom": _iso(valid_from),
        # A stale copy cannot pass for the current one for longer than a day.
        "validUntil": _iso(valid_from + timedelta(days=1)),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits(bits),
            "ttl": int(LIST_TTL.total_seconds() * 1000),
        },
    }


def signed_status_list(year: int, *, bits: list[int], valid_from: datetime) -> str:
    credential = status_list_credential(year, bits=bits, valid_from=valid_from)
    return signed_credential(credential, signing_key())
