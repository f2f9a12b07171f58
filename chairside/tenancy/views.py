"""Organization settings pages: sites and chairs, staff and credentials, the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import (
    AUDIT_EVENT_COLUMNS,
    csv_response,
    export_columns,
    wants_csv,
)
from chairside.audit.selectors import audit_events
from chairside.core.forms_util import submit_form
from chairside.tenancy import selectors, services
from chairside.tenancy.access import OrgRequest, can, require_perm, signed_in
from chairside.tenancy.forms import (
    ChairForm,
    CompetencyForm,
    HoursForm,
    LocationForm,
    MembershipForm,
    StaffForm,
)
from chairside.tenancy.middleware import SESSION_KEY
from chairside.tenancy.models import INVITATION_DAYS, Membership, StaffMember
from chairside.tenancy.roles import MATRIX, PERM_LABELS, Perm, Role
from chairside.tenancy.today import client_today, today_cards

STAFF_CSV = export_columns(
    "tenancy:staff",
    "staff-and-credentials.csv",
    "Staff and credentials",
    [
        ("last_name", lambda r: r[0].last_name),
        ("first_name", lambda r: r[0].first_name),
        ("job_title", lambda r: r[0].job_title),
        ("site", lambda r: r[0].home_location.name if r[0].home_location else ""),
        ("credential", lambda r: r[0].credential),
        ("npi", lambda r: r[0].npi),
        ("license", lambda r: f"{r[0].license_state} {r[0].license_number}".strip()),
        ("license_expires", lambda r: r[0].license_expires),
        (
            "competencies",
            lambda r: "; ".join(
                f"{c.get_skill_display()} (expires {c.expires_on or 'never'})"
                for c in r[0].competencies.all()
            ),
        ),
        (
            "attention",
            lambda r: "; ".join(
                f"{f.what} {'expired' if f.expired else 'expires'} {f.expires_on}" for f in r[1]
            ),
        ),
    ],
)


AUDIT_CSV = export_columns("tenancy:audit", "audit-trail.csv", "Audit trail", AUDIT_EVENT_COLUMNS)


@require_perm(Perm.STAFF_VIEW)
def settings_home(request: OrgRequest) -> HttpResponse:
    context = {
        "locations": selectors.locations(organization=request.organization),
        "can_edit": can(request, Perm.SETTINGS_EDIT),
        "can_audit": can(request, Perm.AUDIT_VIEW),
        "can_compliance": can(request, Perm.COMPLIANCE_VIEW),
        "memberships": selectors.memberships(organization=request.organization)
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
        selectors.access_location(organization=request.organization, public_id=public_id)
        if public_id
        else None
    )
    form = LocationForm(request.POST or None, instance=location)
    hours = HoursForm(request.POST or None, location=location)
    return submit_form(
        request,
        form,
        save=lambda data: services.location_save(
            organization=request.organization,
            user=request.user,
            location=location,
            hours=hours.hours(),
            **data,
        ),
        also_valid=(hours,),
        message=lambda saved: f"{saved.name} saved.",
        done="tenancy:settings",
        template="tenancy/location_form.html",
        context={"hours": hours, "location": location},
    )


@require_perm(Perm.SETTINGS_EDIT)
def chair_edit(request: OrgRequest, location_id: str, public_id: str | None = None) -> HttpResponse:
    location = selectors.access_location(organization=request.organization, public_id=location_id)
    chair = (
        selectors.access_chair(
            organization=request.organization, location=location, public_id=public_id
        )
        if public_id
        else None
    )
    form = ChairForm(request.POST or None, instance=chair)
    return submit_form(
        request,
        form,
        save=lambda data: services.chair_save(
            location=location, user=request.user, chair=chair, **data
        ),
        message=lambda _: f"Chair {form.cleaned_data['name']} saved.",
        done="tenancy:settings",
        template="tenancy/chair_form.html",
        context={"location": location, "chair": chair},
    )


@require_perm(Perm.STAFF_VIEW)
def staff_list(request: OrgRequest) -> HttpResponse:
    rows = selectors.staff_with_flags(organization=request.organization, today=timezone.localdate())
    if wants_csv(request):
        return csv_response(request, STAFF_CSV, rows)
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
        selectors.access_staff(organization=request.organization, public_id=public_id)
        if public_id
        else None
    )
    form = StaffForm(request.POST or None, instance=staff, organization=request.organization)
    competency = CompetencyForm(request.POST or None, prefix="c") if staff else None

    def save(data: dict[str, Any]) -> StaffMember:
        saved = services.staff_save(
            organization=request.organization, user=request.user, staff=staff, **data
        )
        if competency is not None and request.POST.get("c-skill") and competency.is_valid():
            services.competency_save(staff=saved, user=request.user, **competency.cleaned_data)
        return saved

    return submit_form(
        request,
        form,
        save=save,
        message=lambda saved: f"{saved} saved.",
        done="tenancy:staff",
        template="tenancy/staff_form.html",
        context={"staff": staff, "competency": competency},
    )


@require_perm(Perm.AUDIT_VIEW)
def audit_trail(request: OrgRequest) -> HttpResponse:
    events = audit_events(organization=request.organization)
    action = request.GET.get("action", "")
    if action:
        events = events.filter(action=action)
    who = request.GET.get("user", "").strip()
    if who:
        events = events.filter(username__icontains=who)
    if wants_csv(request):
        with timezone.override(selectors.site_time_zone(organization=request.organization)):
            return csv_response(request, AUDIT_CSV, events)
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

    def save(data: dict[str, Any]) -> services.GrantOutcome:
        outcome = services.membership_grant(
            organization=request.organization, user=request.user, **data
        )
        if outcome.kind == "name_taken":  # nothing was saved: the name goes back on the form
            raise ValidationError({"username": NAME_TAKEN})
        return outcome

    return submit_form(
        request,
        form,
        save=save,
        message=lambda outcome: GRANT_MESSAGES[outcome.kind].format(
            username=outcome.username,
            role=dict(Membership.ROLE_CHOICES)[outcome.role],
            days=INVITATION_DAYS,
        ),
        done="tenancy:settings",
        template="tenancy/membership_form.html",
    )


def today(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    if getattr(request, "membership", None) is None:
        return render(request, "tenancy/no_membership.html", status=403)
    clients = client_today(request)
    cards = today_cards(request)
    if clients:  # a management company's own queues are empty: show only what is not
        cards = [c for c in cards if c.count not in (0, "0")]
    return render(request, "tenancy/today.html", {"cards": cards, "clients": clients})


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    membership = services.organization_choose(
        user=signed_in(request), organization_public_id=request.POST.get("organization", "")
    )
    request.session[SESSION_KEY] = str(membership.organization.public_id)
    messages.success(request, f"You are now working in {membership.organization.name}.")
    return redirect("today")
