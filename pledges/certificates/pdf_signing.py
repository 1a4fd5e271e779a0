"""PAdES signatures on certificate PDFs (pyHanko): signing, and validating one.

The signature is PAdES B-B, or B-T with an RFC 3161 timestamp when ``SIGNING_TSA_URL`` is
set. It is the last change to the file, so it covers the whole file: any byte changed
afterwards breaks it, and a PDF reader shows "signed by …, unmodified" while it holds.
"""

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings

from .keys import SigningKey, certified_by_roots, trust_roots

SIGNATURE_FIELD = "ChengxinCertificate"
# Room for the CMS signature in the file: an ECDSA signature with its certificate chain needs
# about 1.5 KB, a timestamp token about 2 KB more.
SIGNATURE_BYTES = 8192


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _cryptography_certificate(certificate: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())


@functools.lru_cache(maxsize=4)
def _signer(key: SigningKey):
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    private = asn1_keys.PrivateKeyInfo.load(
        key.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    chain = [_asn1_certificate(certificate) for certificate in key.chain]
    return signers.SimpleSigner(
        signing_cert=_asn1_certificate(key.certificate),
        signing_key=private,
        cert_registry=SimpleCertificateStore.from_certs(chain),
        # Verifiers hold the roots already; leaving them out makes each signature cheaper.
        embed_roots=False,
    )


def _timestamper():
    if not settings.SIGNING_TSA_URL:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(settings.SIGNING_TSA_URL, timeout=10)


def _outside_event_loop(function, *args):
    """pyHanko's synchronous calls start an event loop of their own, which Python refuses
    inside a running one (a caller driving an async client, say): run them in a thread then."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        in_loop = False
    else:
        in_loop = True
    if not in_loop:
        return function(*args)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function, *args).result()


def sign_pdf(pdf: bytes, key: SigningKey) -> bytes:
    return _outside_event_loop(_sign_pdf, pdf, key)


def _sign_pdf(pdf: bytes, key: SigningKey) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Certificate issued",
        name=settings.CERTIFICATE_ISSUER,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    signer = signers.PdfSigner(metadata, signer=_signer(key), timestamper=_timestamper())
    # Reserving room for the signature up front saves a trial signature made to measure it.
    # A timestamp authority that does not answer raises pyHanko's TimestampRequestError, an
    # OSError: the certificate task retries it later.
    return signer.sign_pdf(writer, bytes_reserved=SIGNATURE_BYTES).getvalue()


@dataclass(frozen=True)
class PdfSignatureCheck:
    present: bool
    intact: bool = False  # the signed bytes hash to what was signed (integrity)
    valid: bool = False  # the signature over them verifies (signature)
    trusted: bool = False  # the signer's certificate chains to our trust roots (issuer)
    whole_file: bool = False  # nothing was added after signing
    signer: str = ""
    timestamped: bool = False
    error: str = ""


def check_pdf_signature(pdf: bytes) -> PdfSignatureCheck:
    """Validate the file's (last) signature against the trust roots, offline."""
    return _outside_event_loop(_check_pdf_signature, pdf)


def _check_pdf_signature(pdf: bytes) -> PdfSignatureCheck:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        return PdfSignatureCheck(present=False, error=str(error))
    if not signatures:
        return PdfSignatureCheck(present=False)
    roots = [_asn1_certificate(root) for root in trust_roots()]
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(
            signatures[-1], signer_validation_context=context, skip_diff=True
        )
    except (SignatureValidationError, PdfReadError, ValueError, KeyError) as error:
        return PdfSignatureCheck(present=True, error=str(error))
    signer = status.signing_cert
    # A changed file fails pyHanko's whole validation, trust included; who signed it is still
    # worth saying: check the signer's certificate against the roots on its own then.
    trusted = (
        status.trusted if status.intact else certified_by_roots(_cryptography_certificate(signer))
    )
    return PdfSignatureCheck(
        present=True,
        intact=status.intact,
        valid=status.valid,
        trusted=trusted,
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer=signer.subject.native.get("common_name") or signer.subject.human_friendly,
        timestamped=status.timestamp_validity is not None,
    )
