"""Buy-and-bill inventory: where drug is kept, who sells it, lots, and the stock ledger.

Stock on hand is the sum of an append-only ledger of movements. ``Lot.on_hand`` is a copy
of that sum kept in the same transaction as each movement (under a row lock), so the
database itself refuses a negative stock (a CHECK constraint); the ledger stays the source
of truth and a test proves the two agree. A correction is a new movement, never an edit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from chairside.core.models import BaseModel, OrgScopedModel
from chairside.rules.inventory.fefo import is_expired


class InventorySettings(BaseModel):
    """A site's stocking targets."""

    location = models.OneToOneField(
        "tenancy.Location", on_delete=models.CASCADE, related_name="inventory_settings"
    )
    target_days_on_hand = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Suggested orders keep about this many days of use on the shelf.",
    )
    forecast_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="How far ahead the forecast reads booked appointments.",
    )

    class Meta:
        verbose_name_plural = "inventory settings"

    def __str__(self) -> str:
        return f"Inventory settings for {self.location}"


class StoragePlace(OrgScopedModel):
    class Kind(models.TextChoices):
        REFRIGERATOR = "refrigerator", "Refrigerator 2-8 °C"
        FREEZER = "freezer", "Freezer"
        SHELF = "shelf", "Room-temperature shelf"
        QUARANTINE = "quarantine", "Quarantine (do not use)"

    location = models.ForeignKey(
        "tenancy.Location", on_delete=models.PROTECT, related_name="storage_places"
    )
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.REFRIGERATOR)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="uniq_storage_place_name"),
        ]

    def __str__(self) -> str:
        return f"{self.location.name} · {self.name}"


