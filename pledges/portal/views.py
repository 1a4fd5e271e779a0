"""The enterprise portal (/portal/): thin views over selectors, forms and services."""

import copy
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..certificates.selectors import member_certificate, member_certificate_file
from ..errors import DomainError, EnterpriseExists
from ..history.selectors import confirmed_standing
from ..public.records import pledge_url_pattern
from ..responses import private_file_response
from ..services.enterprises import (
    enterprise_register,
    enterprise_update,
    profile_change_withdraw,
)
from ..services.members import invitation_accept, invitation_create, invitation_revoke
from ..services.objections import objection_respond
from ..services.pledges import pledge_create, pledge_submit, pledge_update, pledge_withdraw
from . import selectors
from .forms import (
    EnterpriseProfileForm,
    EnterpriseRegisterForm,
    InvitationForm,
    ObjectionResponseForm,
    PledgeForm,
)


def _posted(request):
    """(data, files) of a POST, even an empty one, so it is validated; (None, None) otherwise."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def member_required(view):
    """Logged in and a member of an enterprise; the membership is passed to the view."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        membership = selectors.membership_for(request.user)
        if membership is None:
            messages.info(request, _("First describe your enterprise, or accept an invitation."))
            return redirect("portal:dashboard")
        return view(request, membership, *args, **kwargs)

    return wrapper


@login_required
def dashboard(request):
    membership = selectors.membership_for(request.user)
    campaign = selectors.current_campaign()
    context = {"membership": membership, "campaign": campaign}
    if membership is None:
        context["invitations"] = selectors.open_invitations_for(user=request.user)
        return render(request, "portal/welcome.html", context)
    pledge = None
    if campaign is not None:
        pledge = selectors.active_pledge(enterprise=membership.enterprise, campaign=campaign)
    context.update(
        enterprise=membership.enterprise,
        pledge=pledge,
        certificate=member_certificate(pledge) if pledge else None,
        timeline=selectors.pledge_timeline(pledge=pledge) if pledge else [],
        reviewer_reason=selectors.latest_reviewer_reason(pledge=pledge) if pledge else "",
        history=selectors.enterprise_pledges(enterprise=membership.enterprise),
        standing=confirmed_standing(
            membership.enterprise.credit_code, url_pattern=pledge_url_pattern()
        ),
        bounced=selectors.bounced_mail(enterprise=membership.enterprise),
        objections=selectors.enterprise_objections(enterprise=membership.enterprise),
    )
    return render(request, "portal/dashboard.html", context)


@login_required
def enterprise_create(request):
    if selectors.membership_for(request.user) is not None:
        return redirect("portal:enterprise")
    form = EnterpriseRegisterForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        licence = data.get("licence_scan")
        try:
            enterprise_register(
                actor=request.user,
                credit_code=data["credit_code"],
                profile=data,
                licence=licence,
                licence_type=getattr(licence, "checked_type", ""),
            )
        except EnterpriseExists as error:
            form.add_error("credit_code", str(error.message))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your enterprise is registered. You can now sign."))
            return redirect("portal:dashboard")
    return render(request, "portal/enterprise_form.html", {"form": form, "creating": True})


@member_required
def enterprise_detail(request, membership):
    enterprise = membership.enterprise
    change = selectors.pending_change(enterprise)
    return render(
        request,
        "portal/enterprise_detail.html",
        {
            "membership": membership,
            "enterprise": enterprise,
            "change": change,
            "diff": change.diff() if change else [],
            "published": enterprise.is_published(),
        },
    )


