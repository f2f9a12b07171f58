"""Cycle count pages: start a sheet, enter counts, review variances, post adjustments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.core.forms_util import add_service_errors
from chairside.inventory import selectors, services
from chairside.inventory.forms import CountStartForm
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm

COUNTS_CSV = export_columns(
    "inventory:counts",
    "cycle-counts.csv",
    "Cycle counts",
    [
        ("started", lambda c: c.created_at),
        ("site", lambda c: str(c.location)),
        ("storage_place", lambda c: c.storage_place.name if c.storage_place else ""),
        ("status", lambda c: c.get_status_display()),
        ("started_by", lambda c: c.started_by.get_username() if c.started_by else ""),
        ("completed", lambda c: c.completed_at),
    ],
)


@require_perm(Perm.INVENTORY_VIEW)
def count_list(request: OrgRequest) -> HttpResponse:
    if wants_csv(request) and request.method == "GET":
        return csv_response(
            request, COUNTS_CSV, selectors.cycle_counts(organization=request.organization)
        )
    form = CountStartForm(
        request.POST or None,
        organization=request.organization,
        initial={
            "location": selectors.storage_places(organization=request.organization)
            .values_list("location", flat=True)
            .first()
        },
    )
    # Not submit_form: a viewer's POST is refused without saving, and there is no message.
    if request.method == "POST" and can(request, Perm.INVENTORY_EDIT) and form.is_valid():
        try:
            count = services.cycle_count_start(
                organization=request.organization, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("inventory:count", public_id=count.public_id)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "counts": selectors.cycle_counts(organization=request.organization)[:30],
        "can_edit": can(request, Perm.INVENTORY_EDIT),
    }
    return render(request, "inventory/count_list.html", context, status=status)


@require_perm(Perm.INVENTORY_VIEW)
def count_sheet(request: OrgRequest, public_id: str) -> HttpResponse:
    count = selectors.access_count(organization=request.organization, public_id=public_id)
    errors: dict[str, str] = {}
    if request.method == "POST" and can(request, Perm.INVENTORY_EDIT):
        counted = {k[5:]: v for k, v in request.POST.items() if k.startswith("line-")}
        try:
            services.cycle_count_record(count=count, user=request.user, counted=counted)
        except ValidationError as exc:
            errors = (
                {k: v[0] for k, v in exc.message_dict.items()}
                if hasattr(exc, "error_dict")
                else {"": exc.messages[0]}
            )
        else:
            messages.success(
                request, "Counts saved. Review the variances, then complete the count."
            )
            return redirect("inventory:count", public_id=count.public_id)
    lines = list(
        count.lines.select_related(
            "lot__package__drug", "lot__storage_place", "lot__patient", "adjustment"
        )
    )
    for line in lines:
        key = str(line.public_id)
        kept = "" if line.counted_vials is None else str(line.counted_vials)
        line.typed = request.POST.get(f"line-{key}", kept) if errors else kept  # type: ignore[attr-defined]
        line.error = errors.get(key, "")  # type: ignore[attr-defined]
    context = {
        "count": count,
        "lines": lines,
        "errors": errors,
        "can_edit": can(request, Perm.INVENTORY_EDIT) and count.status == "open",
        "variances": [line for line in lines if line.variance],
    }
    return render(request, "inventory/count_sheet.html", context, status=400 if errors else 200)


@require_POST
@require_perm(Perm.INVENTORY_EDIT)
def count_complete(request: OrgRequest, public_id: str) -> HttpResponse:
    count = selectors.access_count(organization=request.organization, public_id=public_id)
    try:
        moves = services.cycle_count_complete(count=count, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Count completed: {len(moves)} adjustment{'s' if len(moves) != 1 else ''} posted.",
        )
    return redirect("inventory:count", public_id=count.public_id)
