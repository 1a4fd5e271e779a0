"""Where private files live: the default storage, which the settings keep private.

``default_storage`` is a lazy proxy, so a change of STORAGES (another backend, a test's
temporary folder) reaches every file field at once.
"""

from django.core.files.storage import default_storage

# The stored name's suffix comes from the checked content type, never from the user's name.
SUFFIX_BY_TYPE = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def private_storage():
    return default_storage


def store_private_upload(field, upload, content_type: str) -> str:
    """Save ``upload`` (already checked) under a fresh name chosen by ``field``'s upload_to."""
    if upload is None:
        return ""
    name = field.generate_filename(None, "upload" + SUFFIX_BY_TYPE[content_type])
    return private_storage().save(name, upload)


def discard_private_file(name: str) -> None:
    """Remove a file stored for a write that did not happen."""
    if name:
        private_storage().delete(name)
