from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from chairside.compounding.tests import factories as cf
from chairside.inventory.tests import factories as inv
from tests import factories as f


@pytest.fixture
def drug(org: Any) -> Any:
    return inv.make_drug(org)  # infliximab 100 mg single-dose vials


@pytest.fixture
def fridge(location: Any) -> Any:
    return inv.make_place(location, "Pharmacy refrigerator")


@pytest.fixture
def lot(fridge: Any, drug: Any) -> Any:
    return inv.make_lot(fridge, inv.package(drug), vials=10, lot_number="RX100")


@pytest.fixture
def area(location: Any) -> Any:
    return cf.make_area(location)


@pytest.fixture
def formulation(org: Any, drug: Any) -> Any:
    return cf.make_formulation(org, drug)


@pytest.fixture
def technician(org: Any) -> Any:
    """The preparer: a pharmacy technician with the pharmacy role."""
    user = f.make_user(org, "pharmacist", "ltech")
    cf.make_staff(org, user, "CPhT", "Luis", "Ortega")
    return user


@pytest.fixture
def pharmacist(org: Any) -> Any:
    """The verifier: a licensed pharmacist."""
    user = f.make_user(org, "pharmacist", "gkim")
    cf.make_staff(org, user, "PharmD", "Grace", "Kim")
    return user


@pytest.fixture
def kit(formulation: Any, patient: Any, area: Any, lot: Any, technician: Any) -> SimpleNamespace:
    """What compounding one dose needs: the formulation, patient, area, lot and preparer."""
    return SimpleNamespace(
        formulation=formulation, patient=patient, area=area, lot=lot, technician=technician
    )
