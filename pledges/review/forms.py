"""Forms of the review console: decisions, notes, campaigns, staff roles and exports."""

import ipaddress
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import BlockedSource

from ..errors import DomainError
from ..history.reading import MAX_FILE_BYTES
from ..models import Campaign, Objection
from ..roles import ROLE_LABELS
from ..services.imports import FIRST_YEAR as FIRST_IMPORT_YEAR
from ..services.imports import check_import_year
from ..validators import validate_plain_text


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


class ChecklistField(forms.TypedMultipleChoiceField):
    """The campaign's checklist as tick boxes; the mandatory items must all be ticked."""

    def __init__(self, items, **kwargs):
        self.mandatory = [item for item in items if item.mandatory]
        choices = [
            (item.pk, _("%(item)s (mandatory)") % {"item": item.display_text})
            if item.mandatory
            else (item.pk, item.display_text)
            for item in items
        ]
        kwargs.setdefault("label", _("Checked on the stamped page"))
        super().__init__(
            choices=choices,
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )

    def clean(self, value):
        checked = super().clean(value)
        missing = [item.display_text for item in self.mandatory if item.pk not in checked]
        if missing:
            raise ValidationError(
                _("Tick every mandatory item before approving: %(items)s")
                % {"items": _("; ").join(missing)},
                code="incomplete",
            )
        return checked


class ChecklistItemForm(forms.Form):
    text = forms.CharField(
        label=_("Item (Chinese)"), max_length=200, required=False, validators=[validate_plain_text]
    )
    text_en = forms.CharField(
        label=_("Item (English)"), max_length=200, required=False, validators=[validate_plain_text]
    )
    mandatory = forms.BooleanField(label=_("Mandatory"), required=False, initial=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("text_en") and not cleaned.get("text"):
            self.add_error("text", ValidationError(_("Give the item in Chinese too."), "required"))
        return cleaned


# Two empty rows for new items; an item is removed by ticking "Delete" (or emptying it).
ChecklistFormSet = forms.formset_factory(
    ChecklistItemForm, extra=2, can_delete=True, max_num=20, validate_max=True
)


def checklist_items(formset) -> list[dict]:
    """The items a valid formset keeps, in its order."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data.get("text") and not form.cleaned_data.get("DELETE")
    ]


class BulkApprovalForm(forms.Form):
    """The checklist, ticked once for every pledge selected (each is approved on its own)."""

    def __init__(self, *args, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        if checklist:
            self.fields["checked"] = ChecklistField(
                checklist, label=_("Checked on the stamped page of every selected pledge")
            )


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

    def __init__(self, *args, decision: str, checklist=(), **kwargs):
        self.decision = decision
        super().__init__(*args, **kwargs)
        if decision not in ("request_changes", "reject"):
            del self.fields["standard_reason"]
        if decision == "approve":
            del self.fields["reason"]
            if checklist:
                self.fields["checked"] = ChecklistField(checklist)
        elif decision == "revoke":
            self.fields["reason"].label = _("Public reason")
            self.fields["reason"].help_text = _(
                "Shown on the public list and on the certificate's verification page."
            )
        elif decision == "take_down":
            self.fields["reason"].help_text = _(
                "For the enterprise and the audit log; nothing of the listing stays public, "
                "this reason included."
            )
        else:
            self.fields["reason"].help_text = _("Shown to the enterprise.")

    def clean(self):
        cleaned = super().clean()
        if self.decision == "approve":
            return cleaned
        standard = cleaned.get("standard_reason", "")
        text = (cleaned.get("reason") or "").strip()
        needs_text = self.decision in ("revoke", "take_down") or standard in (
            "",
            StandardReason.OTHER,
        )
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


# --- Campaigns ------------------------------------------------------------------------

# The browser's own date-and-time picker; the value is read in the site's time zone.
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CampaignForm(forms.ModelForm):
    """A campaign's editable fields; the pledge text is read-only once anyone has signed."""

    number_prefix = forms.CharField(
        label=_("Certificate number prefix"),
        max_length=10,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]*$",
                _("Use capital letters and digits, starting with a letter."),
            )
        ],
        help_text=Campaign._meta.get_field("number_prefix").help_text,
    )

    class Meta:
        model = Campaign
        fields = ["title", "pledge_text", "opens_at", "closes_at", "number_prefix"]
        widgets = {
            "pledge_text": forms.Textarea(attrs={"rows": 10}),
            "opens_at": DATETIME_WIDGET,
            "closes_at": DATETIME_WIDGET,
        }

    def __init__(self, *args, text_frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "pledge_text"):
            self.fields[name].validators.append(validate_plain_text)
        if text_frozen:
            # A disabled field ignores what is posted and keeps the stored text.
            field = self.fields["pledge_text"]
            field.disabled = True
            field.help_text = _(
                "Enterprises have already signed this text, so it can no longer change. "
                "Publish a new text in a new campaign instead."
            )

    def clean_closes_at(self):
        opens_at = self.cleaned_data.get("opens_at")
        closes_at = self.cleaned_data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            raise ValidationError(
                _("Signing must close after it opens."), code="closes_before_opening"
            )
        return closes_at


