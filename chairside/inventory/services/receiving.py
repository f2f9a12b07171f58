"""Receiving a shipment: several lots on one invoice, found by their scanned NDC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.formulary.models import Drug, Package
from chairside.inventory.models import Lot, Movement, PurchaseOrder, StoragePlace, VendorInvoice
from chairside.inventory.services._ledger import moment, same_organization
from chairside.inventory.services.purchasing import purchase_order_refresh
from chairside.inventory.services.stock import stock_receive
from chairside.rules.inventory.barcodes import Scan, ndc11_candidates, parse_scan
from chairside.rules.inventory.ndc import format_ndc11, to_ndc11
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

UNKNOWN_NDC = "unknown_ndc"
REPEAT_RECEIPT = "repeat_receipt"
# A white-bag lot received again for the same patient within this long asks for confirmation.
REPEAT_WINDOW = dt.timedelta(days=1)


@dataclass(frozen=True)
class ReceiptLine:
    """One lot on a shipment, as typed or scanned."""

    ndc: str
    lot_number: str
    expires_on: dt.date
    vials: Any
    cost_per_vial: Decimal | None = None
    storage_place: StoragePlace | None = None


def package_for_ndc(*, organization: Organization, ndc: str) -> Package:
    """The organization's formulary package for a 10- or 11-digit NDC (label or barcode form)
    or a scanned carton barcode (GS1 DataMatrix / GS1-128, GTIN-14, UPC-A).

    Raises ValidationError with code ``unknown_ndc`` (params: ``ndc11``) when the NDC is well
    formed but not in the formulary, so the page can offer to add the package.
    """
    return package_for_scan(organization=organization, text=ndc)[0]


def _sentence(exc: Exception) -> str:
    return str(exc)[:1].upper() + str(exc)[1:] + "."


def package_for_scan(*, organization: Organization, text: str) -> tuple[Package, Scan]:
    """The package a scan or typed NDC names, and what the scan says (lot, expiry, serial).

    A barcode carries the NDC as 10 bare digits, so it is matched by its three possible
    11-digit forms (``rules.inventory.barcodes.ndc11_candidates``); two matches are refused.
    """
    try:
        scan = parse_scan(text)
        ndc11 = to_ndc11(scan.ndc_text) if scan.ndc_text is not None else None
    except ValueError as exc:
        raise ValidationError(_sentence(exc)) from None
    packages = Package.objects.filter(drug__organization=organization).select_related("drug")
    if ndc11 is not None:
        package = packages.filter(ndc11=ndc11).first()
        if package is None:
            raise ValidationError(
                f"NDC {format_ndc11(ndc11)} is not in the formulary. Add the package first.",
                code=UNKNOWN_NDC,
                params={"ndc11": ndc11},
            )
        return package, scan
    assert scan.ndc10 is not None  # noqa: S101 (parse_scan gives one of the two)
    found = list(packages.filter(ndc11__in=ndc11_candidates(scan.ndc10)))
    if len(found) > 1:
        raise ValidationError(
            f"The barcode's NDC {scan.ndc10} fits {len(found)} formulary packages "
            f"({', '.join(p.ndc for p in found)}): type the NDC as printed on the carton."
        )
    if not found:
        raise ValidationError(
            f"The barcode's NDC {scan.ndc10} is not in the formulary. Add the package with "
            "the NDC as printed on the carton (with its hyphens)."
        )
    return found[0], scan


def _earlier_invoice(*, vendor: Any, number: str) -> VendorInvoice | None:
    return VendorInvoice.objects.filter(vendor=vendor, number__iexact=number).first()


def _already_received(vendor: Any, number: str, earlier: VendorInvoice | None) -> ValidationError:
    when = f" ({earlier.invoice_date:%m/%d/%Y})" if earlier is not None else ""
    return ValidationError(
        {
            "invoice_number": f"Invoice {number} from {vendor} was already received{when}; "
            "receiving it twice would double the stock."
        }
    )


def _invoice(
    *, organization: Organization, vendor: Any, number: str, invoice_date: dt.date
) -> VendorInvoice:
    number = number.strip()
    if not number:
        raise ValidationError({"invoice_number": "Enter the invoice number from the packing slip."})
    earlier = _earlier_invoice(vendor=vendor, number=number)
    if earlier is not None:
        raise _already_received(vendor, number, earlier)
    invoice = VendorInvoice(
        organization=organization,
        vendor=vendor,
        number=number,
        invoice_date=invoice_date,
        due_on=invoice_date + dt.timedelta(days=vendor.payment_terms_days),
    )
    invoice.full_clean()
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        # Another receipt of the same invoice committed between the check above and this
        # insert; the unique index (number ignoring case, vendor) refused ours.
        earlier = VendorInvoice.objects.filter(vendor=vendor, number__iexact=number).first()
        if earlier is None:
            raise
        raise _already_received(vendor, number, earlier) from None
    return invoice


def _check_repeat(*, package: Package, line: ReceiptLine, patient: Any, when: dt.datetime) -> None:
    """Refuse a second receipt of one NDC + lot for one patient within a day, unless confirmed.

    A specialty pharmacy ships white-bag drug for one patient; the same carton scanned twice
    (or the packing slip typed again) would show drug that is not there.
    """
    lot_number = line.lot_number.strip().upper()
    earlier = (
        Movement.objects.filter(
            kind=Movement.Kind.RECEIVE,
            lot__package=package,
            lot__lot_number=lot_number,
            lot__patient=patient,
            at__gt=when - REPEAT_WINDOW,
            at__lt=when + REPEAT_WINDOW,
        )
        .order_by("-at")
        .first()
    )
    if earlier is not None:
        at = timezone.localtime(earlier.at)
        raise ValidationError(
            {
                "confirm_repeat": f"Lot {lot_number} of NDC {package.ndc} was already received "
                f"for {patient} at {at:%m/%d/%Y %H:%M}. If this really is a second shipment, "
                'tick "Yes, this is a second shipment" and receive again.'
            },
            code=REPEAT_RECEIPT,
        )


def _check_order(
    order: PurchaseOrder | None, organization: Organization, vendor: Any
) -> PurchaseOrder | None:
    if order is None:
        return None
    same_organization(organization, purchase_order=order)
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if order.vendor_id != vendor.pk:
        raise ValidationError({"vendor": f"Purchase order {order.number} is with {order.vendor}."})
    if not order.is_open:
        raise ValidationError(
            f"Purchase order {order.number} is {order.get_status_display().lower()}: "
            "only an order sent to the vendor can be received."
        )
    return order


def _receive_line(
    *,
    index: int,
    line: ReceiptLine,
    common: dict[str, Any],
    order: PurchaseOrder | None,
    confirm_repeat: bool = False,
) -> Lot:
    try:
        package = package_for_ndc(organization=common["organization"], ndc=line.ndc)
    except ValidationError as exc:
        raise ValidationError({f"{index}-ndc": exc.error_list}) from None
    if common["patient"] is not None and not confirm_repeat:
        _check_repeat(package=package, line=line, patient=common["patient"], when=common["at"])
    po_line = order.lines.filter(package=package).first() if order is not None else None
    try:
        shared = {k: v for k, v in common.items() if k != "storage_place"}
        return stock_receive(
            **shared,
            package=package,
            storage_place=line.storage_place or common["storage_place"],
            lot_number=line.lot_number,
            expires_on=line.expires_on,
            vials=line.vials,
            cost_per_vial=line.cost_per_vial,
            po_line=po_line,
        )
    except ValidationError as exc:
        raise ValidationError(
            {f"{index}-{field}": errors for field, errors in exc.update_error_dict({}).items()}
        ) from None


def _receive_lines(
    lines: Sequence[ReceiptLine],
    common: dict[str, Any],
    order: PurchaseOrder | None,
    confirm_repeat: bool = False,
) -> list[Lot]:
    """Every line, or a ValidationError naming each bad line's fields (``<line>-<field>``)."""
    errors: dict[str, Any] = {}
    lots: list[Lot] = []
    for index, line in enumerate(lines):
        try:
            lots.append(
                _receive_line(
                    index=index,
                    line=line,
                    common=common,
                    order=order,
                    confirm_repeat=confirm_repeat,
                )
            )
        except ValidationError as exc:
            exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    return lots


