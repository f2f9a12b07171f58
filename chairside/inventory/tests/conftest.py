from __future__ import annotations

from typing import Any

import pytest

from chairside.inventory.tests import factories as inv
from tests import factories as f


@pytest.fixture
def drug(org: Any) -> Any:
    return inv.make_drug(org)


@pytest.fixture
def pkg(drug: Any) -> Any:
    return inv.package(drug)


@pytest.fixture
def fridge(location: Any) -> Any:
    return inv.make_place(location, "Main fridge")


@pytest.fixture
def vendor(org: Any) -> Any:
    return inv.make_vendor(org, name="Demo Specialty Distribution")


@pytest.fixture
def pharmacist(org: Any) -> Any:
    return f.make_user(org, "pharmacist")


@pytest.fixture
def pharmacist_client(pharmacist: Any) -> Any:
    return f.login(pharmacist)


@pytest.fixture
def nurse_client(org: Any) -> Any:
    return f.login(f.make_user(org, "nurse"))


@pytest.fixture
def lot(fridge: Any, pkg: Any, vendor: Any, pharmacist: Any) -> Any:
    return inv.make_lot(fridge, pkg, vials=10, vendor=vendor, user=pharmacist, lot_number="A100")
