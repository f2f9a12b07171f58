"""CSV import from another system: a dry run that lists every row's problems, then an
all-or-nothing import.

Both run the same code: every row goes through the service a coordinator's form uses
(``provider_save``, ``patient_create``, ``coverage_add``, ``order_create``,
``appointment_book``), each row in its own savepoint so one bad row does not hide the next
one's problems, all inside one transaction that the dry run — or any problem — rolls back.
A row that depends on an earlier row of the same file (two rows with one MRN) is checked
against it, exactly as the import would see it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chairside.access.referrals.models import ReferringProvider, TreatmentOrder
from chairside.access.referrals.services import order_create, provider_save
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.core.actors import acting_user
from chairside.formulary.models import Drug
from chairside.interop.models import CsvImport
from chairside.patients.models import Patient, Payer
from chairside.patients.services import coverage_add, diagnosis_add, patient_create
from chairside.rules.clinical.icd10 import normalize_icd10
from chairside.scheduling.services.appointments import appointment_book
from chairside.tenancy.models import Chair

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000


class RowError(ValueError):
    """A cell that cannot be read, named by its column."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    hint: str = ""


Row = dict[str, str]
Mapper = Callable[[Any, Any, Row], Any]


# --- reading cells ------------------------------------------------------------------------


class CellProblemsError(ValueError):
    """Every cell of a row that cannot be read (so the coordinator fixes them in one pass)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class Cells:
    """One row's cells, read by column; problems are collected, not raised one by one."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.errors: list[RowError] = []

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(column, message))

    def check(self) -> None:
        """Raise every problem found so far, before the service is called."""
        if self.errors:
            raise CellProblemsError(self.errors)

    def text(self, column: str, required: bool = False) -> str:
        value = (self.row.get(column) or "").strip()
        if required and not value:
            self.fail(column, "is empty; it is required.")
        return value

    def date(self, column: str, required: bool = False) -> dt.date | None:
        value = self.text(column, required)
        if not value:
            return None
        for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
            try:
                return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a date, no time)
            except ValueError:
                continue
        self.fail(column, f"'{value}' is not a date: write MM/DD/YYYY or YYYY-MM-DD.")
        return None

    def decimal(self, column: str) -> Decimal | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            self.fail(column, f"'{value}' is not a number.")
            return None

    def int(self, column: str) -> int | None:
        value = self.text(column)
        if not value:
            return None
        if not value.isdigit():
            self.fail(column, f"'{value}' is not a whole number.")
            return None
        return int(value)


def _patient(organization: Any, c: Cells) -> Any:
    mrn = c.text("mrn", required=True)
    found = Patient.objects.filter(organization=organization, mrn=mrn).first() if mrn else None
    if mrn and found is None:
        c.fail("mrn", f"No patient has MRN {mrn}: import or register the patient first.")
    return found


def _drug(organization: Any, c: Cells) -> Any:
    name = c.text("drug", required=True)
    if not name:
        return None
    match = Q(hcpcs__iexact=name) | Q(generic_name__iexact=name) | Q(brand_name__iexact=name)
    found = Drug.objects.filter(match, organization=organization, is_active=True).first()
    if found is None:
        c.fail("drug", f"'{name}' is not in the formulary (HCPCS, generic or brand name).")
    return found


# --- one mapper per kind ------------------------------------------------------------------


def _provider_row(organization: Any, user: User, row: Row) -> Any:
    c = Cells(row)
    fields: dict[str, Any] = {
        name: c.text(name)
        for name in ("credential", "specialty", "practice_name", "phone", "fax", "email")
    }
    npi = c.text("npi", required=True)
    first, last = c.text("first_name", required=True), c.text("last_name", required=True)
    c.check()
    return provider_save(
        organization=organization, user=user, npi=npi, first_name=first, last_name=last, **fields
    )


_SEX = {"f": "F", "female": "F", "m": "M", "male": "M", "u": "U", "unknown": "U"}


