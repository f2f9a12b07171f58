"""Organizations, their sites (locations) and chairs, memberships and staff credentials."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from chairside.core.models import BaseModel, OrgScopedModel
from chairside.rules.billing.hospital_outpatient import claim_form_for_site
from chairside.rules.billing.place_of_service import PLACES_OF_SERVICE
from chairside.rules.common.npi import is_valid_npi
from chairside.tenancy.roles import ROLE_LABELS


class Organization(BaseModel):
    class Kind(models.TextChoices):
        PRACTICE = "practice", "Physician practice (office)"
        HOSPITAL_OPD = "hospital_opd", "Hospital outpatient department"
        INFUSION_PHARMACY = "infusion_pharmacy", "Infusion pharmacy"
        INFUSION_CENTER = "infusion_center", "Stand-alone infusion center"
        NP_LED_CENTER = "np_led_center", "NP-led infusion center"
        MANAGEMENT_COMPANY = "management_company", "Infusion management company"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    managed_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="client_organizations",
        help_text="The infusion management company that runs this organization's centers.",
    )
    group_npi = models.CharField("group NPI", max_length=10, blank=True)
    tax_id = models.CharField("tax ID (EIN)", max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.managed_by_id is not None:
            if self.managed_by_id == self.pk:
                raise ValidationError({"managed_by": "An organization cannot manage itself."})
            if self.managed_by and self.managed_by.kind != self.Kind.MANAGEMENT_COMPANY:
                raise ValidationError(
                    {"managed_by": "Only an infusion management company can manage a practice."}
                )
        if self.group_npi and not is_valid_npi(self.group_npi):
            raise ValidationError(
                {"group_npi": "This is not a valid NPI (10 digits, check digit)."}
            )


def _validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"'{value}' is not a time zone name such as America/New_York."
        ) from None


class Location(OrgScopedModel):
    class SiteType(models.TextChoices):
        OFFICE = "office", "Physician office infusion suite"
        HOSPITAL_ON_CAMPUS = "hospital_on_campus", "Hospital outpatient, on campus"
        HOSPITAL_OFF_CAMPUS = "hospital_off_campus", "Hospital outpatient, off campus"
        HOME = "home", "Home infusion"
        INDEPENDENT_CLINIC = "independent_clinic", "Stand-alone / NP-led infusion center"

    name = models.CharField(max_length=120)
    site_type = models.CharField(max_length=32, choices=SiteType.choices)
    place_of_service = models.CharField(
        max_length=2,
        choices=[(p.code, f"{p.code} {p.name}") for p in PLACES_OF_SERVICE.values()],
        help_text="CMS place-of-service code reported on claims; defaults from the site type.",
    )
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[_validate_time_zone]
    )
    nurse_patient_ratio = models.PositiveSmallIntegerField(
        default=4, help_text="Most patients one nurse looks after at once."
    )
    requires_supervision_on_site = models.BooleanField(
        default=True,
        help_text="A supervising physician or NP must be on site during infusions "
        "(Medicare 'direct supervision' for incident-to services in an office).",
    )
    off_campus_status = models.CharField(
        "off-campus department status",
        max_length=16,
        blank=True,
        choices=[
            ("excepted", "Excepted off-campus department (modifier PO)"),
            ("non_excepted", "Non-excepted off-campus department (modifier PN)"),
        ],
        help_text="Off-campus hospital outpatient departments only: every facility claim line "
        "carries PO or PN (CMS Pub. 100-04 ch. 4 §20.6.11-12).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_location_name"),
            models.CheckConstraint(
                condition=models.Q(nurse_patient_ratio__gte=1, nurse_patient_ratio__lte=12),
                name="location_ratio_between_1_and_12",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # An off-campus hospital department says which modifier its claim lines carry;
        # elsewhere the flag means nothing and is cleared.
        if self.site_type == self.SiteType.HOSPITAL_OFF_CAMPUS and not self.off_campus_status:
            raise ValidationError(
                {
                    "off_campus_status": "Say whether this off-campus hospital department is "
                    "excepted (its lines carry modifier PO) or non-excepted (PN)."
                }
            )
        if self.site_type != self.SiteType.HOSPITAL_OFF_CAMPUS:
            self.off_campus_status = ""

    @property
    def claim_form(self) -> str:
        """The claim this site's visits make: 837I for a hospital outpatient department."""

        return claim_form_for_site(self.site_type)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def address(self) -> str:
        parts = [
            self.address_line1,
            self.address_line2,
            f"{self.city}, {self.state} {self.postal_code}",
        ]
        return ", ".join(p for p in parts if p.strip(", "))


