"""Billing's handlers for the earlier steps' events (registered in ``BillingConfig.ready()``):
a signed visit's claim lines are derived in the sign-off transaction, a documented home
infusion delivery or visit derives its billed month again, and the access step's
cost estimate reads the ASP file's reduced coinsurance from billing's price book."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chairside.access.authorizations.events import Coinsurance, on_reduced_coinsurance
from chairside.billing.pricing import PriceBook
from chairside.billing.services import charges_derive_for_visit, home_charges_after_documentation
from chairside.homecare.events import on_home_service_documented
from chairside.treatments.events import on_visit_signed

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@on_visit_signed
def derive_charges(visit: Any, user: User) -> None:
    """``rules.billing.charges`` names this seam: billing derives the claim lines from
    ``visit_encounter_facts``."""
    charges_derive_for_visit(visit=visit, user=user)


@on_reduced_coinsurance
def asp_coinsurance(organization: Any) -> Coinsurance:
    """The inflation rebate's reduced Part B coinsurance (SSA §1847A(i)(5)) in the ASP file."""
    return PriceBook(organization).asp_coinsurance


@on_home_service_documented
def home_documented(organization: Any, patient: Any, day: Any, user: User) -> None:
    """A proof of delivery or a signed home visit keeps a billed home infusion month current
    (``services.home_infusion``)."""
    home_charges_after_documentation(organization, patient, day, user)
