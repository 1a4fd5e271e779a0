"""The machine-readable side of verification: credentials, the issuer, its keys, status lists.

All public and cacheable; none carries anything the certificate does not print. The status
list is rebuilt from the record on each request (one indexed query) and signed again only
when its bits or its validity window change, so its ETag stays the same in between.
"""

import base64
import hashlib
import json
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from joserfc.jwk import ECKey

from ..certificates import credentials, status_list
from ..certificates.keys import SigningKeyMissing, public_keys
from ..certificates.selectors import issued_credential
from ..models import Campaign
from ..validators import normalise_certificate_number

JSON_LD = "application/ld+json"
VC_JWT = "application/vc+jwt"
# Keys and the issuer change only at a rotation; credentials never change once issued.
STABLE_MAX_AGE = 3600


def _cached(response, max_age: int):
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"  # verifiers run in other sites' pages too
    return response


def _json(document: dict, max_age: int, content_type: str = "application/json"):
    response = JsonResponse(
        document, content_type=content_type, json_dumps_params={"ensure_ascii": False}
    )
    return _cached(response, max_age)


def _credential_token(number: str) -> str:
    canonical = normalise_certificate_number(number)
    token = issued_credential(canonical) if canonical == number else ""
    if not token:
        raise Http404
    return token


@require_safe
def credential_json(request, number):
    """The credential as a JSON document: the payload of the signed VC-JWT, less the JWT's
    registered claims. Its proof is the VC-JWT (Link header, and /verify/<number>.jwt)."""
    _, payload = credentials.read_token(_credential_token(number))
    for claim in ("iss", "jti", "nbf", "exp"):
        payload.pop(claim, None)
    response = _json(payload, STABLE_MAX_AGE, JSON_LD)
    jwt_url = request.build_absolute_uri(request.path.removesuffix(".json") + ".jwt")
    response["Link"] = f'<{jwt_url}>; rel="alternate"; type="{VC_JWT}"'
    return response


@require_safe
def credential_jwt(request, number):
    return _cached(HttpResponse(_credential_token(number), content_type=VC_JWT), STABLE_MAX_AGE)


@require_safe
def issuer(request):
    profile = credentials.issuer_profile()
    profile["@context"] = credentials.CONTEXTS
    profile["publicKeys"] = credentials.keys_url()
    return _json(profile, STABLE_MAX_AGE, JSON_LD)


@require_safe
def achievement(request, year):
    campaign = Campaign.objects.filter(year=year).only("title", "year").first()
    if campaign is None:
        raise Http404
    document = credentials.achievement(campaign.year, campaign.title)
    document["@context"] = credentials.CONTEXTS
    return _json(document, STABLE_MAX_AGE, JSON_LD)


def _jwk(key) -> dict:
    jwk = ECKey.import_key(key.certificate.public_key()).as_dict(private=False)
    chain = [key.certificate, *key.chain]
    return {
        **jwk,
        "kid": key.kid,
        "use": "sig",
        "alg": credentials.ALGORITHM,
        "x5c": [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain
        ],
    }


@require_safe
def keys(request):
    """Every key ever used, retired ones included: what they signed keeps verifying."""
    return _json({"keys": [_jwk(key) for key in public_keys()]}, STABLE_MAX_AGE)


@require_safe
def status_list_view(request, year):
    if not Campaign.objects.filter(year=year).exists():
        raise Http404
    bits = status_list.revoked_indices(year)
    # The list is valid for a day from the start of the hour it is signed in.
    window = timezone.now().replace(minute=0, second=0, microsecond=0)
    digest = hashlib.sha256(json.dumps([year, window.isoformat(), bits]).encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    if etag in request.headers.get("If-None-Match", ""):
        return _cached(HttpResponseNotModified(headers={"ETag": etag}), _list_max_age())
    key = f"status-list:{digest}"
    token = cache.get(key)
    if token is None:
        try:
            token = status_list.signed_status_list(year, bits=bits, valid_from=window)
        except SigningKeyMissing:
            # A deployment without its key (pledges.W020 says so): unavailable, not broken.
            return HttpResponse(status=503, headers={"Retry-After": "300"})
        cache.set(key, token, timeout=3600)
    response = HttpResponse(token, content_type=VC_JWT)
    response["ETag"] = etag
    return _cached(response, _list_max_age())


def _list_max_age() -> int:
    return int(status_list.LIST_TTL / timedelta(seconds=1))
