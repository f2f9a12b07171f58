"""Home infusion: patients' homes, delivery tickets, home nursing visits and day route plans.

A home-infusion location (``Location.SiteType.HOME``) has a depot (``HomeBase``: where the
nurses and drivers start and end, and the speed travel times are estimated at). Each day's
scheduled deliveries and visits there are the stops of a **route plan**: proposed by the
optimiser (``chairside.rules.routing``), applied to the tickets and visits only when a
coordinator accepts it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from chairside.core.models import BaseModel, OrgScopedModel

LATITUDE = [MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))]
LONGITUDE = [MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))]
NURSE_CREDENTIALS = frozenset({"RN", "LPN", "NP"})


def _coordinate(**kw: object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=9, decimal_places=6, **kw)  # type: ignore[arg-type]


class HomeBase(OrgScopedModel):
    """The depot of a home-infusion location and how its routes are planned."""

    location = models.OneToOneField(
        "tenancy.Location", on_delete=models.CASCADE, related_name="home_base"
    )
    latitude = _coordinate(validators=LATITUDE)
    longitude = _coordinate(validators=LONGITUDE)
    average_speed_kmh = models.PositiveSmallIntegerField(
        default=40,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text="Average driving speed over the straight-line distance, stops included.",
    )
    search_seconds = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="How long the planner searches for shorter routes.",
    )
    nurse_delivery_minutes = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(120)],
        help_text="Leave a delivery to a driver unless a nurse taking it saves more than this "
        "many minutes of driving (0: least driving, whoever carries it).",
    )

    def __str__(self) -> str:
        return f"Depot of {self.location}"


class PatientHome(OrgScopedModel):
    """Where a home-infusion patient is visited and delivered to."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="home_address"
    )
    location = models.ForeignKey(
        "tenancy.Location",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The home-infusion location that serves this patient.",
    )
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=10)
    latitude = _coordinate(validators=LATITUDE)
    longitude = _coordinate(validators=LONGITUDE)
    access_notes = models.CharField(
        max_length=200, blank=True, help_text="Gate code, parking, pets: what the driver needs."
    )
    is_demo = models.BooleanField(default=False, help_text="A made-up address for the demo.")

    def __str__(self) -> str:
        return f"{self.address_line1}, {self.city}"

    @property
    def address(self) -> str:
        line2 = f", {self.address_line2}" if self.address_line2 else ""
        return f"{self.address_line1}{line2}, {self.city}, {self.state} {self.postal_code}"


class FieldShift(OrgScopedModel):
    """A nurse's or driver's working day for a home-infusion location."""

    class Kind(models.TextChoices):
        NURSE = "nurse", "Nurse (visits and deliveries)"
        DRIVER = "driver", "Driver (deliveries only)"

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("tenancy.StaffMember", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    starts = models.TimeField()
    ends = models.TimeField()
    kind = models.CharField(max_length=8, choices=Kind.choices)

    class Meta:
        ordering = ["date", "kind", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "date"], name="uniq_field_shift_day"),
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="field_shift_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.date} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self) -> None:
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValidationError({"ends": "The shift must end after it starts."})
        if self.kind == self.Kind.NURSE and self.staff.credential not in NURSE_CREDENTIALS:
            raise ValidationError(
                {"kind": f"{self.staff} is not an RN, LPN or NP: plan them as a driver."}
            )


class RoutePlan(OrgScopedModel):
    """One proposal of the day's routes; applied to the stops only when accepted."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        SUPERSEDED = "superseded", "Replaced by a later plan"
        DISCARDED = "discarded", "Discarded"

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    # What the day looked like when proposed: accepting refuses a plan for a changed day.
    fingerprint = models.CharField(max_length=64)
    result = models.JSONField(default=dict)
    travel_minutes = models.PositiveIntegerField(default=0)
    booking_order_travel_minutes = models.PositiveIntegerField(default=0)
    stops = models.PositiveIntegerField(default=0)
    unplaced = models.PositiveIntegerField(default=0)
    solve_seconds = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(0))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "location", "date"])]

    def __str__(self) -> str:
        return f"Routes for {self.date} ({self.get_status_display()})"


class _Stop(OrgScopedModel):
    """What a delivery and a home visit share: a patient's home, a day and a window."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    window_start = models.TimeField(help_text="Earliest start at the home.")
    window_end = models.TimeField(help_text="Latest start at the home.")
    planned_at = models.DateTimeField(null=True, blank=True)
    route_plan = models.ForeignKey(
        RoutePlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.window_start and self.window_end and self.window_end < self.window_start:
            raise ValidationError({"window_end": "The window must end after it starts."})


class DeliveryTicket(_Stop):
    """What goes to whom and when; proof of delivery once handed over."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    class Handoff(models.TextChoices):
        COURIER = "courier", "Courier or nurse"
        NURSE = "nurse", "Nurse hands it over"

    class Signature(models.TextChoices):
        TYPED = "typed", "Typed name"
        DRAWN = "drawn", "Drawn on screen"

    handoff = models.CharField(max_length=8, choices=Handoff.choices, default=Handoff.COURIER)
    service_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cold_chain = models.BooleanField(default=False, help_text="Refrigerated items in the box.")
    packed_out_at = models.DateTimeField(
        null=True, blank=True, help_text="When the cooler was packed and closed."
    )
    validity_hours = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Hours the validated pack-out keeps 2-8 °C.",
    )
    assigned_to = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)
    received_by = models.CharField(max_length=120, blank=True)
    signature_kind = models.CharField(max_length=8, choices=Signature.choices, blank=True)
    signature_text = models.CharField(max_length=120, blank=True)
    signature_drawing = models.TextField(blank=True, help_text="PNG data URL from the canvas.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_note = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date", "window_start", "id"]
        indexes = [models.Index(fields=["organization", "location", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cold_chain=False) | models.Q(validity_hours__isnull=False),
                name="delivery_cold_chain_has_validity",
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {str(self.public_id)[:8]} on {self.date}"

    def clean(self) -> None:
        super().clean()
        if self.cold_chain and not self.validity_hours:
            raise ValidationError(
                {"validity_hours": "A cold-chain delivery needs the pack-out's validity in hours."}
            )

    @property
    def nurse_only(self) -> bool:
        return self.handoff == self.Handoff.NURSE

    @property
    def stop_minutes(self) -> int:
        return int(self.service_minutes)

    @property
    def cold_chain_until(self) -> dt.datetime | None:
        """When the pack-out stops keeping temperature (None until it is packed)."""
        if not self.cold_chain or self.packed_out_at is None or not self.validity_hours:
            return None
        return self.packed_out_at + dt.timedelta(hours=self.validity_hours)


class DeliveryItem(BaseModel):
    ticket = models.ForeignKey(DeliveryTicket, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(max_length=200)
    lot = models.ForeignKey(
        "inventory.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit = models.CharField(max_length=16, default="each")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} {self.unit} {self.description}"


class HomeVisit(_Stop):
    """A home nursing visit: only a nurse can make it."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    nurse = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    purpose = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)

    class Meta:
        ordering = ["date", "window_start", "id"]
        indexes = [models.Index(fields=["organization", "location", "date"])]

    def __str__(self) -> str:
        return f"Home visit {str(self.public_id)[:8]} on {self.date}"

    nurse_only = True
    cold_chain_until = None

    @property
    def stop_minutes(self) -> int:
        return int(self.duration_minutes)
