"""Form fields the rooms share: checked uploads and provinces named in the reader's language."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

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


class FastSelect(forms.Select):
    """A select whose options are written in Python: the public filters have some 150 of
    them, which the template engine took tens of milliseconds to render on every page."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, " selected" if str(option) in chosen else "", label)
                for option, label in self.choices
            ),
        )
        attributes = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return format_html("<select{}>{}</select>", attributes, options)


class EvidenceForm(forms.Form):
    """Up to three evidence files, each checked by its content (an objection, a response)."""

    evidence_1 = UploadField(label=_("Evidence (PDF, JPEG or PNG)"), required=False)
    evidence_2 = UploadField(label=_("More evidence"), required=False)
    evidence_3 = UploadField(label=_("More evidence"), required=False)

    def evidence(self) -> list:
        """The files given, each with its ``checked_type``."""
        names = ("evidence_1", "evidence_2", "evidence_3")
        return [upload for upload in (self.cleaned_data.get(n) for n in names) if upload]