class OpeningHours(models.Model):
    """One weekday's opening hours at a location; a weekday without a row is closed."""

    WEEKDAYS = [
        (0, "Monday"),
        (1, "Tuesday"),
        (2, "Wednesday"),
        (3, "Thursday"),
        (4, "Friday"),
        (5, "Saturday"),
        (6, "Sunday"),
    ]
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["location", "weekday"], name="uniq_hours_weekday"),
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="hours_close_after_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError("Closing time must be after opening time.")

    @property
    def minutes(self) -> int:
        today = dt.date(2000, 1, 3)
        delta = dt.datetime.combine(today, self.closes) - dt.datetime.combine(today, self.opens)
        return int(delta.total_seconds() // 60)


class Chair(BaseModel):
    class Kind(models.TextChoices):
        CHAIR = "chair", "Infusion chair"
        BED = "bed", "Bed"
        PRIVATE_ROOM = "private_room", "Private room"

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="chairs")
    name = models.CharField(max_length=40)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CHAIR)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="uniq_chair_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class Membership(BaseModel):
    ROLE_CHOICES = [(r.value, label) for r, label in ROLE_LABELS.items()]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=ROLE_CHOICES)
    is_active = models.BooleanField(default=True)
    # When the user last chose to work in this organization: the next log-in starts here.
    last_chosen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="uniq_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


INVITATION_DAYS = 14


class Invitation(OrgScopedModel):
    """An administrator's offer of a role to a user name; it becomes a membership only when
    the person logged in under that name accepts it.

    It names a user name, not a user: recording one never looks up whether the name exists,
    so the administrator learns nothing about log-ins outside the organization.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    username = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=Membership.ROLE_CHOICES)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "username"],
                condition=models.Q(status="pending"),
                name="uniq_pending_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.username} as {self.role}"


class StaffMember(OrgScopedModel):
    class Credential(models.TextChoices):
        RN = "RN", "Registered nurse (RN)"
        LPN = "LPN", "Licensed practical nurse (LPN)"
        NP = "NP", "Nurse practitioner (NP)"
        MD = "MD", "Physician (MD)"
        DO = "DO", "Physician (DO)"
        PA = "PA", "Physician assistant (PA)"
        MA = "MA", "Medical assistant (MA)"
        PHARMD = "PharmD", "Pharmacist (PharmD)"
        CPHT = "CPhT", "Certified pharmacy technician (CPhT)"
        NONE = "", "None (non-clinical)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_profiles",
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    job_title = models.CharField(max_length=120, blank=True)
    credential = models.CharField(max_length=8, choices=Credential.choices, blank=True)
    npi = models.CharField("NPI", max_length=10, blank=True)
    license_state = models.CharField(max_length=2, blank=True)
    license_number = models.CharField(max_length=40, blank=True)
    license_expires = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    home_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        suffix = f", {self.credential}" if self.credential else ""
        return f"{self.first_name} {self.last_name}{suffix}"

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()

    LICENSED = frozenset({"RN", "LPN", "NP", "MD", "DO", "PA", "PharmD"})
    PRESCRIBERS = frozenset({"NP", "MD", "DO", "PA"})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.npi and not is_valid_npi(self.npi):
            errors["npi"] = "This is not a valid NPI: 10 digits with a correct check digit."
        if self.credential in self.PRESCRIBERS and not self.npi:
            errors["npi"] = "Physicians, NPs and PAs need an NPI (it goes on claims)."
        if self.credential in self.LICENSED and not (self.license_state and self.license_number):
            errors["license_number"] = "A licensed credential needs its license state and number."
        if errors:
            raise ValidationError(errors)


class Competency(BaseModel):
    class Skill(models.TextChoices):
        PIV = "piv_insertion", "Peripheral IV insertion"
        CHEMO_BIO = "chemo_biologic", "Chemotherapy / biologic administration"
        CENTRAL_LINE = "central_line", "Central line / port access"
        HYPERSENSITIVITY = "hypersensitivity", "Hypersensitivity reaction management"
        BLS = "bls", "Basic life support (BLS)"
        ACLS = "acls", "Advanced cardiac life support (ACLS)"
        USP797 = "usp797", "Sterile compounding (USP <797>)"

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="competencies")
    skill = models.CharField(max_length=32, choices=Skill.choices)
    verified_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["skill"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "skill"], name="uniq_competency_skill"),
        ]

    def __str__(self) -> str:
        return self.get_skill_display()
