"""Interface messages (HL7 v2 in and out) and CSV imports: the coordinator's pages."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, client_ip
from chairside.core.forms_util import add_service_errors
from chairside.interop import csv_import, selectors, services
from chairside.interop.forms import ReceiveForm, SettingsForm, UploadForm
from chairside.interop.models import CsvImport, InterfaceMessage
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm

PAGE_SIZE = 50

MESSAGES_CSV = export_columns(
    "interop:messages",
    "interface-messages.csv",
    "Interface messages",
    [
        ("received_or_queued", lambda m: m.created_at),
        ("direction", lambda m: m.get_direction_display()),
        ("message", lambda m: m.message_type),
        ("control_id", lambda m: m.control_id),
        ("sender", lambda m: f"{m.sending_application} {m.sending_facility}".strip()),
        ("mrn", lambda m: m.patient.mrn if m.patient else ""),
        ("status", lambda m: m.get_status_display()),
        ("ack", lambda m: m.ack_code),
        ("why", lambda m: m.error),
    ],
)


@require_perm(Perm.ACCESS_EDIT)
def message_list(request: OrgRequest) -> HttpResponse:
    direction, status = request.GET.get("direction", ""), request.GET.get("status", "")
    found = selectors.messages(
        organization=request.organization, direction=direction, status=status
    )
    if wants_csv(request):
        return csv_response(request, MESSAGES_CSV, found)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "direction": direction,
        "status": status,
        "directions": InterfaceMessage.Direction.choices,
        "statuses": InterfaceMessage.Status.choices,
        "counts": selectors.counts(organization=request.organization),
        "config": services.interface_settings(request.organization),
        "can_settings": can(request, Perm.SETTINGS_EDIT),
    }
    return render(request, "interop/message_list.html", context)


@require_perm(Perm.ACCESS_EDIT)
def message_list_csv(request: OrgRequest) -> HttpResponse:
    """The list as filtered, as CSV (no raw text): the shared list export."""
    direction, status = request.GET.get("direction", ""), request.GET.get("status", "")
    found = selectors.messages(
        organization=request.organization, direction=direction, status=status
    )
    return csv_response(request, MESSAGES_CSV, found)


def _audit(request: OrgRequest, message: InterfaceMessage, action: str) -> None:
    audit_record(
        action=action,
        user=request.user,
        organization=request.organization,
        obj=message,
        patient=message.patient,
        ip_address=client_ip(request),
    )


@require_perm(Perm.ACCESS_EDIT)
def message_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    message = selectors.access_message(organization=request.organization, public_id=public_id)
    _audit(request, message, AuditEvent.Action.VIEW)  # the raw text is patient data
    context = {
        "message": message,
        "segments": message.raw.split("\r"),
        "ack_segments": message.ack.strip("\r").split("\r") if message.ack else [],
    }
    return render(request, "interop/message_detail.html", context)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def message_reprocess(request: OrgRequest, public_id: str) -> HttpResponse:
    message = selectors.access_message(organization=request.organization, public_id=public_id)
    try:
        done = services.hl7_reprocess(message=message, user=request.user)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        if done.status == InterfaceMessage.Status.ACCEPTED:
            flash.success(request, "Reprocessed: the message was accepted.")
        else:
            flash.error(request, f"Still refused: {done.error}")
    return redirect("interop:message", message.public_id)


def _hl7_file(text: str, filename: str) -> HttpResponse:
    # Segments end with CR (HL7 v2.5.1 2.5.4); the file is plain 7/8-bit text.
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_perm(Perm.ACCESS_EDIT)
def message_download(request: OrgRequest, public_id: str) -> HttpResponse:
    message = selectors.access_message(organization=request.organization, public_id=public_id)
    _audit(request, message, AuditEvent.Action.EXPORT)
    if message.status == InterfaceMessage.Status.QUEUED:
        message.status, message.downloaded_at = InterfaceMessage.Status.DOWNLOADED, timezone.now()
        message.save(update_fields=["status", "downloaded_at", "updated_at"])
    kind = (message.message_type or "message").replace("^", "-")
    return _hl7_file(message.raw, f"{kind}-{message.control_id or message.public_id}.hl7")


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def feed_download(request: OrgRequest) -> HttpResponse:
    """Every queued outbound message, oldest first, in one file; they are marked collected."""
    queued = list(
        selectors.messages(
            organization=request.organization,
            direction=InterfaceMessage.Direction.OUTBOUND,
            status=InterfaceMessage.Status.QUEUED,
        ).order_by("created_at", "id")
    )
    if not queued:
        flash.info(request, "No appointment messages are waiting.")
        return redirect("interop:messages")
    services.feed_collect(messages=queued, user=request.user, ip_address=client_ip(request))
    now = timezone.localtime()
    return _hl7_file("".join(m.raw for m in queued), f"siu-feed-{now:%Y%m%d-%H%M%S}.hl7")


@require_perm(Perm.ACCESS_EDIT)
def message_receive(request: OrgRequest) -> HttpResponse:
    """Paste a message the EHR sent another way (a file, an e-mail): handled like MLLP."""
    form = ReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        message = services.hl7_receive(
            organization=request.organization, raw=form.cleaned_data["raw"], user=request.user
        )
        if message.ack_code == "AA":
            flash.success(request, "Accepted (AA).")
        else:
            flash.error(request, f"Refused ({message.ack_code}): {message.error}")
        return redirect("interop:message", message.public_id)
    return render(request, "interop/receive.html", {"form": form})


@require_perm(Perm.SETTINGS_EDIT)
def settings_edit(request: OrgRequest) -> HttpResponse:
    config = services.interface_settings(request.organization)
    form = SettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        services.interface_settings_save(settings=config, user=request.user, **form.cleaned_data)
        flash.success(request, "Interface settings saved.")
        return redirect("interop:messages")
    return render(request, "interop/settings.html", {"form": form})


def _may_import(request: OrgRequest, kind: str) -> None:
    if kind == CsvImport.Kind.APPOINTMENTS and not can(request, Perm.SCHEDULE_EDIT):
        raise PermissionDenied("Importing appointments needs the right to book them.")


@require_perm(Perm.ACCESS_EDIT)
def import_start(request: OrgRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    # Not submit_form: the status follows form.errors (an empty POST re-renders with 200).
    if request.method == "POST" and form.is_valid():
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        _may_import(request, kind)
        try:
            batch = csv_import.csv_upload(
                organization=request.organization,
                user=request.user,
                kind=kind,
                filename=upload.name or "upload.csv",
                data=upload.read(csv_import.MAX_BYTES + 1),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("interop:import_detail", batch.public_id)
    context = {
        "form": form,
        "kinds": [(k, label, csv_import.KINDS[k].columns) for k, label in CsvImport.Kind.choices],
        "recent": selectors.imports(organization=request.organization)[:10],
    }
    return render(request, "interop/import_start.html", context, status=400 if form.errors else 200)


@require_perm(Perm.ACCESS_EDIT)
def import_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    batch = selectors.access_import(organization=request.organization, public_id=public_id)
    context = {
        "batch": batch,
        "ignored": csv_import.ignored_columns(batch),
        "problem_rows": len({p["row"] for p in batch.problems}),
    }
    return render(request, "interop/import_detail.html", context)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def import_commit(request: OrgRequest, public_id: str) -> HttpResponse:
    batch = selectors.access_import(organization=request.organization, public_id=public_id)
    _may_import(request, batch.kind)
    try:
        done = csv_import.csv_import_commit(batch=batch, user=request.user)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        if done.status == CsvImport.Status.IMPORTED:
            flash.success(request, f"Imported {done.imported_count} rows.")
        else:
            flash.error(request, "Nothing was imported: fix the problems listed and upload again.")
    return redirect("interop:import_detail", batch.public_id)
