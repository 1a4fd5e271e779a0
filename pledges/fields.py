"""Form fields the rooms share: checked uploads and provinces named in the reader's language."""

from django import forms

from .storage import UPLOAD_SUFFIXES
from .validators import inspect_upload


class ProvinceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class UploadField(forms.FileField):
    """A PDF/JPEG/PNG upload checked by its content; ``cleaned_data`` keeps the real type."""

    widget = forms.FileInput(attrs={"accept": ",".join(sorted(UPLOAD_SUFFIXES | {".jpeg"}))})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload is not initial and hasattr(upload, "content_type"):
            upload.checked_type = inspect_upload(upload)
        return upload
