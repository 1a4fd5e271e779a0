"""Where private files live: the default storage, which the settings keep private.

``default_storage`` is a lazy proxy, so a change of STORAGES (another backend, a test's
temporary folder) reaches every file field at once.
"""

from django.core.files.storage import default_storage

# The only files users may upload (stamped pages, licence scans, evidence), by the content
# type their bytes show (pledges.validators.inspect_upload), with the suffix they are stored
# under: the stored name's suffix never comes from the name the user gave.
UPLOAD_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
UPLOAD_SUFFIXES = frozenset(UPLOAD_TYPES.values())


def private_storage():
    return default_storage


def store_private_upload(field, upload, content_type: str) -> str:
    """Save ``upload`` (already checked) under a fresh name chosen by ``field``'s upload_to."""
    if upload is None:
        return ""
    name = field.generate_filename(None, "upload" + UPLOAD_TYPES[content_type])
    return private_storage().save(name, upload)


def discard_private_file(name: str) -> None:
    """Remove a file stored for a write that did not happen."""
    if name:
        private_storage().delete(name)