@require_POST
@member_required
def change_withdraw(request, membership):
    change = selectors.pending_change(membership.enterprise)
    if change is None:
        raise Http404
    try:
        profile_change_withdraw(change=change, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The change was withdrawn."))
    return redirect("portal:enterprise")


@member_required
def enterprise_edit(request, membership):
    enterprise = membership.enterprise
    # The form works on a copy: validation writes typed values onto its instance, and the
    # service compares them with what is stored.
    form = EnterpriseProfileForm(*_posted(request), instance=copy.copy(enterprise))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        licence = data.get("licence_scan")
        update = enterprise_update(
            enterprise=enterprise,
            actor=request.user,
            profile=data,
            licence=licence,
            licence_type=getattr(licence, "checked_type", ""),
        )
        if update.change is not None:
            messages.info(
                request,
                _(
                    "Your change of public details is waiting for review: the public list "
                    "shows it once a reviewer approves it."
                ),
            )
        if update.saved or update.change is None:
            messages.success(request, _("The profile is saved."))
        return redirect("portal:enterprise")
    return render(
        request,
        "portal/enterprise_form.html",
        {
            "form": form,
            "creating": False,
            "enterprise": enterprise,
        },
    )


@member_required
def sign(request, membership, year):
    campaign = selectors.campaign_for_signing(year=year)
    enterprise = membership.enterprise
    pledge = selectors.active_pledge(enterprise=enterprise, campaign=campaign)
    if pledge is not None and not pledge.is_editable:
        return redirect("portal:pledge", pledge_id=pledge.pk)
    if not campaign.is_open():
        messages.error(request, _("The signing window of this campaign is not open."))
        return redirect("portal:dashboard")
    initial = {
        "signer_name": enterprise.legal_representative,
        "signer_title": _("Legal representative"),
    }
    if pledge is not None:
        initial = {
            "signer_name": pledge.signer_name,
            "signer_title": pledge.signer_title,
            "signer_authorised": pledge.signer_authorised,
        }
    form = PledgeForm(
        *_posted(request),
        initial=initial,
        pledge=pledge,
    )
    if request.method == "POST" and form.is_valid():
        try:
            pledge = _save_pledge(request, form, campaign, enterprise, pledge)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect("portal:pledge", pledge_id=pledge.pk)
    return render(
        request,
        "portal/sign.html",
        {
            "form": form,
            "campaign": campaign,
            "pledge": pledge,
            "enterprise": enterprise,
            "reviewer_reason": selectors.latest_reviewer_reason(pledge=pledge) if pledge else "",
        },
    )


def _save_pledge(request, form, campaign, enterprise, pledge):
    data = form.cleaned_data
    upload = data.get("stamped_page")
    fields = {
        "signer_name": data["signer_name"],
        "signer_title": data["signer_title"],
        "signer_authorised": data["signer_authorised"],
        "stamped_page": upload or None,
        "stamped_page_type": getattr(upload, "checked_type", ""),
    }
    if pledge is None:
        pledge = pledge_create(
            enterprise=enterprise, campaign=campaign, actor=request.user, **fields
        )
    else:
        pledge = pledge_update(pledge=pledge, actor=request.user, **fields)
    if form.action == PledgeForm.SUBMIT:
        pledge_submit(pledge=pledge, actor=request.user)
        messages.success(request, _("Your pledge is submitted. The association will review it."))
    else:
        messages.success(request, _("Your draft is saved."))
    return pledge


@member_required
def pledge_detail(request, membership, pledge_id):
    pledge = selectors.pledge_for_member(user=request.user, pledge_id=pledge_id)
    return render(
        request,
        "portal/pledge_detail.html",
        {
            "pledge": pledge,
            "enterprise": membership.enterprise,
            "certificate": member_certificate(pledge),
            "timeline": selectors.pledge_timeline(pledge=pledge),
            "reviewer_reason": selectors.latest_reviewer_reason(pledge=pledge),
        },
    )


@require_POST
@member_required
def pledge_submit_view(request, membership, pledge_id):
    pledge = selectors.pledge_for_member(user=request.user, pledge_id=pledge_id)
    try:
        pledge_submit(pledge=pledge, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your pledge is submitted. The association will review it."))
    return redirect("portal:pledge", pledge_id=pledge.pk)


@require_POST
@member_required
def pledge_withdraw_view(request, membership, pledge_id):
    pledge = selectors.pledge_for_member(user=request.user, pledge_id=pledge_id)
    try:
        pledge_withdraw(pledge=pledge, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your pledge is withdrawn."))
    return redirect("portal:pledge", pledge_id=pledge.pk)


@member_required
def team(request, membership):
    members, invitations = selectors.enterprise_team(enterprise=membership.enterprise)
    form = InvitationForm(_posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                enterprise=membership.enterprise,
                actor=request.user,
                email=form.cleaned_data["email"],
            )
        except DomainError as error:
            form.add_error("email", str(error.message))
        else:
            messages.success(request, _("The invitation is sent."))
            return redirect("portal:team")
    return render(
        request,
        "portal/team.html",
        {
            "membership": membership,
            "enterprise": membership.enterprise,
            "members": members,
            "invitations": invitations,
            "form": form,
        },
    )


@require_POST
@member_required
def invitation_revoke_view(request, membership, invitation_id):
    invitation = selectors.invitation_of(
        enterprise=membership.enterprise, invitation_id=invitation_id
    )
    try:
        invitation_revoke(invitation=invitation, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation is withdrawn."))
    return redirect("portal:team")


@require_POST
@login_required
def invitation_accept_view(request, invitation_id):
    invitation = selectors.open_invitations_for(user=request.user).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    try:
        invitation_accept(invitation=invitation, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You joined %(name)s.") % {"name": invitation.enterprise})
    return redirect("portal:dashboard")


# --- Private files: members of the enterprise only ----------------------------------------


@login_required
def stamped_page(request, pledge_id):
    pledge = selectors.pledge_for_member(user=request.user, pledge_id=pledge_id)
    return private_file_response(pledge.stamped_page, f"pledge-{pledge.campaign.year}-stamped-page")


@login_required
def licence_scan(request):
    membership = selectors.membership_for(request.user)
    if membership is None:
        raise Http404
    return private_file_response(membership.enterprise.licence_scan, "business-licence")


@login_required
def certificate(request, pledge_id):
    """Members only (404 for anyone else), and only while the pledge stands approved."""
    pledge = selectors.pledge_for_member(user=request.user, pledge_id=pledge_id)
    certificate = member_certificate_file(pledge)
    return private_file_response(certificate.file, f"certificate-{certificate.number}")


@member_required
def objection_detail(request, membership, objection_id):
    """An objection to one of the enterprise's listings (never who made it), and the
    enterprise's response (POST), which it may send again until the answer."""
    objection = selectors.objection_for_member(
        enterprise=membership.enterprise, objection_id=objection_id
    )
    data, files = _posted(request)
    form = ObjectionResponseForm(data, files, initial={"response": objection.response})
    if request.method == "POST" and form.is_valid():
        try:
            objection_respond(
                objection=objection,
                actor=request.user,
                response=form.cleaned_data["response"],
                evidence=form.evidence(),
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your response is recorded; the association will read it."))
        return redirect("portal:objection", objection_id=objection.pk)
    return render(
        request,
        "portal/objection_detail.html",
        {"objection": objection, "listing": objection.listing, "form": form},
        status=400 if form.errors else 200,
    )
