from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails this person receives."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Where the account was signed up from (the abuse page counts sign-ups by address).
    # The campaign's invitations and reminders are not sent while set (the unsubscribe link).
    campaign_mail_opt_out = models.DateTimeField(
        _("unsubscribed from campaign mail"), null=True, blank=True
    )
    signup_address = models.GenericIPAddressField(_("sign-up address"), null=True, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name or self.email


class Membership(models.Model):
    """Ties a user to the one enterprise they act for."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    enterprise = models.ForeignKey(
        "pledges.Enterprise",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("enterprise"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.enterprise} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


class Invitation(models.Model):
    """An owner's invitation for a colleague's e-mail address to join the enterprise."""

    enterprise = models.ForeignKey(
        "pledges.Enterprise",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("enterprise"),
    )
    email = models.EmailField(_("e-mail address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "enterprise",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.enterprise}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class BlockedSource(models.Model):
    """A client address or e-mail domain from which sign-ups and objections are refused
    (administrators keep the list, against floods of fake accounts or objections)."""

    class Kind(models.TextChoices):
        ADDRESS = "address", _("Client address")
        DOMAIN = "domain", _("E-mail domain")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=255)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("blocked source")
        verbose_name_plural = _("blocked sources")
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="blocked_source_once")
        ]

    def __str__(self):
        return f"{self.kind}: {self.value}"


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def is_blocked(*, address: str | None = None, email: str | None = None) -> bool:
    """Whether the client ``address`` or the domain of ``email`` is on the block list."""
    rows = BlockedSource.objects.none()
    if address:
        rows |= BlockedSource.objects.filter(kind=BlockedSource.Kind.ADDRESS, value=address)
    if email:
        rows |= BlockedSource.objects.filter(
            kind=BlockedSource.Kind.DOMAIN, value=email_domain(email)
        )
    return rows.exists()
