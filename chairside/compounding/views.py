"""Compounding pages: records, master formulations, compound a dose, verify, label, recall."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.audit.services import client_ip
from chairside.compounding import selectors, services
from chairside.compounding.forms import CompoundForm, FormulationForm, VerifyForm
from chairside.compounding.models import CompoundingRecord, MasterFormulation
from chairside.core.forms_util import add_service_errors, submit_form
from chairside.core.pdf import pdf_response
from chairside.inventory.models import Lot
from chairside.patients.models import Patient
from chairside.patients.selectors import patient_with_mrn
from chairside.rules.interop.csv_safe import to_csv
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import first_site

RECORDS_CSV = export_columns(
    "compounding:home",
    "compounding-records.csv",
    "Compounding records",
    [
        ("record", lambda r: r.number),
        ("patient_mrn", lambda r: r.patient.mrn),
        ("patient", lambda r: f"{r.patient.last_name}, {r.patient.first_name}"),
        ("preparation", lambda r: r.formulation.name),
        ("dose_mg", lambda r: r.dose_mg),
        ("final_volume_ml", lambda r: r.final_volume_ml),
        ("category", lambda r: r.get_category_display()),
        ("started", lambda r: r.started_at),
        ("beyond_use", lambda r: r.beyond_use_at),
        ("prepared_by", lambda r: r.prepared_by_name),
        ("verified_by", lambda r: r.verified_by_name),
        ("verified_at", lambda r: r.verified_at),
        ("status", lambda r: r.get_status_display()),
        ("demo", lambda r: r.is_demo),
    ],
)
FORMULATIONS_CSV = export_columns(
    "compounding:formulations",
    "master-formulations.csv",
    "Master formulations",
    [
        ("formulation", lambda f: f.name),
        ("drugs", lambda f: "; ".join(str(i) for i in f.ingredients.all())),
        ("diluent", lambda f: f.diluent),
        ("final_volume_ml", lambda f: f.final_volume_ml),
        ("container", lambda f: f.container),
        ("category", lambda f: f.get_category_display()),
        ("storage", lambda f: f.get_storage_display()),
        ("stability_hours", lambda f: f.stability_hours),
        ("made_in", lambda f: f.get_area_kind_display()),
        ("active", lambda f: f.is_active),
        ("demo", lambda f: f.is_demo),
    ],
)


def _tz(request: OrgRequest) -> Any:
    location = first_site(organization=request.organization)
    return location.tz if location is not None else timezone.get_current_timezone()


@require_perm(Perm.COMPOUNDING_VIEW)
def home(request: OrgRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    found = selectors.records(
        organization=request.organization, status=status, query=request.GET.get("q", "")
    )
    if wants_csv(request):
        return csv_response(request, RECORDS_CSV, found)
    context = {
        "records": found[:100],
        "status": status,
        "statuses": CompoundingRecord.Status.choices,
        "q": request.GET.get("q", ""),
        "can_edit": can(request, Perm.COMPOUNDING_EDIT),
        "formulations": selectors.formulations(organization=request.organization, active_only=True),
        "now": timezone.now(),
        "active": "records",
    }
    return render(request, "compounding/home.html", context)


@require_perm(Perm.COMPOUNDING_VIEW)
def formulation_list(request: OrgRequest) -> HttpResponse:
    formulations = selectors.formulations(organization=request.organization)
    if wants_csv(request):
        return csv_response(request, FORMULATIONS_CSV, formulations)
    context = {
        "formulations": formulations,
        "can_edit": can(request, Perm.COMPOUNDING_EDIT),
        "active": "formulations",
    }
    return render(request, "compounding/formulations.html", context)


@require_perm(Perm.COMPOUNDING_EDIT)
def formulation_new(request: OrgRequest) -> HttpResponse:
    form = FormulationForm(request.POST or None, organization=request.organization)

    def save(data: dict[str, Any]) -> MasterFormulation:
        return services.formulation_create(
            organization=request.organization,
            user=request.user,
            name=data["name"],
            drugs=[(data["drug"], data["amount_mg"])],
            diluent=data["diluent"],
            container=data["container"],
            final_volume_ml=data["final_volume_ml"],
            category=data["category"],
            storage=data["storage"],
            area_kind=data["area_kind"],
            stability_hours=data["stability_hours"],
            instructions=data["instructions"],
        )

    return submit_form(
        request,
        form,
        save=save,
        message=lambda formulation: f"Master formulation “{formulation}” saved.",
        done=lambda formulation: _url("compounding:formulation", formulation),
        template="compounding/formulation_form.html",
        context={"active": "formulations"},
    )


def _url(name: str, saved: Any) -> str:
    return reverse(name, kwargs={"public_id": saved.public_id})


@require_perm(Perm.COMPOUNDING_VIEW)
def formulation_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    formulation = selectors.access_formulation(
        organization=request.organization, public_id=public_id
    )
    context = {
        "formulation": formulation,
        "records": formulation.records.select_related("patient").order_by("-started_at")[:20],
        "can_edit": can(request, Perm.COMPOUNDING_EDIT),
        "active": "formulations",
    }
    return render(request, "compounding/formulation_detail.html", context)


def _ingredient_rows(request: OrgRequest, formulation: MasterFormulation) -> list[dict[str, Any]]:
    rows = []
    for ingredient in formulation.ingredients.all():
        lots: list[Lot] = []
        for area in selectors.areas(organization=request.organization):
            day = timezone.localdate(timezone=area.location.tz)
            for lot in selectors.usable_lots(
                organization=request.organization,
                location=area.location,
                drug=ingredient.drug,
                day=day,
            ):
                if lot not in lots:
                    lots.append(lot)
        key = str(ingredient.public_id)
        rows.append(
            {
                "ingredient": ingredient,
                "key": key,
                "lots": lots,
                "lot": request.POST.get(f"lot_{key}", ""),
                "vials": request.POST.get(f"vials_{key}", ""),
                "amount": request.POST.get(f"amount_{key}", "")
                or (f"{ingredient.amount_mg.normalize():f}" if ingredient.amount_mg else ""),
            }
        )
    return rows


def _draws(request: OrgRequest, rows: list[dict[str, Any]]) -> list[services.Draw]:
    draws = []
    for row in rows:
        ingredient, field = row["ingredient"], f"lot_{row['key']}"
        lot = next((x for x in row["lots"] if str(x.public_id) == row["lot"]), None)
        if lot is None:
            raise ValidationError(
                {field: f"Choose the lot of {ingredient.drug.generic_name} you drew from."}
            )
        try:
            vials = int(row["vials"])
            amount = Decimal(row["amount"].strip())
        except (ValueError, InvalidOperation):
            raise ValidationError(
                {field: f"{ingredient.drug.generic_name}: enter whole vials and the mg drawn."}
            ) from None
        draws.append(services.Draw(ingredient=ingredient, lot=lot, vials=vials, amount_mg=amount))
    return draws


def _patient(request: OrgRequest, mrn: str) -> Patient:
    patient = patient_with_mrn(organization=request.organization, mrn=mrn.strip(), ignore_case=True)
    if patient is None:
        raise ValidationError({"patient_mrn": f"No patient with MRN {mrn} here."})
    return patient


@require_perm(Perm.COMPOUNDING_EDIT)
def compound(request: OrgRequest, public_id: str) -> HttpResponse:
    """Compound one dose of a master formulation: lots drawn, diluent, start, room and hood."""
    formulation = selectors.access_formulation(
        organization=request.organization, public_id=public_id
    )
    areas = list(selectors.areas(organization=request.organization))
    initial = {
        "storage": formulation.storage,
        "started_at": timezone.localtime(timezone.now(), _tz(request)).replace(
            second=0, microsecond=0
        ),
        "patient_mrn": request.GET.get("mrn", ""),
    }
    form = CompoundForm(request.POST or None, initial=initial)
    area_field = form.fields["area"]
    assert isinstance(area_field, forms.ChoiceField)
    area_field.choices = [("", "—")] + [
        (str(a.public_id), f"{a.location.name} · {a}") for a in areas
    ]
    rows = _ingredient_rows(request, formulation)

    def save(data: dict[str, Any]) -> tuple[CompoundingRecord, Any]:
        area = next(a for a in areas if str(a.public_id) == data["area"])
        record = services.compounding_record_create(
            organization=request.organization,
            user=request.user,
            formulation=formulation,
            patient=_patient(request, data["patient_mrn"]),
            area=area,
            draws=_draws(request, rows),
            diluent_lot=data["diluent_lot"],
            diluent_expires_on=data["diluent_expires_on"],
            storage=data["storage"],
            started_at=data["started_at"],
            notes=data["notes"],
        )
        return record, area

    def compounded(saved: tuple[CompoundingRecord, Any]) -> str:
        record, area = saved
        bud = timezone.localtime(record.beyond_use_at, area.location.tz)
        return (
            f"{record.number} compounded; beyond use {bud:%m/%d/%Y %H:%M}. "
            "A pharmacist verifies it now."
        )

    return submit_form(
        request,
        form,
        save=save,
        message=compounded,
        done=lambda saved: _url("compounding:record", saved[0]),
        template="compounding/compound.html",
        context={"formulation": formulation, "rows": rows, "active": "records"},
    )


def _record_context(request: OrgRequest, record: CompoundingRecord, **extra: Any) -> dict[str, Any]:
    return {
        "record": record,
        "tz": record.location.tz,
        "now": timezone.now(),
        "can_edit": can(request, Perm.COMPOUNDING_EDIT),
        "verify_form": VerifyForm(),
        "active": "records",
        **extra,
    }


@require_perm(Perm.COMPOUNDING_VIEW)
def record_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    record = selectors.access_record(organization=request.organization, public_id=public_id)
    return render(request, "compounding/record.html", _record_context(request, record))


@require_POST
@require_perm(Perm.COMPOUNDING_EDIT)
def record_verify(request: OrgRequest, public_id: str) -> HttpResponse:
    """The pharmacist types her own user name and password on this device."""
    record = selectors.access_record(organization=request.organization, public_id=public_id)
    form = VerifyForm(request.POST)
    # Not submit_form: POST only; the refused form is re-shown on the record page as verify_form.
    if form.is_valid():
        try:
            record = services.compounding_record_verify(
                record=record,
                user=request.user,
                username=form.cleaned_data["cosigner_username"],
                password=form.cleaned_data["cosigner_password"],
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{record.number} verified by {record.verified_by_name}.")
            return redirect("compounding:record", public_id=record.public_id)
    # A PasswordInput never renders the typed password back into the page.
    context = _record_context(request, record, verify_form=form)
    return render(request, "compounding/record.html", context, status=400)


@require_perm(Perm.COMPOUNDING_VIEW)
def record_label(request: OrgRequest, public_id: str) -> HttpResponse:
    """The printable label of a verified dose (HTML; ?format=pdf for a PDF)."""
    record = selectors.access_record(organization=request.organization, public_id=public_id)
    if not record.is_verified:
        messages.error(
            request, "A dose is labelled for dispensing only after a pharmacist verifies it."
        )
        return redirect("compounding:record", public_id=record.public_id)
    context = {"record": record, "tz": record.location.tz, "location": record.location}
    html = render(request, "compounding/label.html", context)
    if request.GET.get("format") != "pdf":
        return html
    return pdf_response(request, html.content.decode(), filename=f"label-{record.number}.pdf")


@require_perm(Perm.COMPOUNDING_VIEW)
def recall(request: OrgRequest) -> HttpResponse:
    """Every patient and dose that received a lot; ?format=csv exports it."""
    number = request.GET.get("lot", "").strip()
    export = request.GET.get("format") == "csv"
    if export and not number:
        raise Http404("Give a lot number.")
    result = selectors.lot_recall(
        organization=request.organization, lot_number=number, user=request.user, export=export
    )
    if export:
        body = to_csv(selectors.recall_csv_rows(result, _tz(request)))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        safe = "".join(c for c in result.lot_number if c.isalnum() or c in "-_")[:40]
        response["Content-Disposition"] = f'attachment; filename="recall-{safe}.csv"'
        return response
    context = {"recall": result, "lot": number, "tz": _tz(request), "active": "recall"}
    return render(request, "compounding/recall.html", context)
