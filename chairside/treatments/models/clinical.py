"""What happens in the chair: vital signs, the preparation, administrations and reactions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from chairside.core.models import BaseModel
from chairside.rules.clinical import infusion
from chairside.rules.clinical.vitals import c_to_f
from chairside.treatments.models.visit import Visit


def vitals_bounds(prefix: str) -> list[models.BaseConstraint]:
    """The physiological bounds of ``rules.clinical.vitals``, kept by the database too (one set of
    constraint names per table: ``prefix`` is the table's)."""
    return [
        models.CheckConstraint(
            condition=Q(systolic__isnull=True) | Q(systolic__gte=40, systolic__lte=300),
            name=f"{prefix}_systolic_possible",
        ),
        models.CheckConstraint(
            condition=Q(diastolic__isnull=True) | Q(diastolic__gte=20, diastolic__lte=200),
            name=f"{prefix}_diastolic_possible",
        ),
        models.CheckConstraint(
            condition=Q(spo2__isnull=True) | Q(spo2__gte=50, spo2__lte=100),
            name=f"{prefix}_spo2_possible",
        ),
        models.CheckConstraint(
            condition=Q(temperature_c__isnull=True)
            | Q(temperature_c__gte=30, temperature_c__lte=44),
            name=f"{prefix}_temperature_possible",
        ),
    ]


class VitalReadings(BaseModel):
    """One set of vital signs, wherever it was taken: the chair (``Vitals``) or a patient's
    home (``homecare.HomeVitals``). Written only by ``services.vitals`` rules."""

    class Phase(models.TextChoices):
        PRE = "pre", "Before the infusion"
        DURING = "during", "During the infusion"
        POST = "post", "At discharge"

    phase = models.CharField(max_length=8, choices=Phase.choices)
    taken_at = models.DateTimeField(default=timezone.now)
    systolic = models.PositiveSmallIntegerField("systolic (mmHg)", null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField("diastolic (mmHg)", null=True, blank=True)
    pulse = models.PositiveSmallIntegerField("pulse (/min)", null=True, blank=True)
    temperature_c = models.DecimalField(
        "temperature (°C)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    spo2 = models.PositiveSmallIntegerField("SpO₂ (%)", null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(
        "respirations (/min)", null=True, blank=True
    )
    flags = models.JSONField(default=list, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_phase_display()} vitals {self.taken_at:%H:%M}"

    @property
    def temperature_f(self) -> Decimal | None:
        return c_to_f(self.temperature_c) if self.temperature_c is not None else None

    @property
    def blood_pressure(self) -> str:
        return f"{self.systolic}/{self.diastolic}" if self.systolic else ""

    @property
    def worst_flag(self) -> str:
        levels = {f.get("level") for f in self.flags}
        return "critical" if "critical" in levels else ("abnormal" if levels else "")


class Vitals(VitalReadings):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="vitals")

    class Meta:
        ordering = ["taken_at", "id"]
        verbose_name_plural = "vitals"
        constraints = vitals_bounds("vitals")


class Preparation(BaseModel):
    """The dose made up for this visit from vials dispensed out of inventory lots."""

    KIND_CHOICES = list(infusion.BEYOND_USE_LABELS.items())

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="preparation")
    dose_mg = models.DecimalField("dose prepared (mg)", max_digits=10, decimal_places=3)
    diluent = models.CharField(max_length=80, blank=True, help_text="e.g. 0.9% sodium chloride")
    bag_volume_ml = models.DecimalField(
        "bag volume (mL)", max_digits=7, decimal_places=1, null=True, blank=True
    )
    final_volume_ml = models.DecimalField(
        "final volume (mL)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    concentration_mg_ml = models.DecimalField(
        "final concentration (mg/mL)", max_digits=10, decimal_places=3, null=True, blank=True
    )
    kind = models.CharField(
        "prepared as", max_length=20, choices=KIND_CHOICES, default="immediate_use"
    )
    label_limit_hours = models.DecimalField(
        "label's time limit (hours)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal(72))],
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    beyond_use_at = models.DateTimeField("beyond-use time", null=True, blank=True)
    prepared_by = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_by = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    # A drug marked for witnessed waste (formulary ``waste_witness_required``): the second
    # person who saw the discarded part of the opened vials wasted, confirmed on the device
    # with her own credentials (services.preparation_waste_witness).
    waste_mg = models.DecimalField(
        "waste witnessed (mg)", max_digits=10, decimal_places=3, null=True, blank=True
    )
    waste_witnessed_by = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waste_witnessed_at = models.DateTimeField(null=True, blank=True)
    notes = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_by__isnull=True) | ~Q(checked_by=F("prepared_by")),
                name="preparation_checked_by_another_person",
            ),
            models.CheckConstraint(condition=Q(dose_mg__gt=0), name="preparation_dose_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.dose_mg.normalize():f} mg for {self.visit}"

    @property
    def opened_mg(self) -> Decimal:
        return sum((v.mg for v in self.vials.all()), Decimal(0))

    @property
    def is_prepared(self) -> bool:
        return bool(self.prepared_at and self.final_volume_ml and self.vials.exists())

    @property
    def waste_expected_mg(self) -> Decimal:
        """What is left in the opened vials after the dose is drawn (to be discarded)."""
        return max(self.opened_mg - Decimal(self.dose_mg or 0), Decimal(0))


class PreparationVial(BaseModel):
    """Vials of one lot dispensed for the preparation, with the ledger movement."""

    preparation = models.ForeignKey(Preparation, on_delete=models.CASCADE, related_name="vials")
    lot = models.ForeignKey("inventory.Lot", on_delete=models.PROTECT, related_name="+")
    vials = models.PositiveSmallIntegerField()
    movement = models.OneToOneField(
        "inventory.Movement", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(vials__gte=1), name="prep_vial_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.vials} × {self.lot}"

    @property
    def mg(self) -> Decimal:
        return Decimal(self.lot.package.strength_mg) * self.vials


class Administration(BaseModel):
    class Method(models.TextChoices):
        INFUSION = "infusion", "IV infusion"
        PUSH = "push", "IV push"
        SUBCUTANEOUS = "subcutaneous", "Subcutaneous injection"
        INTRAMUSCULAR = "intramuscular", "Intramuscular injection"

    class Category(models.TextChoices):
        CHEMO = "chemo", "Chemotherapy / complex biologic"
        THERAPEUTIC = "therapeutic", "Therapeutic"
        HYDRATION = "hydration", "Hydration"

    class StopReason(models.TextChoices):
        COMPLETED = "completed", "Completed"
        REACTION = "reaction", "Stopped for a reaction"
        OTHER = "other", "Stopped (other reason)"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="administrations")
    is_primary = models.BooleanField(default=True, help_text="The ordered drug.")
    substance = models.CharField(max_length=120)
    category = models.CharField(max_length=12, choices=Category.choices)
    method = models.CharField(max_length=14, choices=Method.choices, default=Method.INFUSION)
    site = models.CharField(
        "site", max_length=80, blank=True, help_text="IV site, or injection site for SC/IM."
    )
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=10, choices=StopReason.choices, blank=True)
    volume_infused_ml = models.DecimalField(
        "volume infused (mL)", max_digits=7, decimal_places=1, null=True, blank=True
    )
    dose_given_mg = models.DecimalField(
        "dose given (mg)", max_digits=10, decimal_places=3, null=True, blank=True
    )
    drug = models.ForeignKey(
        "formulary.Drug",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A premedication from the formulary (billed with its own HCPCS code).",
    )
    from_center_stock = models.BooleanField(
        default=True, help_text="Given from the center's stock (billed), not the patient's own."
    )
    separate_access_site = models.BooleanField(
        "separate vascular access site",
        default=False,
        help_text="Given through a second IV site the protocol required (CPT: a second initial "
        "service with modifier XU).",
    )
    notes = models.CharField(max_length=255, blank=True)
    # Given from the order's premedication set or anaphylaxis protocol (issue 21 item 8):
    # "premed:<item>" or "protocol:<item>" of rules.order_sets; empty when typed by hand.
    order_item = models.CharField(max_length=60, blank=True)
    dispensed_from_stock = models.BooleanField(
        default=False, help_text="Vials drawn from an inventory lot (else floor stock)."
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | Q(stopped_at__gt=F("started_at")),
                name="administration_stops_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.substance} {self.get_method_display()} from {self.started_at:%H:%M}"

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None

    @property
    def route(self) -> str:
        return {"subcutaneous": "SC", "intramuscular": "IM"}.get(self.method, "IV")


class RateStep(BaseModel):
    """A rate set at a time (infliximab titration, rituximab escalation …)."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="rates"
    )
    at = models.DateTimeField()
    rate_ml_h = models.DecimalField(
        "rate (mL/h)",
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal(2000))],
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.rate_ml_h} mL/h at {self.at:%H:%M}"


class Interruption(BaseModel):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="interruptions"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=160)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="interruption_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Paused {self.started_at:%H:%M}: {self.reason}"


def ctcae_grade_constraint(prefix: str) -> models.BaseConstraint:
    return models.CheckConstraint(
        condition=Q(grade__gte=1, grade__lte=5), name=f"{prefix}_ctcae_grade"
    )


class ReactionRecord(BaseModel):
    """An infusion reaction (CTCAE v5.0 grade), at the chair (``Reaction``) or in a
    patient's home (``homecare.HomeReaction``). Written only by ``services.reactions`` rules."""

    SIGNS = [
        ("flushing", "Flushing"),
        ("rash", "Rash / hives"),
        ("itching", "Itching"),
        ("chills", "Chills / rigors"),
        ("fever", "Fever"),
        ("dyspnea", "Shortness of breath / wheeze"),
        ("chest_tightness", "Chest or throat tightness"),
        ("hypotension", "Low blood pressure"),
        ("hypertension", "High blood pressure"),
        ("tachycardia", "Fast heart rate"),
        ("nausea", "Nausea / vomiting"),
        ("headache", "Headache"),
        ("dizziness", "Dizziness"),
        ("back_pain", "Back pain"),
        ("angioedema", "Swelling of lips, tongue, face"),
        ("loss_of_consciousness", "Loss of consciousness"),
    ]
    ACTIONS = [
        ("paused", "Infusion paused"),
        ("slowed", "Rate slowed"),
        ("stopped", "Infusion stopped"),
        ("antihistamine", "Antihistamine given"),
        ("steroid", "Corticosteroid given"),
        ("antipyretic", "Antipyretic given"),
        ("epinephrine", "Epinephrine given"),
        ("oxygen", "Oxygen"),
        ("iv_fluids", "IV fluids"),
        ("ems", "Emergency services called"),
    ]

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        RESOLVED_RESUMED = "resumed", "Resolved; infusion resumed"
        RESOLVED_NOT_RESUMED = "not_resumed", "Resolved; infusion not resumed"
        TRANSFERRED = "transferred", "Transferred to emergency care"
        DIED = "died", "Died"

    onset_at = models.DateTimeField()
    signs = models.JSONField(default=list)
    signs_other = models.CharField(max_length=200, blank=True)
    grade = models.PositiveSmallIntegerField(
        "CTCAE grade", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    actions = models.JSONField(default=list, blank=True)
    actions_other = models.CharField(max_length=200, blank=True)
    provider_notified = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"Grade {self.grade} reaction at {self.onset_at:%H:%M}"

    @property
    def sign_labels(self) -> list[str]:
        names = dict(self.SIGNS)
        return [names.get(s, s) for s in self.signs] + (
            [self.signs_other] if self.signs_other else []
        )

    @property
    def action_labels(self) -> list[str]:
        names = dict(self.ACTIONS)
        return [names.get(a, a) for a in self.actions] + (
            [self.actions_other] if self.actions_other else []
        )

    @property
    def grade_label(self) -> str:
        return infusion.CTCAE_GRADES.get(self.grade, "")


class Reaction(ReactionRecord):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="reactions")
    administration = models.ForeignKey(
        Administration, null=True, blank=True, on_delete=models.SET_NULL, related_name="reactions"
    )

    class Meta:
        ordering = ["onset_at", "id"]
        constraints = [ctcae_grade_constraint("reaction")]
