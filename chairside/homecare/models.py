"""Home infusion: patients' homes, delivery tickets, home nursing visits and day route plans.

A home-infusion location (``Location.SiteType.HOME``) has a depot (``HomeBase``: where the
nurses and drivers start and end, and the speed travel times are estimated at). Each day's
scheduled deliveries and visits there are the stops of a **route plan**: proposed by the
optimiser (``chairside.rules.scheduling.routing``), applied to the tickets and visits only when a
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
from chairside.rules.clinical.home_visit import clock_gap_minutes
from chairside.rules.scheduling import routing
from chairside.treatments.models import (
    Administration,
    ReactionRecord,
    VitalReadings,
    ctcae_grade_constraint,
    vitals_bounds,
)

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
        default=routing.DEFAULT_TIME_LIMIT_SECONDS,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="How long the planner searches for shorter routes.",
    )
    nurse_delivery_minutes = models.PositiveSmallIntegerField(
        default=routing.DEFAULT_NURSE_DELIVERY_MINUTES,
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


class OutsideHitHistory(OrgScopedModel):
    """The patient's last home infusion therapy visit by another supplier, as the referral
    or intake reports it. Medicare's initial-visit G-codes (G0088-G0090) need a gap of more
    than 60 days between HIT service visits in the patient's history, another supplier's
    included (Medicare Benefit Policy Manual ch. 15 §320.8.3); billing reads this date with
    the pharmacy's own history (``rules.billing.home_infusion_billing.hit_initial_allowed``)."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="outside_hit_history"
    )
    last_visit_on = models.DateField(
        "last HIT visit by another supplier",
        null=True,
        blank=True,
        help_text="Empty: no home infusion therapy visit by another supplier is known.",
    )
    supplier = models.CharField(
        "other supplier",
        max_length=120,
        blank=True,
        help_text="The home infusion supplier that made that visit.",
    )
    source = models.CharField(
        max_length=160,
        blank=True,
        help_text="Where the date comes from, e.g. the referral packet or a call to the supplier.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "outside HIT histories"

    def __str__(self) -> str:
        if self.last_visit_on is None:
            return "No HIT visit by another supplier known"
        return f"Last HIT visit by {self.supplier or 'another supplier'} on {self.last_visit_on}"


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

    class Setting(models.TextChoices):
        HOME = "home", "In the patient's home"
        SUITE = "suite", "At the pharmacy's infusion suite"

    purpose = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # Where the nurse sees the patient: at home, or at the pharmacy's own ambulatory infusion
    # suite (billed the payer's way: rules.home_infusion_suite; not on a driving route).
    setting = models.CharField(max_length=5, choices=Setting.choices, default=Setting.HOME)
    # --- the visit as documented in the home (services.documentation) ---------------------
    arrived_at = models.DateTimeField(null=True, blank=True)
    departed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField("nursing notes", blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_by_name = models.CharField(max_length=160, blank=True)

    class Meta:
        ordering = ["date", "window_start", "id"]
        indexes = [models.Index(fields=["organization", "location", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(departed_at__isnull=True)
                | models.Q(arrived_at__isnull=False, departed_at__gt=models.F("arrived_at")),
                name="home_visit_departs_after_arrival",
            ),
        ]

    def __str__(self) -> str:
        return f"Home visit {str(self.public_id)[:8]} on {self.date}"

    nurse_only = True
    cold_chain_until = None

    @property
    def stop_minutes(self) -> int:
        return int(self.duration_minutes)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def documented_minutes(self) -> int | None:
        """The nurse's time in the home as documented (arrival to departure), if both."""
        if self.arrived_at is None or self.departed_at is None:
            return None
        return int((self.departed_at - self.arrived_at).total_seconds() // 60)


class HomeVitals(VitalReadings):
    """Vital signs taken in the home: the chair's columns, bounds and flags."""

    home_visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="vitals")
    # The tablet's id for the entry: a resent entry (offline queue, double tap) is not
    # recorded twice.
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    # When the nurse saved the entry, by the tablet's clock (sent with an entry kept on the
    # tablet while offline); ``created_at`` is when the server received it.
    client_entered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["taken_at", "id"]
        verbose_name_plural = "home vitals"
        constraints = vitals_bounds("home_vitals")

    @property
    def clock_gap(self) -> int:
        """Minutes between the tablet's entered-at time and the server's receipt, when they
        differ by more than a few (rules.clinical.home_visit.clock_gap_minutes), else 0."""
        return clock_gap_minutes(self.client_entered_at, self.created_at)


class HomeAdministration(BaseModel):
    """A dose given in the home: the drug of the home order (formulary or as written) or of
    a delivered lot, the dose, the route and the times."""

    home_visit = models.ForeignKey(
        HomeVisit, on_delete=models.CASCADE, related_name="administrations"
    )
    home_order = models.ForeignKey(
        "homecare.HomeInfusionOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drug = models.ForeignKey(
        "formulary.Drug", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drug_name = models.CharField(max_length=160, blank=True)
    dose_amount = models.DecimalField(
        max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    dose_unit = models.CharField(max_length=12)
    method = models.CharField(max_length=14, choices=Administration.Method.choices)
    site = models.CharField(max_length=80, blank=True)
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    lot = models.ForeignKey(
        "inventory.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lot_number = models.CharField(max_length=40, blank=True)
    notes = models.CharField(max_length=255, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    # When the nurse saved the entry, by the tablet's clock (sent with an entry kept on the
    # tablet while offline); ``created_at`` is when the server received it.
    client_entered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stopped_at__isnull=True)
                | models.Q(stopped_at__gt=models.F("started_at")),
                name="home_administration_stops_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug_display} {self.dose_display} from {self.started_at:%H:%M}"

    @property
    def drug_display(self) -> str:
        return str(self.drug.generic_name) if self.drug_id and self.drug else self.drug_name

    @property
    def dose_display(self) -> str:
        return f"{self.dose_amount.normalize():f} {self.dose_unit}"

    @property
    def route(self) -> str:
        return {"subcutaneous": "SC", "intramuscular": "IM"}.get(self.method, "IV")

    @property
    def clock_gap(self) -> int:
        """Minutes between the tablet's entered-at time and the server's receipt, when they
        differ by more than a few (rules.clinical.home_visit.clock_gap_minutes), else 0."""
        return clock_gap_minutes(self.client_entered_at, self.created_at)


class HomeReaction(ReactionRecord):
    """An infusion reaction in the home: the chair's signs, actions and CTCAE grades."""

    home_visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="reactions")
    administration = models.ForeignKey(
        HomeAdministration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reactions",
    )
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    # When the nurse saved the entry, by the tablet's clock (sent with an entry kept on the
    # tablet while offline); ``created_at`` is when the server received it.
    client_entered_at = models.DateTimeField(null=True, blank=True)
    # A grade 2+ reaction in the home is reviewed by the pharmacy (pharmacist, nurse or
    # coordinator) from the Today page, as a chair reaction alerts the provider on site.
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by_name = models.CharField(max_length=160, blank=True)
    review_note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["onset_at", "id"]
        constraints = [ctcae_grade_constraint("home_reaction")]

    @property
    def clock_gap(self) -> int:
        """Minutes between the tablet's entered-at time and the server's receipt, when they
        differ by more than a few (rules.clinical.home_visit.clock_gap_minutes), else 0."""
        return clock_gap_minutes(self.client_entered_at, self.created_at)


class HomeVisitAddendum(BaseModel):
    """A correction or late entry after the home visit was signed; the record never changes."""

    home_visit = models.ForeignKey(HomeVisit, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    author_name = models.CharField(max_length=160)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "home visit addenda"

    def __str__(self) -> str:
        return f"Addendum by {self.author_name} {self.created_at:%m/%d/%Y %H:%M}"


# --- Home-infusion clinical side (issue 18) --------------------------------------------------
#
# The order for a home therapy, the plan of care that gathers the patient's active home
# orders, the patient/caregiver teaching with the nurse's competency sign-off, and the
# pharmacist's clinical monitoring with its follow-up tasks. What a plan of care must
# contain is the pure rule ``chairside.rules.clinical.plan_of_care``.


class AccessDevice(models.TextChoices):
    PICC = "picc", "PICC line"
    PORT = "port", "Implanted port"
    MIDLINE = "midline", "Midline catheter"
    PERIPHERAL = "peripheral", "Peripheral IV"
    NONE = "none", "None (subcutaneous)"


class AdministrationDevice(models.TextChoices):
    AMBULATORY_PUMP = "ambulatory_pump", "Ambulatory electronic pump"
    ELASTOMERIC = "elastomeric", "Elastomeric pump"
    GRAVITY = "gravity", "Gravity"
    IV_PUSH = "iv_push", "IV push"
    SC_PUMP = "sc_pump", "Subcutaneous pump"


class HomeInfusionOrder(OrgScopedModel):
    """A prescriber's order for one home therapy of one patient.

    When the order came in through the chair-side order flow, ``treatment_order`` links the
    signed ``referrals.TreatmentOrder`` (and ``referral`` the referral it came with); the
    drug and dose below are then copied from it. Home therapies the formulary does not
    carry (vancomycin, TPN, milrinone, hydration) are written in ``drug_name``.
    """

    class TherapyType(models.TextChoices):
        IV_ANTIBIOTIC = "iv_antibiotic", "IV antibiotics"
        IVIG = "ivig", "Immunoglobulin IV (IVIG)"
        SCIG = "scig", "Immunoglobulin SC (SCIG)"
        HYDRATION = "hydration", "Hydration"
        PARENTERAL_NUTRITION = "parenteral_nutrition", "Parenteral nutrition"
        INOTROPE = "inotrope", "Inotropes"
        PAIN_MANAGEMENT = "pain_management", "Pain management"
        OTHER = "other", "Other"

    class DoseUnit(models.TextChoices):
        MG = "mg", "mg"
        G = "g", "g"
        MCG = "mcg", "mcg"
        UNITS = "units", "units"
        MEQ = "mEq", "mEq"
        ML = "mL", "mL"
        G_PER_KG = "g/kg", "g/kg"
        MG_PER_KG = "mg/kg", "mg/kg"
        MCG_PER_KG_MIN = "mcg/kg/min", "mcg/kg/min"
        MG_PER_H = "mg/h", "mg/h"

    class NursingFrequency(models.TextChoices):
        DAILY = "daily", "Daily"
        TWICE_WEEKLY = "twice_weekly", "Twice a week"
        WEEKLY = "weekly", "Weekly"
        EVERY_2_WEEKS = "every_2_weeks", "Every 2 weeks"
        MONTHLY = "monthly", "Monthly"
        WITH_EACH_DOSE = "each_dose", "With each dose"
        PRN = "prn", "As needed (PRN)"
        NONE = "none", "No nursing visits"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting signature"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        DISCONTINUED = "discontinued", "Discontinued"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="home_infusion_orders"
    )
    treatment_order = models.ForeignKey(
        "referrals.TreatmentOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_infusion_orders",
        help_text="The signed medication order this home therapy carries out, if any.",
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_infusion_orders",
    )
    therapy_type = models.CharField(max_length=24, choices=TherapyType.choices)
    therapy_other = models.CharField(
        "other therapy", max_length=120, blank=True, help_text="What the therapy is, if Other."
    )
    drug = models.ForeignKey(
        "formulary.Drug", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drug_name = models.CharField(
        max_length=160, blank=True, help_text="As written, when the drug is not in the formulary."
    )
    dose_amount = models.DecimalField(
        max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    dose_unit = models.CharField(max_length=12, choices=DoseUnit.choices, default=DoseUnit.MG)
    doses_per_day = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Doses per day (1 for a continuous or once-daily infusion).",
    )
    every_days = models.PositiveSmallIntegerField(
        "dose days every (days)",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="1: daily; 7: weekly (SCIG); 28: every 4 weeks (IVIG).",
    )
    continuous = models.BooleanField(
        default=False, help_text="Runs continuously (inotropes, PCA basal rate)."
    )
    infusion_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(1440)]
    )
    start_date = models.DateField()
    duration_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    stop_date = models.DateField(null=True, blank=True)
    access_device = models.CharField(max_length=12, choices=AccessDevice.choices)
    access_inserted_on = models.DateField("access device inserted on", null=True, blank=True)
    administration_device = models.CharField(max_length=16, choices=AdministrationDevice.choices)
    supplies = models.JSONField(
        default=list, blank=True, help_text="The supplies sent with the therapy, one per item."
    )
    nursing_visit_frequency = models.CharField(
        max_length=16, choices=NursingFrequency.choices, default=NursingFrequency.WEEKLY
    )
    ordering_provider = models.ForeignKey(
        "referrals.ReferringProvider", on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField(
        "order signed on", null=True, blank=True, help_text="When the prescriber signed it."
    )
    diagnosis_code = models.CharField("ICD-10-CM code", max_length=8, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    notes = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["organization", "patient", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stop_date__isnull=True)
                | models.Q(stop_date__gte=models.F("start_date")),
                name="home_order_stop_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug_display} ({self.get_therapy_type_display()}) for {self.patient}"

    @property
    def drug_display(self) -> str:
        drug = self.drug if self.drug_id else None
        if drug is not None:
            return str(drug.generic_name)
        return self.drug_name or "(no drug)"

    @property
    def therapy_display(self) -> str:
        if self.therapy_type == self.TherapyType.OTHER and self.therapy_other:
            return f"Other: {self.therapy_other}"
        return str(self.get_therapy_type_display())

    @property
    def dose_display(self) -> str:
        amount = f"{self.dose_amount.normalize():f}"
        if self.continuous:
            how = "continuous"
        elif self.every_days > 1:
            times = "once" if self.doses_per_day == 1 else f"{self.doses_per_day}× a day"
            how = f"{times} every {self.every_days} days"
        else:
            how = "once a day" if self.doses_per_day == 1 else f"{self.doses_per_day}× a day"
        return f"{amount} {self.dose_unit} {how}"

    @property
    def last_day(self) -> dt.date | None:
        """The stop date, else the start date plus the duration (None: open-ended)."""
        if self.stop_date is not None:
            return self.stop_date
        if self.duration_days:
            return self.start_date + dt.timedelta(days=self.duration_days - 1)
        return None

    def is_active_on(self, day: dt.date) -> bool:
        last = self.last_day
        return (
            self.status == self.Status.ACTIVE
            and self.start_date <= day
            and (last is None or day <= last)
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.drug_id and not self.drug_name.strip():
            errors["drug_name"] = "Name the drug, or pick it from the formulary."
        if self.therapy_type == self.TherapyType.OTHER and not self.therapy_other.strip():
            errors["therapy_other"] = "Say what the therapy is."
        if self.stop_date and self.start_date and self.stop_date < self.start_date:
            errors["stop_date"] = "The stop date is before the start date."
        if (
            self.access_device == AccessDevice.NONE
            and self.administration_device != AdministrationDevice.SC_PUMP
        ):
            errors["administration_device"] = (
                "Without a vascular access device the therapy is subcutaneous: pick the SC pump."
            )
        if errors:
            raise ValidationError(errors)


class PlanOfCare(OrgScopedModel):
    """A patient's home-infusion plan of care; a review writes a new version.

    One version per patient is current (``is_current``); a review copies it into version
    n+1 and the older one stays as it was signed. The medication profile is the patient's
    home-infusion orders (``orders``), the allergies are copied from the chart when the version is
    written. ``chairside.rules.clinical.plan_of_care.missing_items`` says what is missing.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="plans_of_care"
    )
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    orders = models.ManyToManyField(
        HomeInfusionOrder, blank=True, related_name="plans_of_care", help_text="Medication profile."
    )
    signed_on = models.DateField(
        null=True, blank=True, help_text="When the physician signed the plan (empty: unsigned)."
    )
    signing_provider = models.ForeignKey(
        "referrals.ReferringProvider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_due_on = models.DateField(null=True, blank=True)
    goals = models.TextField(blank=True, help_text="Measurable goals of the therapy, one a line.")
    allergies = models.TextField(
        blank=True, help_text="From the patient's chart when the version was written."
    )
    access_device = models.CharField(max_length=12, choices=AccessDevice.choices, blank=True)
    access_inserted_on = models.DateField(null=True, blank=True)
    pump = models.CharField(max_length=120, blank=True, help_text="Pump model or device.")
    monitoring_labs = models.JSONField(
        default=list,
        blank=True,
        help_text='Labs and how often: [{"lab": "CBC", "frequency": "weekly"}, ...].',
    )
    emergency_phone = models.CharField("24-hour pharmacy/nurse phone", max_length=30, blank=True)
    anaphylaxis_kit = models.BooleanField("anaphylaxis kit in the home", default=False)
    emergency_instructions = models.TextField(blank=True)
    caregiver_name = models.CharField(max_length=120, blank=True)
    caregiver_relationship = models.CharField(max_length=60, blank=True)
    caregiver_phone = models.CharField(max_length=30, blank=True)
    discharge_plan = models.TextField(
        blank=True, help_text="When and how home therapy ends (line removal, hand-back)."
    )
    review_reason = models.CharField(max_length=200, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["patient", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(is_current=True),
                name="uniq_current_plan_of_care",
            ),
            models.UniqueConstraint(
                fields=["patient", "version"], name="uniq_plan_of_care_version"
            ),
        ]

    def __str__(self) -> str:
        return f"Plan of care v{self.version} for {self.patient}"

    @property
    def is_signed(self) -> bool:
        return self.signed_on is not None


class TeachingRecord(OrgScopedModel):
    """Teaching of a patient or caregiver, and the nurse's signed competency outcome."""

    class Topic(models.TextChoices):
        ACCESS_DEVICE_CARE = "access_device_care", "Access-device care"
        PUMP_OPERATION = "pump_operation", "Pump operation"
        ADMINISTRATION = "administration", "Infusion administration"
        INFECTION_REACTION = "infection_reaction", "Signs of infection or reaction"
        STORAGE = "storage", "Storage of medication and supplies"
        DISPOSAL = "disposal", "Disposal of sharps and waste"
        EMERGENCY_PLAN = "emergency_plan", "Emergency plan"

    class Learner(models.TextChoices):
        PATIENT = "patient", "Patient"
        CAREGIVER = "caregiver", "Caregiver"

    class Method(models.TextChoices):
        DEMONSTRATION = "demonstration", "Demonstration and return demonstration"
        VERBAL = "verbal", "Verbal explanation"
        WRITTEN = "written", "Written material"
        VIDEO = "video", "Video"

    class Outcome(models.TextChoices):
        COMPETENT = "competent", "Demonstrated competency"
        REINFORCE = "reinforce", "Needs reinforcement"

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(
        PlanOfCare, null=True, blank=True, on_delete=models.SET_NULL, related_name="teaching"
    )
    order = models.ForeignKey(
        HomeInfusionOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taught_on = models.DateField()
    topics = models.JSONField(default=list)
    learner = models.CharField(max_length=10, choices=Learner.choices)
    learner_name = models.CharField(max_length=120)
    method = models.CharField(max_length=14, choices=Method.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    notes = models.TextField(blank=True)
    nurse = models.ForeignKey("tenancy.StaffMember", on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-taught_on", "-id"]

    def __str__(self) -> str:
        return f"Teaching of {self.learner_name} on {self.taught_on}"

    def topic_labels(self) -> list[str]:
        labels = dict(self.Topic.choices)
        return [str(labels.get(t, t)) for t in self.topics]


class MonitoringNote(OrgScopedModel):
    """A pharmacist's clinical monitoring note: labs, assessment, plan, dose change."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        HomeInfusionOrder,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitoring_notes",
    )
    noted_on = models.DateField()
    labs = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"lab": "Vancomycin trough", "value": "14.2", "unit": "mg/L"}, ...]',
    )
    assessment = models.TextField()
    plan = models.TextField()
    dose_change_recommended = models.BooleanField(default=False)
    recommended_change = models.CharField(max_length=200, blank=True)
    pharmacist = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-noted_on", "-id"]

    def __str__(self) -> str:
        return f"Monitoring note {self.noted_on} for {self.patient}"


class FollowUpTask(OrgScopedModel):
    """Something the pharmacy must do after a monitoring note, by a date."""

    note = models.ForeignKey(MonitoringNote, on_delete=models.CASCADE, related_name="follow_ups")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    due_on = models.DateField()
    assignee = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["organization", "done_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.description} by {self.due_on}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
