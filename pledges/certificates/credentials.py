"""Machine-readable credentials: the Open Badges 3.0 credential and the QR code's payload.

Both are compact JWS signed ES256 with the key that signs the PDF (``keys``). The credential
is an OpenBadgeCredential secured as VC-JWT, the form Open Badges 3.0 defines for JOSE: the
JWT payload is the credential itself, with ``iss``, ``jti``, ``nbf`` and ``exp`` mirroring
its issuer, id and validity. VC-JWT rather than a Data Integrity proof because it needs no
JSON-LD processing (canonicalising would fetch or bundle remote contexts), every platform has
JOSE libraries, and one P-256 key then serves the PDF's X.509 signature and both tokens.

The QR payload is a smaller JWS (number, name, code, year, validity, key id in the header):
it rides in the QR code after the verification URL's ``#``, so a phone opens the URL (the
fragment never reaches the server) and an offline verifier checks the payload against the
published key.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from .keys import SigningKey, public_key
from .rendering import CertificateData

ALGORITHM = "ES256"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
# Bitstring Status List: the Recommendation's minimum size, so a list says nothing about how
# many certificates a campaign issued.
STATUS_LIST_BITS = 131_072
CREDIT_CODE_IDENTITY = "ext:UnifiedSocialCreditCode"


class InvalidToken(Exception):
    """A token that is malformed, signed by an unknown key or not signed by its key."""


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def issuer_url() -> str:
    return absolute(reverse("public:credential_issuer"))


def keys_url() -> str:
    return absolute(reverse("public:credential_keys"))


def status_list_url(year: int) -> str:
    return absolute(reverse("public:status_list", args=[year]))


def credential_url(number: str) -> str:
    return absolute(reverse("public:verify_credential", args=[number]))


def achievement_url(year: int) -> str:
    return absolute(reverse("public:credential_achievement", args=[year]))


def valid_until(year: int) -> datetime:
    """The last instant (China time) of the campaign's year plus CERTIFICATE_VALID_YEARS."""
    last_day = date(year + settings.CERTIFICATE_VALID_YEARS, 12, 31)
    end = datetime.combine(last_day, time(23, 59, 59), tzinfo=timezone.get_default_timezone())
    return end.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile() -> dict:
    return {
        "id": issuer_url(),
        "type": ["Profile"],
        "name": settings.CERTIFICATE_ISSUER,
        "url": settings.SITE_URL + "/",
    }


def achievement(year: int, title: str) -> dict:
    return {
        "id": achievement_url(year),
        "type": ["Achievement"],
        "name": title,
        "description": f"{year}年{title}签署企业",
        "criteria": {
            "narrative": (
                f"签署{year}年{title}，提交盖章承诺书，经{settings.CERTIFICATE_ISSUER}审核通过。"
            )
        },
    }


def achievement_credential(subject: CertificateData) -> dict:
    """The OpenBadgeCredential (Open Badges 3.0) for one certificate, unsigned."""
    list_url = status_list_url(subject.campaign_year)
    return {
        "@context": CONTEXTS,
        "id": credential_url(subject.number),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{subject.campaign_title} {subject.number}",
        "issuer": issuer_profile(),
        "validFrom": _iso(subject.issued_at),
        "validUntil": _iso(valid_until(subject.campaign_year)),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": CREDIT_CODE_IDENTITY,
                    "hashed": False,
                    "identityHash": subject.credit_code,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": subject.enterprise_name,
                },
            ],
            "achievement": achievement(subject.campaign_year, subject.campaign_title),
        },
        "credentialStatus": {
            "id": f"{list_url}#{subject.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(subject.status_index),
            "statusListCredential": list_url,
        },
    }


def _sign(claims: dict, key: SigningKey, typ: str | None) -> str:
    header = {"alg": ALGORITHM, "kid": key.kid}
    if typ:
        header["typ"] = typ
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return jws.serialize_compact(header, payload.encode(), ECKey.import_key(key.private_key))


def signed_credential(credential: dict, key: SigningKey) -> str:
    """A VC-JWT: the credential as the payload, with the registered claims mirroring it."""
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(datetime.fromisoformat(credential["validFrom"]).timestamp()),
    }
    if "validUntil" in credential:
        claims["exp"] = int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    return _sign(claims, key, typ="JWT")


def qr_payload(subject: CertificateData, key: SigningKey) -> str:
    """The QR code's signed payload, in short keys to keep the code small."""
    claims = {
        "n": subject.number,
        "e": subject.enterprise_name,
        "c": subject.credit_code,
        "y": subject.campaign_year,
        "f": timezone.localtime(subject.issued_at).date().isoformat(),
        "u": timezone.localtime(valid_until(subject.campaign_year)).date().isoformat(),
    }
    return _sign(claims, key, typ=None)


@dataclass(frozen=True)
class QrPayload:
    number: str
    enterprise_name: str
    credit_code: str
    campaign_year: int
    valid_from: date
    valid_until: date
    kid: str


def read_token(token: str) -> tuple[dict, dict]:
    """(header, claims) of a compact JWS signed by one of our published keys, or
    InvalidToken. Only ES256 is accepted, whatever the header says."""
    try:
        unverified = jws.extract_compact(token.encode())
        kid = unverified.protected.get("kid")
        published = public_key(kid) if isinstance(kid, str) else None
        if published is None:
            raise InvalidToken(f"unknown key id {kid!r}")
        verified = jws.deserialize_compact(
            token, ECKey.import_key(published.certificate.public_key()), algorithms=[ALGORITHM]
        )
        claims = json.loads(verified.payload)
    except (JoseError, ValueError, UnicodeError) as error:
        raise InvalidToken(str(error)) from error
    if not isinstance(claims, dict):
        raise InvalidToken("the payload is not an object")
    return dict(verified.protected), claims


def read_qr_payload(token: str) -> QrPayload:
    header, claims = read_token(token)
    try:
        return QrPayload(
            number=str(claims["n"]),
            enterprise_name=str(claims["e"]),
            credit_code=str(claims["c"]),
            campaign_year=int(claims["y"]),
            valid_from=date.fromisoformat(claims["f"]),
            valid_until=date.fromisoformat(claims["u"]),
            kid=header["kid"],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidToken(f"not a certificate payload: {error}") from error
