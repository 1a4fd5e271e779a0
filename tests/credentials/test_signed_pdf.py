"""Each certificate PDF carries a PAdES signature that pyHanko's validator accepts against the
development CA, and that fails once a byte of the file changes."""

import threading
from datetime import UTC, datetime
from io import BytesIO
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from certomancer.services import TimeStamper
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from pledges.certificates import keys
from pledges.certificates.pdf_signing import check_pdf_signature, sign_pdf
from pledges.services.certificates import certificate_rerender
from pledges.tasks import TRANSIENT_ERRORS
from tests import factories


def der(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def validate(pdf: bytes):
    """pyHanko's own validation, trusting only the development CA."""
    signature = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures[-1]
    context = ValidationContext(
        trust_roots=[der(root) for root in keys.trust_roots()], allow_fetching=False
    )
    return validate_pdf_signature(signature, signer_validation_context=context)


def test_the_certificate_is_signed_and_the_signature_covers_the_whole_file(certificate):
    pdf = certificate.file.read()
    status = validate(pdf)
    assert status.bottom_line, status.pretty_print_details()
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert keys.signing_key().kid in status.signing_cert.subject.human_friendly
    assert status.timestamp_validity is None  # B-B: no timestamp authority configured


@pytest.mark.parametrize("where", [0.25, 0.5, 0.9])
def test_one_changed_byte_breaks_the_signature(certificate, where):
    pdf = bytearray(certificate.file.read())
    # A byte of the signed content (the signature's own hex value is not signed).
    signature = PdfFileReader(BytesIO(bytes(pdf)), strict=False).embedded_signatures[-1]
    start, length, _, _ = signature.byte_range
    pdf[start + int(length * where)] ^= 0x01
    status = validate(bytes(pdf))
    assert not status.bottom_line
    assert not status.intact
    assert not check_pdf_signature(bytes(pdf)).intact


def test_a_file_not_signed_by_the_association_is_not_trusted(certificate, tmp_path, settings):
    pdf = certificate.file.read()
    settings.SIGNING_KEYS_DIR = str(tmp_path / "other")  # another CA entirely
    keys.create_development_key()
    assert not validate(pdf).trusted
    assert not check_pdf_signature(pdf).trusted


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def timestamp_authority():
    """An RFC 3161 timestamp authority on localhost (certomancer's), certified by the
    development CA."""
    now = datetime.now(UTC)
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa_certificate = keys.issue_certificate(
        subject="Test timestamp authority",
        public_key=tsa_key.public_key(),
        now=now,
        years=1,
        usage=x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
    )
    stamper = TimeStamper(
        tsa_cert=der(tsa_certificate),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    requests = []

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        requests.append(body)
        answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
        start_response("200 OK", [("Content-Type", "application/timestamp-reply")])
        return [answer]

    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/tsa", requests
    server.shutdown()


def test_with_a_timestamp_authority_the_signature_is_pades_b_t(
    certificate, administrator, settings, timestamp_authority, django_capture_on_commit_callbacks
):
    url, requests = timestamp_authority
    settings.SIGNING_TSA_URL = url
    with django_capture_on_commit_callbacks(execute=True):
        certificate_rerender(certificate=certificate, actor=administrator)
    certificate.refresh_from_db()
    pdf = certificate.file.read()
    assert len(requests) == 1
    status = validate(pdf)
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is not None
    stamp = status.timestamp_validity
    assert stamp.intact and stamp.valid and stamp.trusted
    assert check_pdf_signature(pdf).timestamped


def test_an_unreachable_timestamp_authority_is_retried_later(settings):
    settings.SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"  # nothing listens on the discard port
    with pytest.raises(TRANSIENT_ERRORS):
        sign_pdf(factories.pdf_bytes(), keys.signing_key())