class Vendor(OrgScopedModel):
    class Kind(models.TextChoices):
        DISTRIBUTOR = "distributor", "Specialty distributor / wholesaler"
        MANUFACTURER = "manufacturer", "Manufacturer (direct)"
        SPECIALTY_PHARMACY = "specialty_pharmacy", "Specialty pharmacy (patient-specific)"

    TERMS: ClassVar[list[tuple[int, str]]] = [
        (30, "Net 30"),
        (60, "Net 60"),
        (90, "Net 90"),
        (120, "Net 120"),
    ]

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.DISTRIBUTOR)
    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms", choices=TERMS, default=30, help_text="Days from invoice to payment."
    )
    lead_time_days = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(30)],
        help_text="Days from order to delivery (deliveries Monday to Friday).",
    )
    account_number = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    is_demo = models.BooleanField(default=False, help_text="A made-up vendor for the demo center.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_vendor_name"),
            models.CheckConstraint(
                condition=models.Q(payment_terms_days__in=[30, 60, 90, 120]),
                name="vendor_terms_30_60_90_120",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VendorInvoice(OrgScopedModel):
    """One shipment's invoice: the lots it brought, and when it must be paid."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField("invoice number", max_length=40)
    invoice_date = models.DateField()
    due_on = models.DateField()
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "number"]
        constraints = [
            # One number per vendor ignoring case ("inv-7" and "INV-7" are one invoice): the
            # database refuses the second even when two receipts race past the service check.
            models.UniqueConstraint(
                Lower("number"), "vendor", name="uniq_invoice_per_vendor_ignoring_case"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("invoice_date")),
                name="invoice_due_after_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} invoice {self.number}"

    @property
    def amount(self) -> Decimal:
        return sum((lot.cost_per_vial * lot.vials_received for lot in self.lots.all()), Decimal(0))


class PurchaseOrder(OrgScopedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent to vendor"
        PARTIAL = "partial", "Partly received"
        RECEIVED = "received", "Received"
        CANCELLED = "cancelled", "Cancelled"

    OPEN = (Status.SENT, Status.PARTIAL)

    number = models.CharField(max_length=20)
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    ordered_on = models.DateField(null=True, blank=True)
    expected_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="uniq_po_number"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class PurchaseOrderLine(BaseModel):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    package = models.ForeignKey("formulary.Package", on_delete=models.PROTECT, related_name="+")
    vials_ordered = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_cost = models.DecimalField(
        "expected cost per vial", max_digits=12, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        ordering = ["package__drug__generic_name", "package__strength_mg"]
        constraints = [
            models.UniqueConstraint(fields=["order", "package"], name="uniq_po_line_package"),
            models.CheckConstraint(condition=models.Q(vials_ordered__gte=1), name="po_line_vials"),
        ]

    def __str__(self) -> str:
        return f"{self.vials_ordered} x {self.package}"

    @property
    def vials_received(self) -> int:
        return sum(lot.vials_received for lot in self.lots.all())

    @property
    def vials_outstanding(self) -> int:
        return max(0, self.vials_ordered - self.vials_received)

    @property
    def line_total(self) -> Decimal:
        return self.unit_cost * self.vials_ordered


class Lot(OrgScopedModel):
    """Vials of one manufacturer lot in one storage place.

    ``patient`` set: patient-specific ("white bag") stock, shipped by a specialty pharmacy for
    that patient, dispensable only to them and never billed as the center's drug (it cost the
    center nothing; Medicare Benefit Policy Manual ch. 15 §50.3, §60.1.A).
    ``replacement_program`` set as well: free drug a manufacturer's program sent for that
    enrolled patient — kept apart from bought stock, valued at zero and never billed.
    """

    storage_place = models.ForeignKey(StoragePlace, on_delete=models.PROTECT, related_name="lots")
    package = models.ForeignKey("formulary.Package", on_delete=models.PROTECT, related_name="+")
    lot_number = models.CharField(max_length=40)
    expires_on = models.DateField()
    vials_received = models.PositiveIntegerField(
        default=0, help_text="From the vendor; 0 for stock that came by transfer."
    )
    cost_per_vial = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    vendor = models.ForeignKey(
        Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="lots"
    )
    invoice = models.ForeignKey(
        VendorInvoice, null=True, blank=True, on_delete=models.PROTECT, related_name="lots"
    )
    received_on = models.DateField()
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory_lots",
    )
    replacement_program = models.ForeignKey(
        "authorizations.AssistanceProgram",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Free drug from this program for the patient: never billed.",
    )
    po_line = models.ForeignKey(
        PurchaseOrderLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="lots"
    )
    origin = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
        help_text="The lot this stock was transferred from.",
    )
    # The ledger's sum, kept with each movement under a row lock; never set directly.
    on_hand = models.IntegerField(default=0, editable=False)

    class Meta:
        ordering = ["expires_on", "lot_number", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=0), name="lot_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(cost_per_vial__gte=0), name="lot_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(patient__isnull=True) | models.Q(cost_per_vial=0),
                name="lot_patient_specific_costs_nothing",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "expires_on"], name="lot_org_expiry"),
            models.Index(fields=["storage_place", "package"], name="lot_place_package"),
        ]

    def __str__(self) -> str:
        strength = f"{self.package.strength_mg.normalize():f}"
        return f"{self.package.drug.generic_name} {strength} mg lot {self.lot_number}"

    @property
    def is_patient_specific(self) -> bool:
        return self.patient_id is not None

    @property
    def location(self) -> Any:
        return self.storage_place.location

    @property
    def value(self) -> Decimal:
        return self.cost_per_vial * self.on_hand

    @property
    def mg_on_hand(self) -> Decimal:
        return self.package.strength_mg * self.on_hand

    def is_expired_on(self, day: Any) -> bool:
        return is_expired(self.expires_on, day)

    @property
    def payment_due_on(self) -> Any:
        return self.invoice.due_on if self.invoice is not None else None


class MovementKind(models.TextChoices):
    """The ledger's kinds; the same values as ``rules.inventory.reconciliation.Kind``
    (a test checks)."""

    RECEIVE = "receive", "Received"
    DISPENSE = "dispense", "Dispensed"
    WASTE = "waste", "Wasted"
    RETURN = "return", "Returned to vendor"
    TRANSFER_OUT = "transfer_out", "Transferred out"
    TRANSFER_IN = "transfer_in", "Transferred in"
    EXPIRE = "expire", "Expired"
    ADJUST = "adjust", "Adjusted"


class MovementQuerySet(models.QuerySet["Movement"]):
    """The ledger is append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("Stock movements are append-only; record a correcting movement.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Stock movements are append-only; record a correcting movement.")


