"""Forms of the portal: they check input and give messages at the field; services write."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from ..fields import EvidenceForm, ProvinceField, UploadField
from ..models import Enterprise, Industry, Pledge, Province
from ..validators import (
    credit_code_province,
    normalise_credit_code,
    refuse_banned_terms,
    validate_phone,
    validate_plain_text,
)


class EnterpriseProfileForm(forms.ModelForm):
    """The enterprise's profile, as its members edit it."""

    province = ProvinceField(queryset=Province.objects.all(), label=_("Province"))
    industry = forms.ModelChoiceField(
        queryset=Industry.objects.filter(level=Industry.Level.DIVISION),
        label=_("Industry"),
        help_text=_("GB/T 4754-2017 division."),
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=30, validators=[validate_phone]
    )
    licence_scan = UploadField(
        label=_("Business licence scan"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB. Only the association's reviewers see it."),
    )

    class Meta:
        model = Enterprise
        fields = [*Enterprise.PROFILE_FIELDS, "licence_scan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_plain_text)
                field.strip = True
                if name in Enterprise.PUBLIC_FIELDS:
                    field.validators.append(refuse_banned_terms)
        self.fields["industry"].choices = _industry_choices()

    def clean_licence_scan(self):
        upload = self.cleaned_data.get("licence_scan")
        # An untouched field returns the stored file; only a new upload is passed on.
        return upload if hasattr(upload, "checked_type") else None

    def clean(self):
        cleaned = super().clean()
        self._check_code_matches_province(cleaned)
        return cleaned

    def _check_code_matches_province(self, cleaned):
        code = self.instance.credit_code or cleaned.get("credit_code")
        province = cleaned.get("province")
        if code and province and credit_code_province(code) != province.code:
            self.add_error(
                "province",
                ValidationError(
                    _(
                        "The credit code was issued in region %(region)s, which is not "
                        "%(province)s. Check the province or the code."
                    ),
                    code="province_mismatch",
                    params={
                        "region": credit_code_province(code),
                        "province": province.display_name,
                    },
                ),
            )


class EnterpriseRegisterForm(EnterpriseProfileForm):
    """The first description of an enterprise, with its credit code."""

    credit_code = forms.CharField(
        label=_("Unified Social Credit Code"),
        max_length=40,
        help_text=_("18 characters, as printed on the business licence."),
    )

    class Meta(EnterpriseProfileForm.Meta):
        fields = ["credit_code", *EnterpriseProfileForm.Meta.fields]

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data["credit_code"])
        if Enterprise.objects.filter(credit_code=code).exists():
            raise ValidationError(
                _(
                    "An enterprise with this credit code is already registered. Ask a colleague "
                    "who manages it in Chengxin to invite your e-mail address from the portal's "
                    "Team page; you will then join it instead of registering it again."
                ),
                code="exists",
            )
        return code

    def clean(self):
        cleaned = super().clean()
        # Keep the normalised code visible if the form is shown again.
        if cleaned.get("credit_code"):
            self.data = self.data.copy()
            self.data["credit_code"] = cleaned["credit_code"]
        return cleaned


def _industry_choices():
    rows = Industry.objects.order_by("position").only("code", "name", "name_en", "level")
    choices, group = [("", "---------")], None
    for row in rows:
        if row.level == Industry.Level.SECTION:
            group = (f"{row.code} {row.display_name}", [])
            choices.append(group)
        elif group is not None:
            group[1].append((row.code, f"{row.code} {row.display_name}"))
    return choices


class PledgeForm(forms.Form):
    """Signing: who signs, their authority and the stamped page."""

    SAVE, SUBMIT = "save", "submit"

    signer_name = forms.CharField(
        label=_("Name of the signer"),
        max_length=50,
        required=False,
        validators=[validate_plain_text],
    )
    signer_title = forms.CharField(
        label=_("Title of the signer"),
        max_length=50,
        required=False,
        validators=[validate_plain_text],
    )
    signer_authorised = forms.BooleanField(
        label=_("I confirm that the signer is authorised to sign this pledge for the enterprise."),
        required=False,
    )
    stamped_page = UploadField(
        label=_("Stamped signed page"),
        required=False,
        help_text=_(
            "Print the pledge, sign and stamp it with the company seal, then upload a "
            "scan or photo: PDF, JPEG or PNG, at most 10 MB."
        ),
    )

    def __init__(self, *args, pledge: Pledge | None = None, **kwargs):
        self.pledge = pledge
        super().__init__(*args, **kwargs)

    @property
    def action(self) -> str:
        return self.SUBMIT if self.data.get("action") == self.SUBMIT else self.SAVE

    def clean(self):
        cleaned = super().clean()
        if self.action == self.SUBMIT:
            required = _("This is required to submit the pledge.")
            for name in ("signer_name", "signer_title"):
                if name in cleaned and not cleaned[name]:
                    self.add_error(name, ValidationError(required, code="required"))
            if "signer_authorised" in cleaned and not cleaned["signer_authorised"]:
                self.add_error(
                    "signer_authorised",
                    ValidationError(
                        _("The signer must be authorised to sign for the enterprise."),
                        code="required",
                    ),
                )
            has_file = bool(self.pledge and self.pledge.stamped_page)
            if "stamped_page" in cleaned and not cleaned["stamped_page"] and not has_file:
                self.add_error("stamped_page", ValidationError(required, code="required"))
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail address"), max_length=254)


class ObjectionResponseForm(EvidenceForm):
    response = forms.CharField(
        label=_("Your response"),
        help_text=_("Read by the association's reviewers, with the files you add."),
        min_length=10,
        max_length=3000,
        validators=[validate_plain_text],
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    field_order = ["response", "evidence_1", "evidence_2", "evidence_3"]


class AccountDeleteForm(forms.Form):
    """Deleting one's account: the password again, and an explicit confirmation."""

    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput, strip=False, max_length=4096
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and my personal data are deleted for good; "
            "what my enterprise published stays."
        )
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="password")
        return password
