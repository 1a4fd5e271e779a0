import hashlib
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .erasure import erased
from .reference import is_english
from .storage import UPLOAD_SUFFIXES, private_storage


class Province(models.Model):
    """A GB/T 2260 provincial-level division (reference data, loaded by a migration)."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=20)
    short_name = models.CharField(_("short name"), max_length=4)
    name_en = models.CharField(_("English name"), max_length=60)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if is_english() else self.name


class Industry(models.Model):
    """A GB/T 4754-2017 section (A–T) or division (01–97) (reference data)."""

    class Level(models.TextChoices):
        SECTION = "section", _("Section")
        DIVISION = "division", _("Division")

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=120)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    section = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="+", verbose_name=_("section")
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["position"]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.name_en if is_english() else self.name


def licence_upload_to(instance, filename):
    return f"licences/{uuid.uuid4().hex}{_suffix(filename)}"


def stamped_page_upload_to(instance, filename):
    return f"stamped-pages/{uuid.uuid4().hex}{_suffix(filename)}"


def evidence_upload_to(instance, filename):
    return f"objection-evidence/{uuid.uuid4().hex}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    # The name is chosen by us; only a suffix of the types the upload check accepts is kept.
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in UPLOAD_SUFFIXES else ""


def text_sha256(text: str) -> str:
    """The SHA-256 of a pledge text as signed (UTF-8), the fingerprint kept with each pledge."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Enterprise(models.Model):
    """An enterprise that signs pledges; one per Unified Social Credit Code."""

    # What its members describe; the credit code is fixed at registration.
    PROFILE_FIELDS = (
        "name",
        "name_en",
        "province",
        "city",
        "industry",
        "legal_representative",
        "address",
        "website",
        "contact_name",
        "contact_phone",
        "contact_email",
    )
    # What the public sees of it once a pledge is published: after that, a change to one of
    # these is a change request that a reviewer approves (ProfileChange); the rest change freely.
    PUBLIC_FIELDS = ("name", "name_en", "province", "city", "industry", "website")

    name = models.CharField(_("legal name (Chinese)"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(_("Unified Social Credit Code"), max_length=18, unique=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    city = models.CharField(_("city"), max_length=50)
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("industry"),
        limit_choices_to={"level": Industry.Level.DIVISION},
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    address = models.CharField(_("address"), max_length=200)
    website = models.URLField(_("website"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    contact_email = models.EmailField(_("contact e-mail"))
    # The name's characters and character pairs, for two-character searches (pledges.search).
    search_ngrams = models.TextField(editable=False, blank=True, default="")
    licence_scan = models.FileField(
        _("business licence scan"),
        storage=private_storage,
        upload_to=licence_upload_to,
        max_length=200,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def website_link(self) -> str:
        """The website as a link target: http(s) only, whatever an import or the admin stored."""
        return self.website if self.website.lower().startswith(("http://", "https://")) else ""

    def is_published(self) -> bool:
        """Whether something of it is public: then its public details change only by review."""
        return self.listings.filter(status__in=SHOWN_STATUSES).exists()


class Campaign(models.Model):
    """One year's pledge campaign; its text is frozen once anyone has signed it."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    pledge_text = models.TextField(_("pledge text"))
    opens_at = models.DateTimeField(_("signing opens"))
    closes_at = models.DateTimeField(_("signing closes"))
    number_prefix = models.CharField(
        _("certificate number prefix"),
        max_length=10,
        default="CQ",
        help_text=_("Certificates are numbered PREFIX-YEAR-000001."),
    )
    # The last certificate number handed out; numbers are never reused.
    certificate_counter = models.PositiveIntegerField(default=0, editable=False)
    # The campaign's mail to earlier signatories owed so far: {"invitation": when,
    # "reminder-30": when, …} (pledges.services.campaign_mail), so each is owed once.
    mail_owed = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="campaign_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.title

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at


class ChecklistItem(models.Model):
    """Something a reviewer checks on the stamped page before approving, per campaign; the
    ticks are recorded with the decision (its audit event keeps the text as it was)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("campaign")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("item (Chinese)"), max_length=200)
    text_en = models.CharField(_("item (English)"), max_length=200, blank=True)
    mandatory = models.BooleanField(
        _("mandatory"), default=True, help_text=_("Approval is refused until it is ticked.")
    )

    # The items a new campaign starts with: (Chinese, English).
    DEFAULTS = (
        ("印章名称与企业名称一致", "The seal's name matches the enterprise's name"),
        ("签署人和签署日期在签署期内", "The signer and the date are inside the signing window"),
        ("页面完整、清晰可辨", "The page is complete and legible"),
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["campaign", "position", "pk"]

    def __str__(self):
        return self.display_text

    @property
    def display_text(self) -> str:
        return self.text_en if is_english() and self.text_en else self.text


class Pledge(models.Model):
    """One enterprise's signature of one campaign's pledge, moving through review."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REVOKED = "revoked", _("Revoked")

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("enterprise"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("campaign")
    )
    # Written only by the transition services (one conditional UPDATE each).
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, editable=False
    )
    text_snapshot = models.TextField(_("text signed"))
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    signer_name = models.CharField(_("signed by"), max_length=50, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=50, blank=True)
    signer_authorised = models.BooleanField(_("signer confirmed authority"), default=False)
    stamped_page = models.FileField(
        _("stamped signed page"),
        storage=private_storage,
        upload_to=stamped_page_upload_to,
        max_length=200,
        blank=True,
    )
    stamped_page_type = models.CharField(_("file type"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # A reviewer's claim tells the others who is looking at it; it expires on its own.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at"]
        constraints = [
            # A withdrawn pledge does not block signing again in the same campaign.
            models.UniqueConstraint(
                fields=["enterprise", "campaign"],
                condition=~models.Q(state="withdrawn"),
                name="pledge_one_active_per_enterprise_campaign",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            # The public list, newest first: one campaign's published pledges, or all years'.
            # Partial, so the two published states come out of one index already in order.
            models.Index(
                "campaign",
                models.F("decided_at").desc(),
                models.F("id").desc(),
                name="pledge_public_newest",
                condition=models.Q(state__in=["approved", "revoked"]),
            ),
            models.Index(
                models.F("decided_at").desc(),
                models.F("id").desc(),
                name="pledge_published_newest",
                condition=models.Q(state__in=["approved", "revoked"]),
            ),
            # The open-data feed: what changed since a moment, in all years or in one.
            models.Index(fields=["updated_at", "id"], name="pledge_updated"),
            models.Index(fields=["campaign", "updated_at", "id"], name="pledge_campaign_updated"),
        ]
        permissions = [
            ("review_pledge", _("Can review pledges (the review console)")),
            ("manage_campaigns", _("Can manage campaigns and reviewer accounts")),
            ("export_reports", _("Can export reports")),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.campaign.year}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_complete(self) -> bool:
        return bool(
            self.signer_name and self.signer_title and self.signer_authorised and self.stamped_page
        )


def claim_cutoff() -> datetime:
    """Reviewers' claims made before this moment have lapsed (REVIEW_CLAIM_MINUTES)."""
    return timezone.now() - timedelta(minutes=settings.REVIEW_CLAIM_MINUTES)


EDITABLE_STATES = (Pledge.State.DRAFT, Pledge.State.CHANGES_REQUESTED)


class AuditLogIsAppendOnly(Exception):
    """Something tried to change or remove an audit event; only new ones may be written."""


class AuditEventQuerySet(models.QuerySet):
    """Reads and inserts only: set-wise writes would rewrite history without a trace."""

    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be updated.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    def update_or_create(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be updated.")

    def bulk_create(self, objs, *args, **kwargs):
        # An upsert would overwrite the rows it conflicts with.
        if kwargs.get("update_conflicts") or kwargs.get("update_fields"):
            raise AuditLogIsAppendOnly("Audit events cannot be updated.")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("Audit events cannot be updated.")

    def erase_values(self, values) -> int:
        """The one sanctioned rewrite of the trail (PIPL erasure): each of ``values`` (a
        person's e-mail addresses, name, network address) becomes "[erased]" wherever an
        event's details or reason hold it. What happened, when, and by which (anonymised)
        account stays."""
        values = [value for value in values if value]
        if not values:
            return 0
        condition = models.Q()
        for value in values:
            # JSON on SQLite keeps non-ASCII characters escaped (\u738b); on PostgreSQL not.
            escaped = json.dumps(value)[1:-1]
            for form in {value, escaped}:
                condition |= models.Q(details_text__icontains=form)
                condition |= models.Q(reason__icontains=form)
        rows = self.annotate(details_text=Cast("details", models.TextField())).filter(condition)
        rewritten = 0
        for event in rows:
            details, reason = erased(event.details, values), erased(event.reason, values)
            rewritten += super(AuditEventQuerySet, self.filter(pk=event.pk)).update(
                details=details, reason=reason
            )
        return rewritten


class AuditEvent(models.Model):
    """One thing that happened, kept for good: the timeline and the audit log.

    Rows are only ever inserted (see ``pledges.events``): saving a stored event again,
    deleting one, or a queryset's update() or delete() raises ``AuditLogIsAppendOnly``, and
    every relation is PROTECT, so no deletion elsewhere cascades into the log. The admin
    shows events read-only.
    """

    class Action(models.TextChoices):
        ENTERPRISE_CREATED = "enterprise_created", _("Enterprise registered")
        ENTERPRISE_UPDATED = "enterprise_updated", _("Enterprise profile updated")
        MEMBER_INVITED = "member_invited", _("Colleague invited")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation withdrawn")
        MEMBER_JOINED = "member_joined", _("Colleague joined")
        PLEDGE_CREATED = "pledge_created", _("Pledge started")
        PLEDGE_EDITED = "pledge_edited", _("Pledge edited")
        PLEDGE_SUBMITTED = "pledge_submitted", _("Pledge submitted")
        PLEDGE_RESUBMITTED = "pledge_resubmitted", _("Pledge resubmitted")
        PLEDGE_WITHDRAWN = "pledge_withdrawn", _("Pledge withdrawn")
        PLEDGE_APPROVED = "pledge_approved", _("Pledge approved")
        PLEDGE_CHANGES_REQUESTED = "pledge_changes_requested", _("Changes requested")
        PLEDGE_REJECTED = "pledge_rejected", _("Pledge rejected")
        PLEDGE_REVOKED = "pledge_revoked", _("Pledge revoked")
        PLEDGE_CLAIMED = "pledge_claimed", _("Claimed for review")
        PLEDGE_RELEASED = "pledge_released", _("Claim released")
        NOTE_ADDED = "note_added", _("Internal note added")
        CAMPAIGN_CREATED = "campaign_created", _("Campaign created")
        CAMPAIGN_UPDATED = "campaign_updated", _("Campaign updated")
        CAMPAIGN_OPENED = "campaign_opened", _("Signing opened")
        CAMPAIGN_CLOSED = "campaign_closed", _("Signing closed")
        STAFF_ROLE_GRANTED = "staff_role_granted", _("Staff role granted")
        STAFF_ROLE_REVOKED = "staff_role_revoked", _("Staff role removed")
        CERTIFICATE_RERENDERED = "certificate_rerendered", _("Certificate rendered again")
        CERTIFICATE_SUPERSEDED = "certificate_superseded", _("Certificate superseded")
        PROFILE_CHANGE_REQUESTED = (
            "profile_change_requested",
            _("Change of public details requested"),
        )
        PROFILE_CHANGE_APPROVED = "profile_change_approved", _("Change of public details approved")
        PROFILE_CHANGE_REJECTED = "profile_change_rejected", _("Change of public details rejected")
        PROFILE_CHANGE_WITHDRAWN = (
            "profile_change_withdrawn",
            _("Change of public details withdrawn"),
        )
        PLEDGE_TAKEN_DOWN = "pledge_taken_down", _("Listing taken down")
        BANNED_TERM_ADDED = "banned_term_added", _("Banned term added")
        BANNED_TERM_REMOVED = "banned_term_removed", _("Banned term removed")
        MESSAGES_RETRIED = "messages_retried", _("Messages sent again")
        NOTICE_STARTED = "notice_started", _("Public notice started")
        NOTICE_ENDED = "notice_ended", _("Public notice ended: final")
        CAMPAIGN_MAIL_OWED = "campaign_mail_owed", _("Invitations or reminders owed")
        CAMPAIGN_MAIL_UNSUBSCRIBED = (
            "campaign_mail_unsubscribed",
            _("Unsubscribed from campaign mail"),
        )
        CAMPAIGN_MAIL_RESUBSCRIBED = (
            "campaign_mail_resubscribed",
            _("Subscribed to campaign mail again"),
        )
        OBJECTION_CONFIRMED = "objection_confirmed", _("Objection received")
        OBJECTION_RESPONDED = "objection_responded", _("Enterprise responded to an objection")
        OBJECTION_ANSWERED = "objection_answered", _("Objection answered")
        SOURCE_BLOCKED = "source_blocked", _("Address or domain blocked")
        SOURCE_UNBLOCKED = "source_unblocked", _("Address or domain unblocked")
        ACCOUNT_DELETED = "account_deleted", _("Account deleted, personal data erased")
        CONTACTS_ANONYMISED = "contacts_anonymised", _("Contact details removed after years")
        SIGNATORIES_IMPORTED = "signatories_imported", _("Earlier year's signatories imported")

    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("enterprise"),
    )
    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("pledge"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    from_state = models.CharField(
        _("from"), max_length=20, blank=True, choices=Pledge.State.choices
    )
    to_state = models.CharField(_("to"), max_length=20, blank=True, choices=Pledge.State.choices)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    # What the enterprise sees of its pledge's life; claims and notes stay inside.
    ENTERPRISE_ACTIONS = frozenset(
        {
            Action.PLEDGE_CREATED,
            Action.PLEDGE_EDITED,
            Action.PLEDGE_SUBMITTED,
            Action.PLEDGE_RESUBMITTED,
            Action.PLEDGE_WITHDRAWN,
            Action.PLEDGE_APPROVED,
            Action.PLEDGE_CHANGES_REQUESTED,
            Action.PLEDGE_REJECTED,
            Action.PLEDGE_REVOKED,
            Action.PLEDGE_TAKEN_DOWN,
            Action.NOTICE_STARTED,
            Action.NOTICE_ENDED,
            Action.OBJECTION_CONFIRMED,
            Action.OBJECTION_RESPONDED,
            Action.OBJECTION_ANSWERED,
        }
    )
    DECISION_ACTIONS = frozenset(
        {
            Action.PLEDGE_APPROVED,
            Action.PLEDGE_CHANGES_REQUESTED,
            Action.PLEDGE_REJECTED,
            Action.PLEDGE_REVOKED,
            Action.PLEDGE_TAKEN_DOWN,
        }
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditLogIsAppendOnly("Audit events cannot be updated.")
        # An INSERT even when a primary key is given: never an UPDATE of an existing row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    @property
    def is_decision(self) -> bool:
        return self.action in self.DECISION_ACTIONS


class ReviewNote(models.Model):
    """A reviewer's internal note on a pledge; never shown to the enterprise."""

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="notes", verbose_name=_("pledge")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.pledge_id}: {self.text[:40]}"


def certificate_upload_to(instance, filename):
    return f"certificates/{uuid.uuid4().hex}.pdf"


class Certificate(models.Model):
    """The PDF certificate owed for an approved pledge.

    The row is written (pending) in the approval's transaction, so the database, not the
    broker, records what is owed; the worker fills in the number, the file and its hash.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    pledge = models.OneToOneField(
        Pledge, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("pledge")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("campaign"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    number = models.CharField(_("certificate number"), max_length=30, blank=True)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=certificate_upload_to,
        max_length=200,
        blank=True,
    )
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    # The signed Open Badges credential (a VC-JWT) issued with the file; its status list
    # index is ``sequence``.
    credential = models.TextField(_("signed credential"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    # When it was last handed to the broker: owed work queued a while ago and still not done
    # is queued again (pledges.services.recovery).
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "sequence"], name="certificate_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["number"],
                condition=~models.Q(number=""),
                name="certificate_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return self.number or f"#{self.pk}"


# --- The published record ----------------------------------------------------------------
#
# What the public sees is written here, and only here, by reviewed decisions (approval,
# revocation, an approved change of public details, a take-down), in the decision's own
# transaction: see pledges.services.publication. Public pages, the API, the CSV, the sitemap,
# the statistics, verification and the certificate read these tables and nothing live.


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class PublicDataVersion(models.Model):
    """One row: the published record's version, moved by every publication.

    A publication locks the row, so publications commit in the order of their versions: a
    listing's ``sequence`` (the version that last changed it) orders the open-data feed without
    a reader ever passing a change that has not committed yet. Pages carry it as their ETag.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    # Each process reads the row at most once a second; a publication it commits itself
    # forgets its copy at once. So any decision is public everywhere within about a second.
    READ_TTL = 1.0
    _memo: tuple[float, "PublicDataVersion | None"] = (0.0, None)

    class Meta:
        verbose_name = _("public data version")
        verbose_name_plural = _("public data version")

    def __str__(self):
        return str(self.version)

    @classmethod
    def current(cls) -> "PublicDataVersion":
        read_at, row = cls._memo
        now = time.monotonic()
        if row is None or now - read_at > cls.READ_TTL:
            row = cls.objects.filter(pk=1).first() or cls(pk=1, changed_at=_EPOCH)
            cls._memo = (now, row)
        return row

    @classmethod
    def forget(cls) -> None:
        cls._memo = (0.0, None)


class Listing(models.Model):
    """One published pledge as the public sees it: its public details as a reviewer approved
    them."""

    class Status(models.TextChoices):
        LISTED = "listed", _("Listed")
        REVOKED = "revoked", _("Revoked")
        # Taken down: nothing of the enterprise is public any more; the page answers 410.
        REMOVED = "removed", _("Taken down")

    pledge = models.OneToOneField(
        Pledge,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="listing",
        verbose_name=_("pledge"),
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="listings", verbose_name=_("enterprise")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    # integer, not smallint: the name search's GIN index leads with the year (btree_gin),
    # whose operator class takes no cross-type comparison with an integer literal.
    year = models.PositiveIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    name = models.CharField(_("legal name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(_("Unified Social Credit Code"), max_length=18, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("province")
    )
    city = models.CharField(_("city"), max_length=50, blank=True)
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("industry")
    )
    section = models.ForeignKey(
        Industry, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("section")
    )
    website = models.URLField(_("website"), max_length=200, blank=True)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    signed_on = models.DateField(_("signed on"), null=True)
    approved_at = models.DateTimeField(_("approved"))
    revoked_at = models.DateTimeField(_("revoked"), null=True)
    revocation_reason = models.TextField(_("public reason"), blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=30, blank=True)
    certificate_sha256 = models.CharField(
        _("SHA-256 of the certificate"), max_length=64, blank=True
    )
    certificate_issued_on = models.DateField(_("certificate issued on"), null=True)
    # Public notice (公示): the last working day of the notice period of the latest approval
    # or approved change (none when notice is off), and when the listing became final (the
    # period ended without an upheld objection; at approval when there was no notice).
    notice_until = models.DateField(_("in public notice until"), null=True, blank=True)
    final_at = models.DateTimeField(_("final"), null=True, blank=True)
    # An objection is being examined (shown without its grounds or its author); a listing
    # under review does not become final.
    objection_open = models.BooleanField(_("under review after an objection"), default=False)
    # Answered objections, oldest first: {"on", "outcome", "reason"} (the public reason).
    objection_outcomes = models.JSONField(_("objection outcomes"), default=list, blank=True)
    # Approved corrections of public details, oldest first: {"on", "field", "before", "after"}.
    corrections = models.JSONField(_("corrections"), default=list, blank=True)
    search_ngrams = models.TextField(editable=False, blank=True, default="")
    # The years across, kept with each listing for the list's filters (pledges.history.runs):
    # how many years in a row the enterprise had signed by this year (imported years count,
    # revoked ones break the run; 0 for a revoked listing), and whether it has lapsed now.
    # Defaults in the database too: bulk loads (bench/seed_bulk) write rows without them.
    run_years = models.PositiveSmallIntegerField(_("years in a row"), default=1, db_default=1)
    lapsed = models.BooleanField(_("lapsed"), default=False, db_default=False)
    # The public data version that last changed this listing: the feed's order and cursor.
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-approved_at", "-pledge_id"]
        indexes = [
            # The list, newest first, in one year or all; filtered by province or section.
            models.Index(
                "year",
                models.F("approved_at").desc(),
                models.F("pledge_id").desc(),
                name="listing_year_newest",
                condition=models.Q(status__in=["listed", "revoked"]),
            ),
            models.Index(
                models.F("approved_at").desc(),
                models.F("pledge_id").desc(),
                name="listing_newest",
                condition=models.Q(status__in=["listed", "revoked"]),
            ),
            models.Index(
                "year",
                "province",
                models.F("approved_at").desc(),
                models.F("pledge_id").desc(),
                name="listing_year_province",
                condition=models.Q(status__in=["listed", "revoked"]),
            ),
            # A year, a place and an industry division: a few dozen rows, counted from the
            # index alone (the province index alone made the count read thousands of rows).
            models.Index(
                "year",
                "province",
                "industry",
                name="listing_year_place_industry",
                condition=models.Q(status__in=["listed", "revoked"]),
            ),
            models.Index(
                "year",
                "name",
                "pledge_id",
                name="listing_year_name",
                condition=models.Q(status__in=["listed", "revoked"]),
            ),
            models.Index(fields=["enterprise", "year"], name="listing_enterprise"),
            models.Index(fields=["credit_code"], name="listing_credit_code"),
            models.Index(
                fields=["certificate_number"],
                name="listing_certificate",
                condition=~models.Q(certificate_number=""),
            ),
            # The feed: what changed, in order, in one year, filtered by place or industry.
            models.Index(fields=["year", "sequence"], name="listing_year_sequence"),
            # The list's filters by the years across: few rows each.
            models.Index(
                fields=["run_years", "year"],
                name="listing_runs",
                condition=models.Q(run_years__gte=2, status__in=["listed", "revoked"]),
            ),
            models.Index(
                fields=["year"],
                name="listing_lapsed",
                condition=models.Q(lapsed=True, status__in=["listed", "revoked"]),
            ),
            models.Index(fields=["year", "province", "sequence"], name="listing_feed_province"),
            models.Index(fields=["year", "section", "sequence"], name="listing_feed_section"),
            models.Index(fields=["year", "industry", "sequence"], name="listing_feed_industry"),
            # A place and a section together: by the place alone, a rare section was looked
            # for among the place's thousands of listings.
            models.Index(
                fields=["year", "province", "section", "sequence"],
                name="listing_feed_place_section",
            ),
            # The notices still running, for the task that ends them.
            models.Index(
                fields=["notice_until"],
                name="listing_in_notice",
                condition=models.Q(final_at=None),
            ),
        ]

    def __str__(self):
        return f"{self.name or self.pk} · {self.year}"

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.REMOVED

    @property
    def is_revoked(self) -> bool:
        return self.status == self.Status.REVOKED

    @property
    def in_notice(self) -> bool:
        """Listed, and its public notice period not over yet."""
        return self.status == self.Status.LISTED and self.final_at is None

    @property
    def website_link(self) -> str:
        return self.website if self.website.lower().startswith(("http://", "https://")) else ""


# What the list, search and open data show: listed, or revoked and marked so.
SHOWN_STATUSES = (Listing.Status.LISTED, Listing.Status.REVOKED)


class ListingTally(models.Model):
    """How many listings there are per year, province, industry section and status: the
    statistics read these few rows, kept with the record, never a count over every pledge."""

    year = models.PositiveSmallIntegerField(_("year"))
    province = models.CharField(_("province"), max_length=2)
    section = models.CharField(_("section"), max_length=2)
    status = models.CharField(_("status"), max_length=10, choices=Listing.Status.choices)
    count = models.IntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("listing tally")
        verbose_name_plural = _("listing tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "province", "section", "status"], name="listing_tally_unique"
            )
        ]

    def __str__(self):
        return f"{self.year} {self.province} {self.section} {self.status}: {self.count}"


class SupersededCertificate(models.Model):
    """A certificate replaced by a new one after an approved rename: its number still
    verifies, as "superseded", with the name it was issued for."""

    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    pledge = models.ForeignKey(
        Pledge, on_delete=models.PROTECT, related_name="+", verbose_name=_("pledge")
    )
    enterprise_name = models.CharField(_("name on the certificate"), max_length=100)
    credit_code = models.CharField(_("Unified Social Credit Code"), max_length=18)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"), null=True)
    # Its credential stays published (it says who it was issued to) and its bit in the
    # year's status list stays set.
    credential = models.TextField(_("signed credential"), blank=True)
    status_index = models.PositiveIntegerField(_("status list index"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded"), default=timezone.now)

    class Meta:
        verbose_name = _("superseded certificate")
        verbose_name_plural = _("superseded certificates")

    def __str__(self):
        return self.number


class ProfileChange(models.Model):
    """A published enterprise's request to change public details, published only when a
    reviewer approves it. One may be pending per enterprise; asking again replaces it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="profile_changes",
        verbose_name=_("enterprise"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    # {field: [before, after]}; province and industry by code.
    changes = models.JSONField(_("changes"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("change of public details")
        verbose_name_plural = _("changes of public details")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(state="pending"),
                name="profile_change_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.enterprise_id}: {', '.join(self.changes)}"

    def diff(self) -> list[dict]:
        """The change as people read it: each field's label, before and after (province and
        industry by name, in the reader's language)."""
        codes = {"province": Province, "industry": Industry}
        named = {
            field: {
                obj.pk: obj.display_name for obj in model.objects.filter(pk__in=self.changes[field])
            }
            for field, model in codes.items()
            if field in self.changes
        }
        return [
            {
                "field": field,
                "label": Enterprise._meta.get_field(field).verbose_name,
                "before": named.get(field, {}).get(before, before),
                "after": named.get(field, {}).get(after, after),
            }
            for field, (before, after) in self.changes.items()
        ]


class BannedTerm(models.Model):
    """A word or phrase refused in names and other public text (administrators keep the list)."""

    term = models.CharField(_("term"), max_length=50, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("banned term")
        verbose_name_plural = _("banned terms")
        ordering = ["term"]

    def __str__(self):
        return self.term


class OutboxMessage(models.Model):
    """A message the product owes someone, written in the transaction of the change that owes
    it. A worker renders and sends it and marks it sent only once the mail server accepted
    it; work owed and not done is queued again. Repeats carry the same Message-ID."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        CERTIFICATE = "certificate", _("Certificate ready")
        INVITATION = "invitation", _("Invitation")
        PASSWORD = "password", _("Choose a password")
        OBJECTION_CONFIRM = "objection_confirm", _("Confirm an objection")
        OBJECTION_FILED = "objection_filed", _("Objection to a listing")
        OBJECTION_ANSWER = "objection_answer", _("Answer to an objection")
        RENEWAL_INVITATION = "renewal_invitation", _("Invitation to sign again")
        RENEWAL_REMINDER = "renewal_reminder", _("Reminder to sign again")

    class State(models.TextChoices):
        OWED = "owed", _("Owed")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Refused")
        # What it was about is gone (an invitation withdrawn, a certificate superseded).
        VOID = "void", _("No longer needed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What the message is about, e.g. "event:12" or "certificate:3:CQ-2026-000001": with the
    # address, it makes owing the same message twice a no-op.
    about = models.CharField(_("about"), max_length=100)
    email = models.EmailField(_("e-mail address"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("enterprise"),
    )
    language = models.CharField(_("language"), max_length=10)
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OWED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("mail server's answer"), blank=True)
    created_at = models.DateTimeField(_("owed since"), default=timezone.now)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    # A worker sending it holds it until then; another may take it over afterwards.
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    # Mail to many (a campaign's invitations) is paced: each message waits for its moment,
    # and is queued then (pledges.services.campaign_mail); none when queued at once.
    send_after = models.DateTimeField(_("not before"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["kind", "about", "email"], name="outbox_owed_once")
        ]
        indexes = [
            models.Index(
                fields=["queued_at"], name="outbox_owed", condition=models.Q(state="owed")
            ),
            models.Index(fields=["enterprise", "state"], name="outbox_enterprise"),
            models.Index(
                fields=["send_after"],
                name="outbox_scheduled",
                condition=models.Q(state="owed", send_after__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.email} ({self.state})"


class PacedMailClock(models.Model):
    """One row: when the next paced message (a campaign's invitations and reminders) may go,
    so that the pace holds from one beat tick to the next (pledges.services.campaign_mail)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    next_free = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("paced mail clock")
        verbose_name_plural = _("paced mail clock")

    def __str__(self):
        return str(self.next_free)


class Objection(models.Model):
    """An objection to a public listing (异议), under the objector's real name. It counts once
    the objector confirmed it from the mailed link; the association answers it in writing
    within OBJECTION_WORKING_DAYS. Nothing of the objector is ever public, nor shown to the
    enterprise."""

    class State(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for e-mail confirmation")
        OPEN = "open", _("Under review")
        ANSWERED = "answered", _("Answered")

    class Relationship(models.TextChoices):
        CUSTOMER = "customer", _("Customer or buyer")
        CONSUMER = "consumer", _("Consumer")
        COMPETITOR = "competitor", _("Competitor")
        PARTNER = "partner", _("Supplier or business partner")
        EMPLOYEE = "employee", _("Employee or former employee")
        AUTHORITY = "authority", _("Regulator or public body")
        OTHER = "other", _("Other")

    class Ground(models.TextChoices):
        FALSE_DETAILS = "false_details", _("Its published details are false")
        QUALITY = "quality", _("Quality or safety problems with its products or services")
        BROKEN_PLEDGE = "broken_pledge", _("It does not keep the pledge")
        PENALTIES = "penalties", _("Administrative penalties or illegal conduct")
        ABUSIVE = "abusive", _("The listing is abusive or misleading")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        DISMISSED = "dismissed", _("Dismissed")
        REVOKED = "revoked", _("Upheld: the pledge was revoked")
        CHANGES = "changes", _("Upheld: the enterprise must correct it")

    listing = models.ForeignKey(
        Listing, on_delete=models.PROTECT, related_name="objections", verbose_name=_("listing")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.UNCONFIRMED
    )
    # The objector: private, seen by reviewers only.
    name = models.CharField(_("real name"), max_length=50)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    relationship = models.CharField(
        _("relationship to the enterprise"), max_length=12, choices=Relationship.choices
    )
    grounds = models.JSONField(_("grounds"), default=list)
    statement = models.TextField(_("statement"), max_length=3000)
    language = models.CharField(_("language"), max_length=10)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The last working day for the association's written answer.
    answer_due = models.DateField(_("answer due"), null=True, blank=True)
    # The enterprise's side (it never learns who objected).
    response = models.TextField(_("enterprise's response"), max_length=3000, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    # The association's answer.
    findings = models.TextField(_("findings (internal)"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    public_reason = models.TextField(_("public reason"), max_length=500, blank=True)
    answer = models.TextField(_("written answer to the objector"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["answer_due", "pk"]
        indexes = [
            models.Index(fields=["state", "answer_due"], name="objection_queue"),
            models.Index(fields=["email", "created_at"], name="objection_by_email"),
        ]

    def __str__(self):
        return f"{self.listing_id} · {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def ground_labels(self) -> list[str]:
        return [str(self.Ground(ground).label) for ground in self.grounds]

    @classmethod
    def outcome_label(cls, outcome: str) -> str:
        """The label of a published outcome (listings keep the code)."""
        return str(cls.Outcome(outcome).label)


class ObjectionEvidence(models.Model):
    """A file for an objection: the objector's (reviewers only) or the enterprise's."""

    class Party(models.TextChoices):
        OBJECTOR = "objector", _("Objector")
        ENTERPRISE = "enterprise", _("Enterprise")

    objection = models.ForeignKey(
        Objection, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("objection")
    )
    party = models.CharField(_("from"), max_length=10, choices=Party.choices)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=evidence_upload_to, max_length=200
    )
    content_type = models.CharField(_("content type"), max_length=50)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.objection_id} · {self.party}"


class SignatoryImport(models.Model):
    """One import of an earlier year's list of signatories (not a dry run): what it did, row
    by row, kept so the report can be downloaded again."""

    year = models.PositiveIntegerField(_("year"))
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    # {"added": n, "updated": n, "unchanged": n, "refused": n}
    counts = models.JSONField(_("counts"), default=dict)
    report_csv = models.TextField(_("report (CSV)"))
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("signatory import")
        verbose_name_plural = _("signatory imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.year} · {self.file_name}"


class ImportedSignature(models.Model):
    """An earlier year's signature as the association's own list records it: public as a
    historical record, imported (not reviewed here, no certificate). Keyed by the credit
    code, so it joins the years an enterprise signed here whether or not it has registered."""

    year = models.PositiveIntegerField(_("year"))
    credit_code = models.CharField(_("Unified Social Credit Code"), max_length=18)
    name = models.CharField(_("legal name (Chinese)"), max_length=100)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("province")
    )
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("industry")
    )
    # The import that last added or changed it, and its row in that file.
    source = models.ForeignKey(
        SignatoryImport,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("import"),
    )
    source_row = models.PositiveIntegerField(_("row"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("imported signature")
        verbose_name_plural = _("imported signatures")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code", "year"], name="imported_code_year"),
        ]
        indexes = [models.Index(fields=["year", "name"], name="imported_year_name")]

    def __str__(self):
        return f"{self.year} · {self.name}"