class CampaignCreateForm(CampaignForm):
    year = forms.IntegerField(
        label=_("Year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )

    class Meta(CampaignForm.Meta):
        fields = ["year", *CampaignForm.Meta.fields]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if Campaign.objects.filter(year=year).exists():
            raise ValidationError(_("There is already a campaign for %(year)s.") % {"year": year})
        return year


# --- Staff and exports ----------------------------------------------------------------


class StaffForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("Someone without an account receives an e-mail to choose a password."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=list(ROLE_LABELS.items()))


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.year} · {obj.title}"


class ExportForm(forms.Form):
    campaign = CampaignChoiceField(
        queryset=Campaign.objects.only("year", "title"),
        to_field_name="year",
        required=False,
        empty_label=_("All campaigns"),
        label=_("Campaign"),
    )


class ChangeRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Shown to the enterprise."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        validators=[validate_plain_text],
    )


class BannedTermForm(forms.Form):
    term = forms.CharField(
        label=_("Term"),
        max_length=50,
        validators=[validate_plain_text],
        help_text=_("Refused anywhere in enterprise names and other public details."),
    )

    def clean_term(self):
        term = self.cleaned_data["term"].strip()
        if len(term) < 2:
            raise ValidationError(_("Enter at least two characters."), code="short")
        return term


class ObjectionAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Objection.Outcome.choices, widget=forms.RadioSelect
    )
    public_reason = forms.CharField(
        label=_("Public reason"),
        help_text=_(
            "Published on the listing with the outcome. Never name the objector or give "
            "their details."
        ),
        max_length=500,
        validators=[validate_plain_text],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    findings = forms.CharField(
        label=_("Findings (internal)"),
        help_text=_("What you checked and found; seen by reviewers only."),
        max_length=5000,
        validators=[validate_plain_text],
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    answer = forms.CharField(
        label=_("Written answer to the objector"),
        help_text=_("Mailed to the objector."),
        max_length=5000,
        validators=[validate_plain_text],
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class BlockForm(forms.Form):
    kind = forms.ChoiceField(label=_("Block"), choices=BlockedSource.Kind.choices)
    value = forms.CharField(
        label=_("Address or domain"),
        max_length=255,
        help_text=_("An IP address (203.0.113.9) or an e-mail domain (example.com)."),
    )
    reason = forms.CharField(
        label=_("Reason (internal)"), max_length=200, required=False,
        validators=[validate_plain_text],
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        kind, value = data.get("kind"), (data.get("value") or "").strip().lower()
        if kind == BlockedSource.Kind.ADDRESS:
            try:
                data["value"] = str(ipaddress.ip_address(value))
            except ValueError:
                self.add_error("value", _("Enter an IP address, like 203.0.113.9."))
        elif kind == BlockedSource.Kind.DOMAIN:
            value = value.removeprefix("@")
            if not DOMAIN.fullmatch(value):
                self.add_error("value", _("Enter an e-mail domain, like example.com."))
            data["value"] = value
        return data


DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


# --- Imports of earlier years ---------------------------------------------------------


class SignatoryImportForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year of the list"), validators=[MinValueValidator(FIRST_IMPORT_YEAR)]
    )
    file = forms.FileField(
        label=_("List of signatories (CSV or XLSX)"),
        help_text=_(
            "Headers in Chinese or English: at least the credit code (统一社会信用代码) and the "
            "name (企业名称); province and industry are read when present. Up to 20 MB."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: show what would happen, write nothing"), required=False, initial=True
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        try:
            check_import_year(year)
        except DomainError as error:
            raise ValidationError(error.message) from None
        return year

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."))
        return upload
