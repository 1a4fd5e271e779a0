"""Forms of the public pages: the list's filters and certificate verification."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..fields import EvidenceForm, FastSelect
from ..models import Objection
from ..validators import (
    CERTIFICATE_NUMBER_EXAMPLE,
    CERTIFICATE_NUMBER_INPUT_MAX,
    normalise_certificate_number,
    refuse_invisible_controls,
)


class _CopiedPerForm:
    """A field that a form copies with a copy of its widget, not a deep copy: Django deep-copies
    every field for every form, which cost the list's filters more than checking a query.
    Nothing of such a field changes per form but its choices, which are assigned (a new
    attribute on the copy and its widget), never changed in place."""

    def __deepcopy__(self, memo):
        result = copy.copy(self)
        result.widget = copy.copy(self.widget)
        result.widget.attrs = self.widget.attrs.copy()
        memo[id(self)] = result
        return result


class _PreparedChoiceMixin:
    """Checks a value against PreparedChoices by a set lookup (a ChoiceField walks its list:
    1,500 comparisons for an industry near the end)."""

    def valid_value(self, value):
        if isinstance(self.choices, PreparedChoices):
            return str(value) in self.choices.values
        return super().valid_value(value)


class PreparedChoiceField(_CopiedPerForm, _PreparedChoiceMixin, forms.ChoiceField):
    pass


class PreparedTypedChoiceField(_CopiedPerForm, _PreparedChoiceMixin, forms.TypedChoiceField):
    pass


class SharedChoiceField(_CopiedPerForm, forms.ChoiceField):
    pass


class SharedCharField(_CopiedPerForm, forms.CharField):
    pass


# "Signed N years in a row": the thresholds the list offers.
RUN_CHOICES = ("2", "3", "5", "10", "20")
# Translated when shown, in the reader's language.
_run_label = lazy(lambda years: gettext("%(years)s years in a row or more") % {"years": years}, str)


class PublicFilterForm(forms.Form):
    SORTS = [("newest", _("Newest first")), ("name", _("By name"))]
    RUNS = [
        ("", _("Any")),
        *[(n, _("%(years)s years in a row or more") % {"years": n}) for n in RUN_CHOICES],
    ]
    STANDINGS = [("", _("Any")), ("lapsed", _("Lapsed: signed before, not this year"))]

    q = SharedCharField(
        label=_("Name or credit code"),
        required=False,
        max_length=50,
        # Not stripped here, so the length checked is the length sent (the API's schema
        # says so); the search itself ignores the spaces around a term.
        strip=False,
        validators=[refuse_invisible_controls],
    )
    year = PreparedTypedChoiceField(
        label=_("Year"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    province = PreparedChoiceField(label=_("Province"), required=False, widget=FastSelect)
    industry = PreparedChoiceField(label=_("Industry"), required=False, widget=FastSelect)
    run = SharedChoiceField(
        label=_("Signed in a row"), required=False, choices=RUNS, widget=FastSelect
    )
    standing = SharedChoiceField(
        label=_("Standing"), required=False, choices=STANDINGS, widget=FastSelect
    )
    sort = SharedChoiceField(label=_("Sort"), required=False, choices=SORTS, widget=FastSelect)

    def __init__(self, *args, choices: dict[str, "PreparedChoices"], **kwargs):
        self.prepared = choices
        super().__init__(*args, **kwargs)
        for name, prepared in choices.items():
            self.fields[name].choices = prepared

    @staticmethod
    def prepare(*, years, provinces, industries) -> dict[str, "PreparedChoices"]:
        """The filters' choices, built once per language and data version (see .names)."""
        return {
            "year": PreparedChoices([("", _("All years")), *[(y, y) for y in years]]),
            "province": PreparedChoices([("", _("All provinces")), *provinces]),
            "industry": PreparedChoices([("", _("All industries")), *industries]),
        }

    def blank(self) -> "PublicFilterForm":
        """The same form with nothing filled in."""
        return PublicFilterForm(choices=self.prepared)


class PreparedChoices(BaseChoiceIterator):
    """Choices taken as they are: a field normalises a plain list on every assignment, which
    for the 1,500 industries cost more than the rest of a list page."""

    def __init__(self, choices: list):
        self.choices = choices
        self.values = frozenset(str(value) for value, _label in choices)

    def __iter__(self):
        return iter(self.choices)


class VerifyFileForm(forms.Form):
    """A certificate PDF to check: its signature and signed payload, then the record."""

    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label=_("Certificate PDF"),
        help_text=_("The PDF file of the certificate, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."), code="too_large")
        content = upload.read()
        if not content.startswith(b"%PDF-"):
            raise ValidationError(_("This file is not a PDF."), code="not_pdf")
        return content


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=CERTIFICATE_NUMBER_INPUT_MAX,
        help_text=_("As printed on the certificate, for example CQ-2026-000001."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": CERTIFICATE_NUMBER_EXAMPLE,
            }
        ),
    )

    def clean_number(self):
        number = normalise_certificate_number(self.cleaned_data["number"])
        if number is None:
            raise ValidationError(
                _("This is not a certificate number. Enter it as printed, like %(example)s."),
                code="invalid",
                params={"example": CERTIFICATE_NUMBER_EXAMPLE},
            )
        return number


# What people write when they do not want to give a name: refused, with the reason.
ANONYMOUS_NAMES = frozenset(
    {"匿名", "匿名者", "匿名人", "无名氏", "某某", "某人", "群众", "一群众", "知情人", "知情者",
     "anonymous", "anon", "none", "n/a", "na", "unknown", "nobody", "x", "xx", "xxx"}
)  # fmt: skip


def refuse_anonymous(value: str) -> None:
    if value.strip().casefold() in ANONYMOUS_NAMES or len(value.strip()) < 2:
        raise ValidationError(
            _(
                "Anonymous objections are not accepted. Give your real name, as on your "
                "identity document: the association keeps it private and does not pass it "
                "to the enterprise."
            ),
            code="anonymous",
        )


class ObjectionForm(EvidenceForm):
    name = forms.CharField(
        label=_("Your real name"),
        max_length=50,
        validators=[refuse_invisible_controls, refuse_anonymous],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send a link there: the objection counts once you confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.RegexField(
        label=_("Your phone number (optional)"),
        required=False,
        max_length=30,
        regex=r"^\+?[0-9][0-9 -]{4,28}$",
        error_messages={"invalid": _("Enter a phone number: digits, spaces and dashes.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    relationship = forms.ChoiceField(
        label=_("Your relationship to the enterprise"),
        # Chosen, not assumed: the first choice would otherwise be preselected.
        choices=[("", "—"), *Objection.Relationship.choices],
    )
    grounds = forms.MultipleChoiceField(
        label=_("Grounds"),
        choices=Objection.Ground.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one ground.")},
    )
    statement = forms.CharField(
        label=_("What happened"),
        help_text=_(
            "Facts, dates, places, order or batch numbers. The enterprise will read this "
            "statement (without your name or contact details)."
        ),
        min_length=20,
        max_length=3000,
        validators=[refuse_invisible_controls],
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    truthful = forms.BooleanField(
        label=_(
            "I confirm that this statement is true, and that I may be asked for more "
            "evidence. A deliberately false objection may be reported."
        ),
        error_messages={"required": _("Confirm that your statement is true.")},
    )