def _patient_row(organization: Any, user: User, row: Row) -> Any:
    c = Cells(row)
    sex_text = c.text("sex", required=True)
    if sex_text and sex_text.lower() not in _SEX:
        c.fail("sex", f"'{sex_text}' is not F, M or U.")
    optional = (
        "middle_name",
        "phone",
        "email",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
    )
    fields: dict[str, Any] = {name: c.text(name) for name in optional}
    fields["state"] = fields["state"].upper()
    if c.text("preferred_language"):
        fields["preferred_language"] = c.text("preferred_language")
    fields.update(
        mrn=c.text("mrn", required=True),
        first_name=c.text("first_name", required=True),
        last_name=c.text("last_name", required=True),
        date_of_birth=c.date("date_of_birth", required=True),
    )
    c.check()
    return patient_create(
        organization=organization, user=user, sex=_SEX[sex_text.lower()], **fields
    )


_ORDER_OF_BENEFITS = {"1": 1, "primary": 1, "2": 2, "secondary": 2, "3": 3, "tertiary": 3}
_RELATIONS = {"", "self", "spouse", "child", "other"}


def _coverage_row(organization: Any, user: User, row: Row) -> Any:
    c = Cells(row)
    patient = _patient(organization, c)
    payer_name = c.text("payer", required=True)
    payer = Payer.objects.filter(
        Q(name__iexact=payer_name) | Q(payer_id__iexact=payer_name), organization=organization
    ).first()
    if payer_name and payer is None:
        c.fail("payer", f"'{payer_name}' is not one of your payers (Admin › Payers).")
    order_text = c.text("order", required=True).lower()
    if order_text and order_text not in _ORDER_OF_BENEFITS:
        c.fail("order", f"'{order_text}' is not 1, 2, 3 (primary, secondary, tertiary).")
    relation = c.text("subscriber_relation").lower()
    if relation not in _RELATIONS:
        c.fail("subscriber_relation", f"'{relation}' is not self, spouse, child or other.")
    fields = {
        "member_id": c.text("member_id", required=True),
        "plan_name": c.text("plan_name"),
        "group_number": c.text("group_number"),
        "effective_from": c.date("effective_from", required=True),
        "effective_to": c.date("effective_to"),
        "subscriber_relation": relation or "self",
        "subscriber_name": c.text("subscriber_name"),
    }
    c.check()
    return coverage_add(
        patient=patient, user=user, payer=payer, order=_ORDER_OF_BENEFITS[order_text], **fields
    )


def _order_row(organization: Any, user: User, row: Row) -> Any:
    c = Cells(row)
    patient = _patient(organization, c)
    drug = _drug(organization, c)
    npi = c.text("ordering_npi", required=True)
    provider = ReferringProvider.objects.filter(organization=organization, npi=npi).first()
    if npi and provider is None:
        c.fail("ordering_npi", f"No referring provider has NPI {npi}: import them first.")
    regimen_name = c.text("regimen")
    templates = drug.regimens.order_by("id") if drug else None
    template = None
    if templates is not None and regimen_name:
        template = templates.filter(name__iexact=regimen_name).first()
        if template is None:
            names = "; ".join(t.name for t in templates)
            c.fail("regimen", f"'{regimen_name}' is not a regimen of {drug}: {names}.")
    fields: dict[str, Any] = {
        "first_dose_on": c.date("first_dose_on"),
        "number_of_doses": c.int("number_of_doses"),
        "notes": c.text("notes"),
        "signed_on": c.date("signed_on", required=True),
    }
    weight = c.decimal("weight_kg")
    if weight is not None:
        fields["weight_kg_at_order"] = weight
    c.check()
    assert templates is not None
    diagnoses = []
    code = c.text("diagnosis")
    if code:
        try:
            dx = diagnosis_add(patient=patient, user=user, icd10_code=code, is_primary=True)
        except ValidationError as exc:
            if "already on" not in " ".join(exc.messages):
                raise
            dx = patient.diagnoses.get(icd10_code=normalize_icd10(code))
        diagnoses.append(dx)
    return order_create(
        organization=organization,
        user=user,
        patient=patient,
        diagnoses=diagnoses,
        drug=drug,
        regimen_template=template or templates.first(),
        ordering_provider=provider,
        **fields,
    )


