"""Where private uploads live: a named storage so S3 can replace the disk by settings."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