@transaction.atomic
def shipment_receive(
    *,
    organization: Organization,
    user: User | None,
    vendor: Any,
    storage_place: StoragePlace,
    lines: Sequence[ReceiptLine],
    invoice_number: str = "",
    invoice_date: dt.date | None = None,
    patient: Any = None,
    purchase_order: PurchaseOrder | None = None,
    at: dt.datetime | None = None,
    replacement_program: Any = None,
    confirm_repeat: bool = False,
) -> list[Lot]:
    """Receive every lot of one shipment, or none of them.

    Center stock comes on a vendor invoice (its number once per vendor; payment due after
    the vendor's terms); patient-specific stock comes for ``patient`` without one. Errors
    are keyed ``<line>-<field>`` (e.g. ``0-ndc``) so a form can show each on its line.
    ``at`` records a receipt after the fact. The same NDC + lot received for the same
    patient within a day is refused (key ``confirm_repeat``) unless ``confirm_repeat``.
    """
    same_organization(organization, vendor=vendor, storage_place=storage_place, patient=patient)
    purchase_order = _check_order(purchase_order, organization, vendor)
    if not lines:
        raise ValidationError("Add at least one lot to receive.")
    when, today = moment(at, storage_place.location)
    invoice = None
    if patient is None:
        invoice = _invoice(
            organization=organization,
            vendor=vendor,
            number=invoice_number,
            invoice_date=invoice_date or today,
        )
    common = {
        "organization": organization,
        "user": user,
        "vendor": vendor,
        "invoice": invoice,
        "patient": patient,
        "storage_place": storage_place,
        "at": when,
        "replacement_program": replacement_program,
    }
    lots = _receive_lines(lines, common, purchase_order, confirm_repeat)
    if purchase_order is not None:
        purchase_order_refresh(order=purchase_order, user=user)
    return lots


@transaction.atomic
def package_add(
    *,
    organization: Organization,
    user: User,
    drug: Drug,
    ndc: str,
    description: str,
    strength_mg: Decimal,
    volume_ml: Decimal | None = None,
    single_dose: bool = True,
    storage: str = Package.Storage.REFRIGERATED,
    source: str = "",
) -> Package:
    """Add a package (an NDC met at receiving) to a drug of the formulary.

    The NDC must convert to 11 digits and not be on the formulary yet. ``source`` says
    where its facts were checked (the carton, the FDA label): never guess an NDC.
    """
    same_organization(organization, drug=drug)
    try:
        ndc11 = to_ndc11(ndc)
    except ValueError as exc:
        raise ValidationError({"ndc": str(exc)}) from None
    if Package.objects.filter(drug__organization=organization, ndc11=ndc11).exists():
        raise ValidationError({"ndc": f"NDC {format_ndc11(ndc11)} is already in the formulary."})
    package = Package(
        drug=drug,
        ndc11=ndc11,
        description=description.strip(),
        strength_mg=strength_mg,
        volume_ml=volume_ml,
        single_dose=single_dose,
        storage=storage,
        source=source.strip()[:300],
    )
    package.full_clean()
    package.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=package,
        changes={"ndc": [None, package.ndc], "drug": [None, str(drug)], "source": [None, source]},
    )
    return package