class Movement(OrgScopedModel):
    """One change to a lot's stock, in vials (signed: + in, − out).

    ``mg`` is the drug it concerns: the opened milligrams of a dispense, or the discarded
    part of an opened single-dose vial for a partial-vial waste (0 vials: the vial was
    already dispensed, and CMS wants the discarded amount documented, Medicare Claims
    Processing Manual ch. 17 §40).
    """

    Kind = MovementKind

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    vials = models.IntegerField()
    mg = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory_movements",
    )
    visit_ref = models.CharField(
        "visit", max_length=64, blank=True, help_text="The visit this dispense or waste is for."
    )
    reason = models.TextField(blank=True)
    related = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The transfer's other half, or the dispense a partial-vial waste came from.",
    )
    balance_after = models.IntegerField(editable=False)

    objects = MovementQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["receive", "transfer_in"], vials__gt=0)
                    | models.Q(
                        kind__in=["dispense", "return", "transfer_out", "expire"], vials__lt=0
                    )
                    | models.Q(kind="waste", vials__lte=0)
                    | (models.Q(kind="adjust") & ~models.Q(vials=0))
                ),
                name="movement_vials_sign_fits_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0), name="movement_balance_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "at"], name="movement_org_at"),
            models.Index(fields=["lot", "at"], name="movement_lot_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.vials:+d} · {self.lot}"

    @property
    def vial_count(self) -> int:
        """How many vials moved, whichever way."""
        return abs(self.vials)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Stock movements are append-only; record a correcting movement.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Stock movements are append-only; record a correcting movement.")

    def clean(self) -> None:
        if self.kind == MovementKind.WASTE and self.vials == 0 and not self.mg:
            raise ValidationError("A partial-vial waste records the milligrams discarded.")


class CycleCount(OrgScopedModel):
    class Status(models.TextChoices):
        OPEN = "open", "Counting"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    storage_place = models.ForeignKey(
        StoragePlace, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        where = self.storage_place.name if self.storage_place is not None else "all storage"
        return f"Count {self.created_at:%m/%d/%Y} · {self.location} · {where}"


class CycleCountLine(BaseModel):
    count = models.ForeignKey(CycleCount, on_delete=models.CASCADE, related_name="lines")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    expected_vials = models.IntegerField(help_text="On hand when the sheet was printed.")
    counted_vials = models.PositiveIntegerField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    on_hand_at_count = models.IntegerField(
        null=True, blank=True, help_text="The ledger's on-hand at the moment it was counted."
    )
    adjustment = models.ForeignKey(
        Movement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = [
            "lot__storage_place__name",
            "lot__package__drug__generic_name",
            "lot__expires_on",
        ]
        constraints = [
            models.UniqueConstraint(fields=["count", "lot"], name="uniq_count_line_lot"),
        ]

    def __str__(self) -> str:
        return f"{self.lot}: {self.counted_vials if self.counted_vials is not None else '—'}"

    @property
    def variance(self) -> int | None:
        if self.counted_vials is None or self.on_hand_at_count is None:
            return None
        return self.counted_vials - self.on_hand_at_count


class Reservation(OrgScopedModel):
    """Vials of one lot set aside for one coming appointment (issue 16).

    Made when an appointment in the next few business days is booked or moved (and by the
    nightly job for those entering the window); released when it is cancelled, missed or
    moved out of the window; consumed when its vials are dispensed. Only active rows hold
    stock: a lot's free vials are ``on_hand`` less its active reservations, never below 0
    (the reserving service locks the lot, as every stock movement does).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Reserved"
        CONSUMED = "consumed", "Dispensed"
        RELEASED = "released", "Released"

    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="reservations"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="reservations")
    vials = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    dose_mg = models.DecimalField(max_digits=10, decimal_places=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["lot", "status"], name="reservation_lot_status"),
            models.Index(fields=["appointment", "status"], name="reservation_appt_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vials__gt=0), name="reservation_vials_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vials} × lot {self.lot.lot_number} ({self.get_status_display()})"
