"""The shared factories make objects the models accept (``full_clean``), scoped to one
organization, and each call makes a new one."""

from __future__ import annotations

from decimal import Decimal

import factory
import pytest

from chairside.inventory.models import Vendor
from chairside.rules.common.npi import is_valid_npi
from chairside.tenancy.models import OpeningHours
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_location_opens_every_day_and_has_the_chairs_asked_for() -> None:
    location = f.make_location(f.make_org(), chairs=3)
    location.full_clean()
    assert OpeningHours.objects.filter(location=location).count() == 7
    assert list(location.chairs.values_list("name", flat=True)) == ["C01", "C02", "C03"]


def test_make_user_gives_a_membership_a_password_and_two_factor_by_role() -> None:
    org = f.make_org()
    admin = f.make_user(org, "admin", "ada")
    assert admin.username == "ada"
    assert admin.check_password(f.TEST_PASSWORD)
    assert admin.memberships.get().organization == org
    without = f.make_user(org, "admin", two_factor=False)
    assert without.username.startswith("admin")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert TOTPDevice.objects.filter(user=without).count() == 0


def test_patients_get_new_record_numbers_and_an_optional_weight() -> None:
    org = f.make_org()
    one, two = f.make_patient(org, weight_kg="70.0"), f.make_patient(org)
    assert one.mrn != two.mrn
    assert one.measurements.get().weight_kg == Decimal("70.0")
    assert not two.measurements.exists()
    coverage = f.make_coverage(one, f.make_payer(org))
    assert coverage.payer.organization == org


def test_staff_are_valid_for_their_credential() -> None:
    org = f.make_org()
    md = f.StaffMemberFactory.create(organization=org, credential="MD")
    md.full_clean()
    assert is_valid_npi(md.npi)
    driver = f.StaffMemberFactory.create(organization=org, credential="")
    assert (driver.license_state, driver.license_number, driver.npi) == ("", "", "")
    nurse = f.StaffMemberFactory.create(organization=org, competencies={"bls": None})
    nurse.full_clean()
    assert list(nurse.competencies.values_list("skill", flat=True)) == ["bls"]


def test_an_order_builds_its_drug_and_provider_in_the_patient_organization() -> None:
    patient = f.make_patient(f.make_org())
    order = f.TreatmentOrderFactory.create(patient=patient)
    assert order.organization == order.drug.organization == patient.organization
    assert order.ordering_provider.organization == patient.organization
    assert is_valid_npi(order.ordering_provider.npi)
    assert order.dose_mg_per_kg == Decimal(5)
    flat = f.TreatmentOrderFactory.create(patient=patient, dose_mg=Decimal(300))
    assert flat.dose_mg_per_kg is None
    assert flat.drug.key != order.drug.key


def test_a_lot_is_received_from_a_vendor_or_as_the_patient_s_own_supply() -> None:
    location = f.make_location(f.make_org())
    drug = f.DrugFactory.create(
        organization=location.organization,
        packages=[("57894003001", "100 mg lyophilized powder, single-dose vial", "100")],
    )
    place = f.StoragePlaceFactory.create(location=location)
    lot = f.LotFactory.create(storage_place=place, package=drug.packages.get(), vials=4)
    assert lot.organization == location.organization
    assert lot.vendor is not None
    assert lot.cost_per_vial == Decimal("330.00")
    own = f.LotFactory.create(
        storage_place=place, package=drug.packages.get(), patient=f.make_patient(place.organization)
    )
    assert own.vendor is None
    assert own.cost_per_vial == 0  # the patient's own supply costs the center nothing


def test_a_vendor_is_found_again_by_name_and_overrides_take_declarations() -> None:
    org = f.make_org()
    one = f.VendorFactory.create(organization=org, name="Specialty Distributor (test)")
    assert f.VendorFactory.create(organization=org, name="Specialty Distributor (test)") == one
    assert Vendor.objects.filter(organization=org).count() == 1
    named = f.StaffMemberFactory.create(
        organization=org, first_name=factory.Sequence(lambda n: f"Field{n}")
    )
    assert named.first_name.startswith("Field")


def test_a_shift_is_at_the_nurse_s_organization() -> None:
    shift = f.NurseShiftFactory.create()
    assert shift.organization == shift.staff.organization == shift.location.organization
    shift.full_clean()
