"""Where private uploads live: a named storage so S3 can replace the disk by settings."""

from django.core.files.storage import storages

# The stored name's suffix comes from the checked content type, never from the user's name.
SUFFIX_BY_TYPE = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def private_storage():
    return storages["private"]


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