def _appointment_row(organization: Any, user: User, row: Row) -> Any:
    c = Cells(row)
    patient, drug = _patient(organization, c), _drug(organization, c)
    order = None
    if patient is not None and drug is not None:
        order = (
            TreatmentOrder.objects.filter(
                organization=organization, patient=patient, drug=drug, status="active"
            )
            .order_by("-signed_on")
            .first()
        )
        if order is None:
            c.fail("drug", f"{patient} has no active order for {drug}: import it first.")
    location_name, chair_name = c.text("location", required=True), c.text("chair", required=True)
    chair = Chair.objects.filter(
        location__organization=organization,
        location__name__iexact=location_name,
        name__iexact=chair_name,
    ).first()
    if location_name and chair_name and chair is None:
        c.fail("chair", f"No chair '{chair_name}' at '{location_name}'.")
    start_text, start = c.text("start", required=True), None
    try:
        naive = dt.datetime.strptime(start_text, "%Y-%m-%d %H:%M")  # noqa: DTZ007 (site time)
    except ValueError:
        if start_text:
            c.fail("start", f"'{start_text}' is not YYYY-MM-DD HH:MM (site time).")
    else:
        if chair is not None:
            start = naive.replace(tzinfo=chair.location.tz)
            if start < timezone.now():
                c.fail("start", "is in the past: import upcoming appointments only.")
    minutes, notes = c.int("minutes"), c.text("notes")
    c.check()
    assert order is not None and chair is not None and start is not None
    booked = appointment_book(
        organization=organization,
        user=user,
        order=order,
        chair=chair,
        start=start,
        minutes=minutes,
        notes=notes,
        warn_stock=False,
    )
    return booked.appointment


@dataclass(frozen=True)
class Kind:
    columns: tuple[Column, ...]
    mapper: Mapper
    # a service's field name → the CSV column it came from
    fields: dict[str, str]


KINDS: dict[str, Kind] = {
    CsvImport.Kind.PROVIDERS: Kind(
        (
            Column("npi", True, "10 digits"),
            Column("first_name", True),
            Column("last_name", True),
            Column("credential", hint="MD, DO, NP, PA"),
            Column("specialty"),
            Column("practice_name"),
            Column("phone"),
            Column("fax"),
            Column("email"),
        ),
        _provider_row,
        {},
    ),
    CsvImport.Kind.PATIENTS: Kind(
        (
            Column("mrn", True),
            Column("first_name", True),
            Column("last_name", True),
            Column("date_of_birth", True, "MM/DD/YYYY"),
            Column("sex", True, "F, M or U"),
            Column("middle_name"),
            Column("phone"),
            Column("email"),
            Column("address_line1"),
            Column("address_line2"),
            Column("city"),
            Column("state", hint="2 letters"),
            Column("postal_code"),
            Column("preferred_language"),
        ),
        _patient_row,
        {},
    ),
    CsvImport.Kind.COVERAGES: Kind(
        (
            Column("mrn", True),
            Column("payer", True, "name or electronic payer ID"),
            Column("member_id", True),
            Column("order", True, "1, 2 or 3"),
            Column("effective_from", True, "MM/DD/YYYY"),
            Column("effective_to"),
            Column("plan_name"),
            Column("group_number"),
            Column("subscriber_relation", hint="self, spouse, child, other"),
            Column("subscriber_name"),
        ),
        _coverage_row,
        {},
    ),
    CsvImport.Kind.ORDERS: Kind(
        (
            Column("mrn", True),
            Column("drug", True, "HCPCS, generic or brand name"),
            Column("ordering_npi", True),
            Column("signed_on", True, "MM/DD/YYYY"),
            Column("regimen", hint="the formulary regimen's name; empty: the first"),
            Column("diagnosis", hint="ICD-10-CM"),
            Column("first_dose_on"),
            Column("number_of_doses"),
            Column("weight_kg"),
            Column("notes"),
        ),
        _order_row,
        {
            "ordering_provider": "ordering_npi",
            "icd10_code": "diagnosis",
            "diagnoses": "diagnosis",
            "regimen_template": "regimen",
            "weight_kg_at_order": "weight_kg",
            "dose_mg": "drug",
        },
    ),
    CsvImport.Kind.APPOINTMENTS: Kind(
        (
            Column("mrn", True),
            Column("drug", True),
            Column("location", True, "site name"),
            Column("chair", True, "chair name"),
            Column("start", True, "YYYY-MM-DD HH:MM, site time"),
            Column("minutes", hint="empty: the formulary's time"),
            Column("notes"),
        ),
        _appointment_row,
        {"order": "drug"},
    ),
}


@dataclass(frozen=True)
class Parsed:
    header: list[str]
    rows: list[Row]
    ignored: list[str]


