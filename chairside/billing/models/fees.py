"""Billing settings and prices: the billing profile, the charge master, the CMS ASP files,
drug acquisition prices (WAC and cost), and each payer's contract."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from chairside.core.models import BaseModel, OrgScopedModel
from chairside.rules.billing import home_infusion_billing as home_billing
from chairside.rules.billing import home_infusion_suite as suite
from chairside.rules.billing.place_of_service import PLACES_OF_SERVICE
from chairside.rules.common.npi import is_valid_npi

PERCENT_RANGE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))]

# Days to appeal after the remittance, when the contract does not say: Medicare Part B
# redetermination requests are due within 120 days of receiving the initial determination
# (42 CFR 405.942(a)). Other payers set their own window in the provider contract; 90 days
# is a cautious default until the contract's figure is entered.
MEDICARE_APPEAL_DAYS = 120
DEFAULT_APPEAL_DAYS = 90


class BillingProfile(OrgScopedModel):
    """How the organization bills: the 837P billing provider, submitter and receiver, and
    the cost assumptions the margin reports use. One per organization."""

    billing_name = models.CharField(max_length=120)
    npi = models.CharField("billing (group) NPI", max_length=10, blank=True)
    tax_id = models.CharField("tax ID (EIN)", max_length=10, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(
        "ZIP+4", max_length=10, blank=True, help_text="The 837P needs all nine digits."
    )
    submitter_id = models.CharField(
        "submitter ID", max_length=15, blank=True, help_text="Given by the clearinghouse."
    )
    contact_name = models.CharField(max_length=60, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    receiver_name = models.CharField("clearinghouse", max_length=60, blank=True)
    receiver_id = models.CharField("clearinghouse ID", max_length=15, blank=True)
    production = models.BooleanField(
        default=False, help_text="Off: files are marked as test data (ISA15 = T)."
    )
    supplies_cost_per_visit = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0)
    )
    nurse_cost_per_hour = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who works new denials when the claim has no assignee.",
    )
    crossover_follow_up_days = models.PositiveSmallIntegerField(
        "crossover follow-up (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A claim Medicare crossed over goes on the follow-up queue when the "
        "supplemental payer has not paid within this many days.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="uniq_billing_profile"),
        ]

    def __str__(self) -> str:
        return f"Billing profile of {self.billing_name}"

    def clean(self) -> None:
        if self.npi and not is_valid_npi(self.npi):
            raise ValidationError({"npi": "This is not a valid NPI (10 digits, check digit)."})
        digits = "".join(ch for ch in self.postal_code if ch.isdigit())
        if self.postal_code and len(digits) != 9:
            raise ValidationError({"postal_code": "Give the ZIP+4: nine digits, e.g. 19000-1234."})


class ChargeMasterItem(OrgScopedModel):
    """The center's own price per unit for a code: the charge on the claim (SV102)."""

    code = models.CharField("CPT/HCPCS code", max_length=5)
    description = models.CharField(max_length=120, blank=True)
    price_per_unit = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    revenue_code = models.CharField(
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{4}$", "A revenue code has four digits (e.g. 0636).")],
        help_text="UB-04 revenue code (FL 42) for institutional claims; empty: the standard "
        "one (0636 drugs, 0335/0331 chemotherapy, 0260 IV therapy, 0510 clinic).",
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_chargemaster"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.price_per_unit}"


class AspPricingFile(OrgScopedModel):
    """One imported quarterly CMS ASP pricing file (or the demo sample in its layout)."""

    title = models.CharField(max_length=200)
    filename = models.CharField(max_length=200)
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    row_count = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-effective_from", "-created_at"]

    def __str__(self) -> str:
        return self.title


class AspPrice(BaseModel):
    file = models.ForeignKey(AspPricingFile, on_delete=models.CASCADE, related_name="prices")
    hcpcs = models.CharField(max_length=5)
    short_description = models.CharField(max_length=120, blank=True)
    dosage = models.CharField("HCPCS code dosage", max_length=40, blank=True)
    payment_limit = models.DecimalField(max_digits=12, decimal_places=3)
    coinsurance_percent = models.DecimalField(
        "co-insurance percentage",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The file's Part B coinsurance for the quarter when below 20% (inflation "
        "rebate, Social Security Act §1847A(i)); empty: 20%.",
    )

    class Meta:
        ordering = ["hcpcs"]
        constraints = [
            models.UniqueConstraint(fields=["file", "hcpcs"], name="uniq_asp_price"),
        ]

    def __str__(self) -> str:
        return f"{self.hcpcs} {self.payment_limit}"


class DrugPrice(OrgScopedModel):
    """What a drug costs per HCPCS billing unit: the WAC (list price, for percent-of-WAC
    contracts) and the center's acquisition cost (to estimate the margin of visits whose
    dispensed lots are not recorded)."""

    hcpcs = models.CharField(max_length=5)
    wac_per_unit = models.DecimalField(
        "WAC per billing unit", max_digits=12, decimal_places=4, null=True, blank=True
    )
    acquisition_cost_per_unit = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["hcpcs"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hcpcs"], name="uniq_drug_price"),
        ]

    def __str__(self) -> str:
        return f"{self.hcpcs} WAC {self.wac_per_unit}"


class PayerContract(OrgScopedModel):
    """What a payer pays: drugs by a basis (percent of the ASP payment limit, percent of WAC,
    or a fixed rate per unit), administration fees per CPT, the patient's coinsurance, and
    the rules the claim check and denials follow."""

    class Basis(models.TextChoices):
        ASP = "asp", "% of the ASP payment limit"
        WAC = "wac", "% of WAC"
        FIXED = "fixed", "Fixed rate per unit"

    payer = models.ForeignKey("patients.Payer", on_delete=models.PROTECT, related_name="+")
    drug_basis = models.CharField(max_length=8, choices=Basis.choices, default=Basis.ASP)
    drug_percent = models.DecimalField(
        "drug percent",
        max_digits=6,
        decimal_places=2,
        validators=PERCENT_RANGE,
        default=Decimal(100),
        help_text="e.g. 100 = the Medicare rate",
    )
    drug_rate = models.DecimalField(
        "fixed rate per unit", max_digits=12, decimal_places=4, null=True, blank=True
    )
    patient_share_percent = models.DecimalField(
        "patient coinsurance %",
        max_digits=6,
        decimal_places=2,
        validators=PERCENT_RANGE,
        default=Decimal(20),
    )
    secondary_covers_percent = models.DecimalField(
        "as secondary, pays % of the patient share",
        max_digits=6,
        decimal_places=2,
        validators=PERCENT_RANGE,
        default=Decimal(100),
    )
    requires_prior_authorization = models.BooleanField(
        default=True,
        help_text="Claims for drugs that usually need prior authorization are blocked "
        "without the authorization number.",
    )
    # Home infusion at the pharmacy's own infusion suite (rules.home_infusion_suite): the
    # public sources leave the place of service and the nurse's time to the contract.
    suite_place_of_service = models.CharField(
        "infusion suite place of service",
        max_length=2,
        choices=[(p, f"{p} {PLACES_OF_SERVICE[p].name}") for p in suite.SUITE_PLACES],
        default=suite.DEFAULT_SUITE_POS,
        help_text="Home infusion visits at the pharmacy's own suite (per diem with modifier "
        "SS). 49 unless the contract says otherwise.",
    )
    suite_nursing = models.CharField(
        "infusion suite nursing",
        max_length=8,
        choices=[
            (suite.NURSING_INCLUDED, "Included in the per diem (not billed)"),
            (suite.NURSING_BILLED, "Billed as 99601/99602 with modifier SS"),
        ],
        default=suite.NURSING_INCLUDED,
        help_text="Whether this payer pays the suite nurse's time separately.",
    )
    per_diem_coding = models.CharField(
        "home infusion per diem codes",
        max_length=8,
        choices=[
            (home_billing.PER_DIEM_SCALE, "By dosing interval or daily volume (S9500-S9504, …)"),
            (home_billing.PER_DIEM_WHOLE_THERAPY, "One code per therapy (S9494, S9373, S9364)"),
        ],
        default=home_billing.PER_DIEM_SCALE,
        help_text="How this payer wants the anti-infective, hydration and TPN per diem coded "
        "(its policy names the codes it pays).",
    )
    appeal_window_days = models.PositiveSmallIntegerField(
        default=DEFAULT_APPEAL_DAYS, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    notes = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["payer__name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "payer"], name="uniq_payer_contract"),
            models.CheckConstraint(
                condition=~Q(drug_basis="fixed") | Q(drug_rate__isnull=False),
                name="contract_fixed_needs_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"Contract with {self.payer}"

    def clean(self) -> None:
        if self.drug_basis == self.Basis.FIXED and self.drug_rate is None:
            raise ValidationError({"drug_rate": "A fixed-rate contract needs its rate per unit."})


class ContractDrugRate(BaseModel):
    """A per-drug exception to the contract's drug basis."""

    contract = models.ForeignKey(PayerContract, on_delete=models.CASCADE, related_name="drugs")
    hcpcs = models.CharField(max_length=5)
    basis = models.CharField(max_length=8, choices=PayerContract.Basis.choices)
    percent = models.DecimalField(
        max_digits=6, decimal_places=2, validators=PERCENT_RANGE, default=Decimal(100)
    )
    rate = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["hcpcs"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "hcpcs"], name="uniq_contract_drug"),
            models.CheckConstraint(
                condition=~Q(basis="fixed") | Q(rate__isnull=False), name="drug_rate_fixed_rate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hcpcs} {self.basis}"


class ContractAdminFee(BaseModel):
    """The payer's fee per unit of an administration code (96413 …)."""

    contract = models.ForeignKey(PayerContract, on_delete=models.CASCADE, related_name="admin_fees")
    cpt = models.CharField("CPT code", max_length=5)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        ordering = ["cpt"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "cpt"], name="uniq_contract_admin_fee"),
        ]

    def __str__(self) -> str:
        return f"{self.cpt} {self.amount}"


class PayerDrugCategory(OrgScopedModel):
    """A payer's own administration category for a drug, over the formulary's.

    Many Medicare contractors pay monoclonal antibodies such as infliximab as complex
    administration (96413), while some commercial payers want the therapeutic codes (96365) for the
    same drug (see ``rules.billing.payer_categories`` for the sources). Charges derived for a claim
    whose primary payer has a row here use its category for that drug.
    """

    class Category(models.TextChoices):
        CHEMO = "chemo", "Chemotherapy/complex (96413 family)"
        THERAPEUTIC = "therapeutic", "Therapeutic (96365 family)"

    payer = models.ForeignKey("patients.Payer", on_delete=models.PROTECT, related_name="+")
    drug = models.ForeignKey("formulary.Drug", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=16, choices=Category.choices)
    note = models.CharField(
        max_length=200, blank=True, help_text="The payer's policy or contract clause."
    )

    class Meta:
        ordering = ["payer__name", "drug__generic_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "payer", "drug"], name="uniq_payer_drug_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} for {self.payer}: {self.get_category_display()}"


class MueTable(OrgScopedModel):
    """One imported CMS practitioner MUE table (values by code), or none: the shipped file."""

    filename = models.CharField(max_length=200)
    file_date = models.DateField(null=True, blank=True, help_text="The quarter it applies from.")
    source = models.CharField(max_length=300, blank=True)
    values = models.JSONField(default=dict)
    skipped = models.JSONField(default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-file_date", "-created_at"]

    def __str__(self) -> str:
        return f"MUE table {self.file_date or self.filename}"
