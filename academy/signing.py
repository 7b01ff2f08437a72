"""The agency's PAdES signature on the attestations (pyHanko).

The key and certificate are PEM files named by the settings ``ATTESTATION_SIGNING_KEY`` and
``ATTESTATION_SIGNING_CERT`` (with ``ATTESTATION_SIGNING_PASSPHRASE`` for an encrypted key).
When they are not set: in development (DEBUG) a self-signed certificate is made once under
``PRIVATE_MEDIA_ROOT/signing/`` (``manage.py make_signing_certificate`` makes it ahead) and
used; in production the attestation is served unsigned and a warning is logged, since a
certificate the agency does not hold would only mislead a reader."""

import datetime
import logging
from io import BytesIO
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

DEV_COMMON_NAME = "Académie des territoires (développement)"
SIGNATURE_FIELD = "SignatureANCT"


def dev_certificate_paths():
    directory = Path(settings.PRIVATE_MEDIA_ROOT) / "signing"
    return directory / "dev-key.pem", directory / "dev-cert.pem"


def make_dev_certificate(key_path=None, cert_path=None, *, days=3650):
    """A self-signed certificate for signing in development; kept if already there.
    Returns (key_path, cert_path, made)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    default_key, default_cert = dev_certificate_paths()
    key_path, cert_path = Path(key_path or default_key), Path(cert_path or default_cert)
    if key_path.exists() and cert_path.exists():
        return key_path, cert_path, False
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                           "Agence nationale de la cohésion des territoires"),
        x509.NameAttribute(NameOID.COMMON_NAME, DEV_COMMON_NAME),
    ])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_cert_sign=True,
            crl_sign=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path, True


def signing_files():
    """(key path, certificate path, passphrase bytes or None), or None: do not sign."""
    key = getattr(settings, "ATTESTATION_SIGNING_KEY", "")
    cert = getattr(settings, "ATTESTATION_SIGNING_CERT", "")
    passphrase = getattr(settings, "ATTESTATION_SIGNING_PASSPHRASE", "") or None
    if key and cert:
        return key, cert, passphrase.encode() if passphrase else None
    if settings.DEBUG:
        key, cert, _ = make_dev_certificate()
        return str(key), str(cert), None
    logger.warning("ATTESTATION_SIGNING_KEY/CERT not set: attestations are served unsigned")
    return None


def sign_pdf(pdf: bytes, *, reference: str, files=None) -> bytes:
    """The PDF with the agency's PAdES signature added as an incremental update (the
    signature covers every byte of the document), or unchanged when nothing signs.
    ``files``: what ``signing_files()`` gave, when the caller already asked."""
    files = files if files is not None else signing_files()
    if files is None:
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key, cert, passphrase = files
    signer = signers.SimpleSigner.load(key, cert, key_passphrase=passphrase)
    if signer is None:
        raise RuntimeError("The attestation signing key or certificate cannot be read")
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=f"Attestation de formation {reference}",
        location="Paris", name="Agence nationale de la cohésion des territoires",
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()
