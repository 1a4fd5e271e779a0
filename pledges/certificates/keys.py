"""The association's signing keys: where they live, which one signs, which ones verify.

Layout of ``SIGNING_KEYS_DIR`` (never in the repository, never in the database):

    roots.pem               the trust anchors: the CA certificate(s) signing keys chain to
    keys/<kid>/cert.pem     a signing certificate, then any intermediate certificates
    keys/<kid>/key.pem      its private key (PEM, unencrypted, readable by the owner only)
    dev-ca/key.pem          the development CA's key (only where `create_signing_key --dev`
                            made the CA; a real CA keeps its key elsewhere)

Each key id (``kid``) is the UTC time the key was made, so names sort by age. The current
key is ``SIGNING_KEY_ID`` or, when that is empty, the newest one with a private key. Rotation
adds a key: the old one's certificate stays and keeps verifying what it signed (its private
key may then be removed). The same EC P-256 key signs the PDF (PAdES, with its X.509
certificate) and the credentials (ES256), so one published certificate vouches for both.
"""

import functools
import re
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

KEY_FILE = "key.pem"
CERT_FILE = "cert.pem"
ROOTS_FILE = "roots.pem"
DEV_CA_KEY = Path("dev-ca") / KEY_FILE
# What a key id may be: a folder name, never a path.
KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class SigningKeyMissing(Exception):
    """No usable signing key: certificates cannot be issued until one is installed."""


@dataclass(frozen=True)
class PublicKey:
    kid: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # intermediates after the certificate, if any


@dataclass(frozen=True)
class SigningKey(PublicKey):
    private_key: ec.EllipticCurvePrivateKey
    key_path: Path
    cert_path: Path


def keys_dir() -> Path:
    return Path(settings.SIGNING_KEYS_DIR)


def _kid_dir(kid: str) -> Path:
    return keys_dir() / "keys" / kid


def _load_certificates(path: Path) -> list[x509.Certificate]:
    # Every verification reads these: parsed once per file version, not once per request.
    return _parsed_certificates(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _parsed_certificates(path: str, mtime_ns: int) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def _load_public(kid: str) -> PublicKey | None:
    path = _kid_dir(kid) / CERT_FILE
    if not path.is_file():
        return None
    certificate, *chain = _load_certificates(path)
    return PublicKey(kid=kid, certificate=certificate, chain=tuple(chain))


def key_ids() -> list[str]:
    """Every key id with a certificate, oldest first."""
    folder = keys_dir() / "keys"
    if not folder.is_dir():
        return []
    return sorted(path.parent.name for path in folder.glob(f"*/{CERT_FILE}"))


def public_keys() -> list[PublicKey]:
    """Every published key, retired ones included (what they signed still verifies)."""
    return [key for key in map(_load_public, key_ids()) if key is not None]


def public_key(kid: str) -> PublicKey | None:
    if not KEY_ID.fullmatch(kid):  # refuses a kid such as "../x"
        return None
    return _load_public(kid)


def current_key_id() -> str:
    kid = settings.SIGNING_KEY_ID
    if kid:
        return kid
    with_private = [kid for kid in key_ids() if (_kid_dir(kid) / KEY_FILE).is_file()]
    if not with_private:
        raise SigningKeyMissing(
            f"No signing key in {keys_dir()}: run `manage.py create_signing_key --dev` "
            "(development) or install the association's key (see the README)."
        )
    return with_private[-1]


def signing_key() -> SigningKey:
    """The key certificates are signed with now (read once per process and key id)."""
    return _signing_key(current_key_id(), str(keys_dir()))


@functools.lru_cache(maxsize=4)
def _signing_key(kid: str, folder: str) -> SigningKey:
    key_path = _kid_dir(kid) / KEY_FILE
    public = _load_public(kid)
    if public is None or not key_path.is_file():
        raise SigningKeyMissing(f"The signing key {kid!r} has no {CERT_FILE} and {KEY_FILE}.")
    private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(
        private_key.curve, ec.SECP256R1
    ):
        raise SigningKeyMissing(f"The signing key {kid!r} is not an EC P-256 key.")
    return SigningKey(
        kid=kid,
        certificate=public.certificate,
        chain=public.chain,
        private_key=private_key,
        key_path=key_path,
        cert_path=key_path.with_name(CERT_FILE),
    )


def trust_roots() -> list[x509.Certificate]:
    path = keys_dir() / ROOTS_FILE
    return _load_certificates(path) if path.is_file() else []


def certified_by_roots(certificate: x509.Certificate, chain=()) -> bool:
    """Whether the certificate (through its intermediates) was issued by a trust root."""
    issued = [certificate, *chain]
    for child, parent in zip(issued, issued[1:], strict=False):
        if not _issued_by(child, parent):
            return False
    return any(_issued_by(issued[-1], root) for root in trust_roots())


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def private_key_files() -> list[Path]:
    folder = keys_dir()
    return sorted([*folder.glob(f"keys/*/{KEY_FILE}"), *folder.glob(str(DEV_CA_KEY))])


def readable_by_others(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


# --- Making keys (development CA, and rotation) ----------------------------------------------


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created owner-only: the key is never readable by others, not even for an instant.
    path.touch(mode=0o600, exist_ok=False)
    path.write_bytes(pem)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.CERTIFICATE_ISSUER),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, certifies: bool) -> x509.KeyUsage:
    """A CA signs certificates and CRLs; a signing key signs, non-repudiably (PAdES)."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=not certifies,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certifies,
        crl_sign=certifies,
        encipher_only=False,
        decipher_only=False,
    )


def create_development_ca(now: datetime) -> None:
    """A self-signed root for development and tests; its key stays in ``dev-ca/``."""
    folder = keys_dir()
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"{settings.CERTIFICATE_ISSUER} development CA")
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * 30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            _key_usage(certifies=True),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(folder / DEV_CA_KEY, key)
    (folder / ROOTS_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def development_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    folder = keys_dir()
    key = serialization.load_pem_private_key((folder / DEV_CA_KEY).read_bytes(), password=None)
    return _load_certificates(folder / ROOTS_FILE)[0], key


def issue_certificate(
    *,
    subject: str,
    public_key,
    now: datetime,
    years: int,
    usage: x509.ExtendedKeyUsage | None = None,
) -> x509.Certificate:
    """A certificate from the development CA (signing keys, and a test timestamp authority)."""
    ca_certificate, ca_key = development_ca()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(ca_certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _key_usage(certifies=False),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()),
            critical=False,
        )
    )
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    return builder.sign(ca_key, hashes.SHA256())


def create_development_key(now: datetime | None = None) -> str:
    """A new signing key and certificate from the development CA (made first if missing);
    it becomes the current key unless ``SIGNING_KEY_ID`` names another. Returns its id."""
    now = now or datetime.now(UTC)
    if not (keys_dir() / DEV_CA_KEY).is_file():
        create_development_ca(now)
    while _kid_dir(kid := now.strftime("%Y%m%d%H%M%S")).exists():
        now += timedelta(seconds=1)  # two keys in one second (tests)
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = issue_certificate(
        subject=f"{settings.CERTIFICATE_ISSUER} certificate signing {kid}",
        public_key=key.public_key(),
        now=now,
        years=20,
    )
    _write_private(_kid_dir(kid) / KEY_FILE, key)
    (_kid_dir(kid) / CERT_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    _signing_key.cache_clear()
    return kid
