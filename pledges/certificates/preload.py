"""Libraries a worker imports once, in its main process, before it forks its children.

The certificate code imports WeasyPrint, pyHanko and Pillow on first use, so the web
process never loads pango. A worker child, though, would import them again after each
recycle (``CELERY_WORKER_MAX_TASKS_PER_CHILD``): about half a second of CPU each time, paid
by the certificate that happens to come first. Imported in the parent, every child starts
with them, for half a second more at the worker's start (measured: 2.0 → 2.4 s). Nothing
here opens a file or starts a thread: the font configuration and the signing key are still
made in each child, after the fork.
"""

import importlib

MODULES = (
    "weasyprint",
    "weasyprint.text.fonts",
    "weasyprint.urls",
    "pyhanko.pdf_utils.incremental_writer",
    "pyhanko.sign.fields",
    "pyhanko.sign.signers",
    "pyhanko_certvalidator.registry",
    "PIL.Image",
    "PIL.PngImagePlugin",
)


def certificate_libraries_preload() -> None:
    for name in MODULES:
        importlib.import_module(name)
