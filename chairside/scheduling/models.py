"""Nurse shifts, closures and appointments: the chair schedule of each location.

An appointment holds one chair for ``[start, end)`` (half-open, aware datetimes). On
PostgreSQL the database itself refuses two live appointments overlapping in one chair
(an exclusion constraint added in migration 0002); everywhere the booking service checks
first, under a row lock on the chair, and names the conflict.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from chairside.core.models import OrgScopedModel
from chairside.rules.scheduling import appointment_states as states


class NurseShift(OrgScopedModel):
    """A nurse working at a location on a date, from ``starts`` to ``ends`` (same day).

    How many patients she may have at once is the location's nurse-to-patient ratio.
    """

    staff = models.ForeignKey("tenancy.StaffMember", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    starts = models.TimeField()
    ends = models.TimeField()
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date", "starts", "staff__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")), name="shift_ends_after_start"
            ),
            models.UniqueConstraint(fields=["staff", "date", "starts"], name="uniq_shift_start"),
        ]
        indexes = [models.Index(fields=["location", "date"], name="shift_location_date")]

    def __str__(self) -> str:
        return f"{self.staff} {self.date:%m/%d/%Y} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The shift as aware datetimes in the location's time zone."""
        tz = self.location.tz
        return (
            dt.datetime.combine(self.date, self.starts, tzinfo=tz),
            dt.datetime.combine(self.date, self.ends, tzinfo=tz),
        )


class Closure(OrgScopedModel):
    """A date a location (or, without a location, the whole organization) is closed."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "US federal holiday"
        CUSTOM = "custom", "Closure"

    location = models.ForeignKey(
        "tenancy.Location",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: every location of the organization is closed.",
    )
    date = models.DateField()
    reason = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOM)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "date"],
                condition=Q(location__isnull=True),
                name="uniq_org_closure",
            ),
            models.UniqueConstraint(
                fields=["location", "date"],
                condition=Q(location__isnull=False),
                name="uniq_location_closure",
            ),
        ]

    def __str__(self) -> str:
        where = self.location.name if self.location else "All locations"
        return f"{where} closed {self.date:%m/%d/%Y}: {self.reason}"


class Appointment(OrgScopedModel):
    STATUS_CHOICES = list(states.APPOINTMENT.labels.items())

    class Reason(models.TextChoices):
        PATIENT_REQUEST = "patient_request", "Patient asked"
        ILLNESS = "illness", "Patient unwell / infection"
        NO_CONTACT = "no_contact", "Did not come, no contact"
        TRANSPORT = "transport", "Transport"
        AUTHORIZATION = "authorization", "Insurance / authorization"
        ORDER_CHANGE = "order_change", "Order changed or on hold"
        LABS = "labs", "Labs not done"
        DRUG = "drug", "Drug not available"
        WEATHER = "weather", "Weather"
        CLOSURE = "closure", "Center closed"
        OTHER = "other", "Other"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    order = models.ForeignKey(
        "referrals.TreatmentOrder", on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    chair = models.ForeignKey("tenancy.Chair", on_delete=models.PROTECT, related_name="+")
    nurse = models.ForeignKey(
        "tenancy.StaffMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty until a nurse is assigned.",
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=states.BOOKED)
    dose_number = models.PositiveSmallIntegerField(default=1)
    authorization = models.ForeignKey(
        "authorizations.PriorAuthorization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    authorization_override = models.ForeignKey(
        "authorizations.AuthorizationOverride",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    series_id = models.UUIDField(null=True, blank=True, db_index=True)
    # The window the patient can come in, for the optimizer (None: ±1 hour of the booking).
    earliest_start = models.DateTimeField(null=True, blank=True)
    latest_end = models.DateTimeField(null=True, blank=True)
    reason_code = models.CharField(max_length=16, choices=Reason.choices, blank=True)
    reason = models.CharField(
        max_length=255, blank=True, help_text="Why it was cancelled, missed or rescheduled."
    )
    rescheduled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_to"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    notes = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["start", "chair__sort_order"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_ends_after"),
            models.CheckConstraint(condition=Q(dose_number__gte=1), name="appointment_dose_number"),
            # One live booking per dose of an order (a series booked twice is refused).
            models.UniqueConstraint(
                fields=["order", "dose_number"],
                condition=Q(status__in=sorted(states.OCCUPYING)),
                name="uniq_live_dose_per_order",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "location", "start"], name="appt_board"),
            models.Index(fields=["patient", "start"], name="appt_patient"),
            models.Index(fields=["chair", "start"], name="appt_chair"),
            models.Index(fields=["nurse", "start"], name="appt_nurse"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.start:%m/%d/%Y %H:%M} ({self.status_label})"

    @property
    def status_label(self) -> str:
        return states.APPOINTMENT.label(self.status)

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_live(self) -> bool:
        return self.status in states.OCCUPYING

    def local_start(self) -> dt.datetime:
        return self.start.astimezone(self.location.tz)

    def local_end(self) -> dt.datetime:
        return self.end.astimezone(self.location.tz)

    def next_states(self) -> tuple[str, ...]:
        return states.APPOINTMENT.next_states(self.status)
