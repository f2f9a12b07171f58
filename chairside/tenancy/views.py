"""Organization settings pages: sites and chairs, staff and credentials, the audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from chairside.audit.selectors import audit_events
from chairside.audit.services import client_ip
from chairside.core.forms_util import add_service_errors
from chairside.tenancy import selectors, services
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.forms import (
    ChairForm,
    CompetencyForm,
    HoursForm,
    LocationForm,
    MembershipForm,
    PasswordResetForm,
    StaffForm,
)
from chairside.tenancy.models import INVITATION_DAYS, Chair, Location, Membership, StaffMember
from chairside.tenancy.roles import MATRIX, PERM_LABELS, Perm, Role


@require_perm(Perm.STAFF_VIEW)
def settings_home(request: OrgRequest) -> HttpResponse:
    context = {
        "locations": selectors.locations(organization=request.organization),
        "can_edit": can(request, Perm.SETTINGS_EDIT),
        "can_audit": can(request, Perm.AUDIT_VIEW),
        "can_compliance": can(request, Perm.COMPLIANCE_VIEW),
        "memberships": Membership.objects.filter(organization=request.organization).select_related(
            "user"
        )
        if can(request, Perm.SETTINGS_EDIT)
        else [],
        "matrix": [
            (role, [PERM_LABELS.get(p, p.value) for p in Perm if p in MATRIX[role]])
            for role in Role
        ],
        "grant_form": MembershipForm() if can(request, Perm.SETTINGS_EDIT) else None,
        "invitations": selectors.pending_invitations(organization=request.organization)
        if can(request, Perm.SETTINGS_EDIT)
        else [],
    }
    return render(request, "tenancy/settings.html", context)


@require_perm(Perm.SETTINGS_EDIT)
def location_edit(request: OrgRequest, public_id: str | None = None) -> HttpResponse:
    location = (
        get_object_or_404(Location, organization=request.organization, public_id=public_id)
        if public_id
        else None
    )
    form = LocationForm(request.POST or None, instance=location)
    hours = HoursForm(request.POST or None, location=location)
    if request.method == "POST" and form.is_valid() and hours.is_valid():
        try:
            saved = services.location_save(
                organization=request.organization,
                user=request.user,
                location=location,
                hours=hours.hours(),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("tenancy:settings")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "tenancy/location_form.html",
        {"form": form, "hours": hours, "location": location},
        status=status,
    )


@require_perm(Perm.SETTINGS_EDIT)
def chair_edit(request: OrgRequest, location_id: str, public_id: str | None = None) -> HttpResponse:
    location = get_object_or_404(Location, organization=request.organization, public_id=location_id)
    chair = get_object_or_404(Chair, location=location, public_id=public_id) if public_id else None
    form = ChairForm(request.POST or None, instance=chair)
    if request.method == "POST" and form.is_valid():
        try:
            services.chair_save(
                location=location, user=request.user, chair=chair, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Chair {form.cleaned_data['name']} saved.")
            return redirect("tenancy:settings")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "tenancy/chair_form.html",
        {"form": form, "location": location, "chair": chair},
        status=status,
    )


@require_perm(Perm.STAFF_VIEW)
def staff_list(request: OrgRequest) -> HttpResponse:
    rows = selectors.staff_with_flags(organization=request.organization, today=timezone.localdate())
    context = {
        "rows": rows,
        "flagged": sum(1 for _, flags in rows if flags),
        "can_edit": can(request, Perm.SETTINGS_EDIT),
        "warning_days": selectors.EXPIRY_WARNING_DAYS,
    }
    return render(request, "tenancy/staff_list.html", context)


@require_perm(Perm.SETTINGS_EDIT)
def staff_edit(request: OrgRequest, public_id: str | None = None) -> HttpResponse:
    staff = (
        get_object_or_404(StaffMember, organization=request.organization, public_id=public_id)
        if public_id
        else None
    )
    form = StaffForm(request.POST or None, instance=staff, organization=request.organization)
    competency = CompetencyForm(request.POST or None, prefix="c") if staff else None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.staff_save(
                organization=request.organization,
                user=request.user,
                staff=staff,
                **form.cleaned_data,
            )
            if competency is not None and request.POST.get("c-skill") and competency.is_valid():
                services.competency_save(staff=saved, user=request.user, **competency.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{saved} saved.")
            return redirect("tenancy:staff")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "staff": staff, "competency": competency}
    return render(request, "tenancy/staff_form.html", context, status=status)


@require_perm(Perm.AUDIT_VIEW)
def audit_trail(request: OrgRequest) -> HttpResponse:
    events = audit_events(organization=request.organization)
    action = request.GET.get("action", "")
    if action:
        events = events.filter(action=action)
    who = request.GET.get("user", "").strip()
    if who:
        events = events.filter(username__icontains=who)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "tenancy/audit_trail.html", {"page": page, "action": action, "who": who})


NAME_TAKEN = (
    "This user name cannot be used for a new log-in. Choose another, or leave the password "
    "empty to invite someone who already has a Chairside log-in."
)
GRANT_MESSAGES = {
    "created": "{username}: new log-in created as {role}. Hand over the temporary password in "
    "person; they choose their own at first log-in.",
    "changed": "{username} is now {role}.",
    "invited": "{username}: invitation to work here as {role} saved. If {username} has a "
    "Chairside log-in, they see it after logging in and become a member when they accept "
    "(within {days} days).",
}


@require_perm(Perm.SETTINGS_EDIT)
def membership_grant(request: OrgRequest) -> HttpResponse:
    """Create a log-in, change a member's role, or invite a user name."""
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.membership_grant(
                organization=request.organization, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if outcome.kind == "name_taken":
                form.add_error("username", NAME_TAKEN)
                return render(request, "tenancy/membership_form.html", {"form": form}, status=400)
            role = dict(Membership.ROLE_CHOICES)[outcome.role]
            messages.success(
                request,
                GRANT_MESSAGES[outcome.kind].format(
                    username=outcome.username, role=role, days=INVITATION_DAYS
                ),
            )
            return redirect("tenancy:settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "tenancy/membership_form.html", {"form": form}, status=status)


@require_perm(Perm.SETTINGS_EDIT)
def password_reset(request: OrgRequest, public_id: str) -> HttpResponse:
    """Set a member's temporary password (they must change it at next log-in)."""
    from chairside.accounts.services import password_reset_by_admin

    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        organization=request.organization,
        public_id=public_id,
    )
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_by_admin(
                organization=request.organization,
                admin=request.user,
                account=membership.user,
                temporary_password=form.cleaned_data["temporary_password"],
                reset_two_factor=form.cleaned_data["reset_two_factor"],
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{membership.user.username} has a temporary password; they must change it "
                "at their next log-in.",
            )
            return redirect("tenancy:settings")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "membership": membership}
    return render(request, "tenancy/password_reset.html", context, status=status)