def read_csv(kind: str, text: str) -> tuple[Parsed | None, list[dict[str, Any]]]:
    """The file's rows keyed by column (names lower-cased), or the problems that stop it."""
    spec = KINDS[kind]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
    except StopIteration:
        return None, [_problem(1, "", "The file is empty.")]
    missing = [c.name for c in spec.columns if c.required and c.name not in header]
    if missing:
        return None, [
            _problem(1, name, "This column is missing from the first (header) row.")
            for name in missing
        ]
    known = {c.name for c in spec.columns}
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append(dict(zip(header, values, strict=False)))
        if len(rows) > MAX_ROWS:
            return None, [_problem(1, "", f"More than {MAX_ROWS} rows: split the file.")]
    if not rows:
        return None, [_problem(2, "", "The file has a header row but no data rows.")]
    ignored = [h for h in header if h and h not in known]
    return Parsed(header, rows, ignored), []


def _problem(row: int, column: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": column, "message": message}


def _row_problems(number: int, exc: Exception, fields: dict[str, str]) -> list[dict[str, Any]]:
    if isinstance(exc, CellProblemsError):
        return [_problem(number, e.column, e.message) for e in exc.errors]
    assert isinstance(exc, ValidationError)
    if not hasattr(exc, "error_dict"):
        return [_problem(number, "", m) for m in exc.messages]
    found: list[dict[str, Any]] = []
    for field, errors in exc.message_dict.items():
        column = "" if field == NON_FIELD_ERRORS else fields.get(field, field)
        found.extend(_problem(number, column, m) for m in errors)
    return found


def _run(organization: Any, user: User, kind: str, text: str, *, commit: bool) -> dict[str, Any]:
    """Apply every row; roll everything back unless ``commit`` and no row has a problem."""
    parsed, problems = read_csv(kind, text)
    if parsed is None:
        return {"problems": problems, "rows": 0, "ignored": []}
    spec = KINDS[kind]
    with transaction.atomic():
        for number, row in enumerate(parsed.rows, start=2):  # the header is row 1
            try:
                with transaction.atomic():
                    spec.mapper(organization, user, row)
            except (CellProblemsError, ValidationError) as exc:
                problems.extend(_row_problems(number, exc, spec.fields))
        if problems or not commit:
            transaction.set_rollback(True)
    return {"problems": problems, "rows": len(parsed.rows), "ignored": parsed.ignored}


def csv_upload(
    *, organization: Any, user: User, kind: str, filename: str, data: bytes
) -> CsvImport:
    """Keep the uploaded file and dry-run it: nothing is imported yet."""
    if kind not in KINDS:
        raise ValidationError({"kind": "Choose what the file holds."})
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": "The file is larger than 5 MB: split it."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": "The file is not UTF-8 text: save it from the spreadsheet as 'CSV UTF-8'."}
        ) from None
    result = _run(organization, user, kind, text, commit=False)
    return CsvImport.objects.create(
        organization=organization,
        kind=kind,
        filename=filename[:200],
        text=text,
        status=CsvImport.Status.PROBLEMS if result["problems"] else CsvImport.Status.CHECKED,
        row_count=result["rows"],
        problems=result["problems"],
        created_by=acting_user(user),
    )


def ignored_columns(batch: CsvImport) -> list[str]:
    parsed, _ = read_csv(batch.kind, batch.text)
    return parsed.ignored if parsed else []


def csv_import_commit(*, batch: CsvImport, user: User) -> CsvImport:
    """Import every row in one transaction, or nothing when any row has a problem now."""
    with transaction.atomic():
        locked = CsvImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status == CsvImport.Status.IMPORTED:
            raise ValidationError("This file was imported already.")
        result = _run(locked.organization, user, locked.kind, locked.text, commit=True)
        locked.problems = result["problems"]
        if result["problems"]:
            locked.status = CsvImport.Status.PROBLEMS
        else:
            locked.status = CsvImport.Status.IMPORTED
            locked.imported_at = timezone.now()
            locked.imported_count = result["rows"]
            audit_record(
                action=AuditEvent.Action.CREATE,
                user=user,
                organization=locked.organization,
                obj=locked,
                changes={"imported": [None, f"{result['rows']} {locked.get_kind_display()}"]},
                reason=f"CSV import of {locked.filename}",
            )
        locked.save()
    return locked
