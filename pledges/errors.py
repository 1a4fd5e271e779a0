"""Domain errors: raised by services, shown to the user by the views as a message."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the product was broken; ``message`` is translated and safe to show."""

    default_message = _("This action is not possible.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class IllegalTransition(DomainError):
    default_message = _("This pledge cannot make that change in its current state.")


class ConcurrentChange(DomainError):
    default_message = _(
        "Someone else changed this pledge a moment ago. Please look at it again and retry."
    )


class SigningClosed(DomainError):
    default_message = _("The signing window of this campaign is not open.")


class IncompletePledge(DomainError):
    default_message = _("The pledge is not complete yet.")


class CampaignTextFrozen(DomainError):
    default_message = _(
        "The pledge text cannot be changed: enterprises have already signed it. "
        "Publish a new text in a new campaign instead."
    )


class NotAllowed(DomainError):
    """The actor may not do this (not django.core.exceptions.PermissionDenied, a 403)."""

    default_message = _("You are not allowed to do this.")


class EnterpriseExists(DomainError):
    default_message = _("An enterprise with this credit code is already registered.")


class CalendarNotCovered(DomainError):
    """The working-day calendar (the chinesecalendar package) has no data for a date."""

    def __init__(self, day):
        self.day = day
        super().__init__(
            _(
                "The working-day calendar does not cover %(date)s yet, so the public notice "
                "period cannot be counted. An administrator must update the calendar package "
                "(chinesecalendar) to a version that includes that year."
            )
            % {"date": day.isoformat()}
        )


class ObjectionClosed(DomainError):
    default_message = _("This objection has already been answered.")


class SourceBlocked(DomainError):
    default_message = _(
        "Objections from this network or e-mail domain are not accepted. If you think this "
        "is a mistake, write to the association."
    )


class ListingNotOpenToObjections(DomainError):
    default_message = _("This listing is no longer public; it cannot be objected to.")


class ChecklistIncomplete(DomainError):
    default_message = _("Tick every mandatory item of the checklist before approving.")
