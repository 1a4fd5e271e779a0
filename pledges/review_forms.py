"""Forms of the review console."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .forms import validate_plain_text


class StandardReason(models.TextChoices):
    STAMPED_PAGE_UNCLEAR = "stamped_page_unclear", _("The stamped page is unclear or incomplete.")
    SEAL_MISSING = "seal_missing", _("The company seal or the signature is missing.")
    SIGNER_NOT_AUTHORISED = (
        "signer_not_authorised",
        _("The signer's authority to sign for the enterprise is not evident."),
    )
    DETAILS_MISMATCH = (
        "details_mismatch",
        _("The enterprise details do not match the business licence."),
    )
    PROFILE_INCOMPLETE = "profile_incomplete", _("The enterprise profile is incomplete.")
    OTHER = "other", _("Other (explain below)")


class DecisionForm(forms.Form):
    """The reason for a decision; which parts are required depends on the decision."""

    standard_reason = forms.ChoiceField(
        label=_("Standard reason"),
        choices=[("", "---------"), *StandardReason.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        validators=[validate_plain_text],
    )

    def __init__(self, *args, decision: str, **kwargs):
        self.decision = decision
        super().__init__(*args, **kwargs)
        if decision not in ("request_changes", "reject"):
            del self.fields["standard_reason"]
        if decision == "approve":
            del self.fields["reason"]
        elif decision == "revoke":
            self.fields["reason"].label = _("Public reason")
            self.fields["reason"].help_text = _(
                "Shown on the public list and on the certificate's verification page."
            )
        else:
            self.fields["reason"].help_text = _("Shown to the enterprise.")

    def clean(self):
        cleaned = super().clean()
        if self.decision == "approve":
            return cleaned
        standard = cleaned.get("standard_reason", "")
        text = (cleaned.get("reason") or "").strip()
        needs_text = self.decision == "revoke" or standard in ("", StandardReason.OTHER)
        if needs_text and not text and "reason" not in self.errors:
            self.add_error("reason", ValidationError(_("Please give the reason."), "required"))
        cleaned["composed_reason"] = self._compose(standard, text)
        return cleaned

    @staticmethod
    def _compose(standard: str, text: str) -> str:
        if not standard or standard == StandardReason.OTHER:
            return text
        # Stored in the association's working language, whatever the reviewer's interface.
        with translation.override(settings.LANGUAGE_CODE):
            label = str(StandardReason(standard).label)
        # Chinese sentences follow each other without a space.
        return f"{label}{text}" if label.endswith(("。", "！", "？")) else f"{label} {text}".strip()


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Seen by reviewers only, never by the enterprise."),
        validators=[validate_plain_text],
    )
