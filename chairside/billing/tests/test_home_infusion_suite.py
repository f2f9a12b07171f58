"""Home infusion visits at the pharmacy's own infusion suite, billed by the payer contract's
suite terms: the per diem with SS at the suite's place of service, the nurse's time
included or billed; the contract page saves the terms; suite visits are not routed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chairside.billing.models import PayerContract
from chairside.billing.services import home_charges_derive
from chairside.billing.tests.test_home_infusion import claim_of, home_world
from chairside.homecare import services as homecare
from chairside.homecare.models import HomeVisit
from chairside.homecare.tests import factories as hf
from tests import factories as f

pytestmark = pytest.mark.django_db


def with_suite_visit(org: Any) -> tuple[Any, dt.date, list[dt.date]]:
    """home_world plus a signed 200-minute visit at the suite on the second delivery day."""
    patient, location, month, days, _t = home_world(org)
    visit = hf.make_visit(patient, location, days[1], duration_minutes=200)
    HomeVisit.objects.filter(pk=visit.pk).update(
        status=HomeVisit.Status.COMPLETED,
        nurse=hf.make_staff(org),
        setting=HomeVisit.Setting.SUITE,
    )
    return patient, month, days


def rows(encounter: Any) -> list[tuple[Any, ...]]:
    return [
        (x.code, x.units, x.modifiers, x.place_of_service, x.date_of_service)
        for x in encounter.current_lines.order_by("date_of_service", "position")
    ]


def test_by_default_the_suite_day_bills_the_per_diem_with_ss_at_pos_49(org: Any) -> None:
    patient, month, days = with_suite_visit(org)
    encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
    assert rows(encounter) == [
        ("S9502", 1, "", "12", days[0]),
        ("99601", 1, "", "12", days[0]),
        ("S9502", 1, "SS", "49", days[1]),  # the suite nurse is inside the per diem
    ]
    assert claim_of(encounter).problems == []


def test_a_payer_that_pays_the_suite_nurse_gets_99601_99602_with_ss(org: Any) -> None:
    patient, month, days = with_suite_visit(org)
    PayerContract.objects.filter(organization=org).update(
        suite_nursing="billed", suite_place_of_service="11"
    )
    encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
    assert rows(encounter)[2:] == [
        ("S9502", 1, "SS", "11", days[1]),
        ("99601", 1, "SS", "11", days[1]),
        ("99602", 1, "SS", "11", days[1]),
    ]


def test_the_contract_page_saves_the_suite_terms_and_refuses_unknown_ones(org: Any) -> None:
    with_suite_visit(org)
    contract = PayerContract.objects.get(organization=org)
    client = f.login(f.make_user(org, "biller"))
    url = f"/billing/contracts/{contract.public_id}/"
    page = client.get(url)
    assert page.status_code == 200 and "infusion suite" in page.content.decode()
    form = {
        "drug_basis": "asp",
        "drug_percent": "120",
        "patient_share_percent": "0",
        "secondary_covers_percent": "100",
        "requires_prior_authorization": "on",
        "appeal_window_days": "180",
        "suite_place_of_service": "21",
        "suite_nursing": "billed",
    }
    assert client.post(url, form).status_code == 400
    contract.refresh_from_db()
    assert (contract.suite_place_of_service, contract.suite_nursing) == ("49", "included")
    assert client.post(url, {**form, "suite_place_of_service": "11"}).status_code == 302
    contract.refresh_from_db()
    assert (contract.suite_place_of_service, contract.suite_nursing) == ("11", "billed")
    assert contract.per_diem_coding == "scale"  # not posted: the default is kept


def test_the_contract_page_saves_the_per_diem_coding(org: Any) -> None:
    patient, month, _days = with_suite_visit(org)
    contract = PayerContract.objects.get(organization=org)
    client = f.login(f.make_user(org, "biller"))
    url = f"/billing/contracts/{contract.public_id}/"
    assert "One code per therapy (S9494" in client.get(url).content.decode()
    form = {
        "drug_basis": "asp",
        "drug_percent": "100",
        "patient_share_percent": "20",
        "secondary_covers_percent": "100",
        "appeal_window_days": "180",
        "per_diem_coding": "hourly",
    }
    assert client.post(url, form).status_code == 400
    contract.refresh_from_db()
    assert contract.per_diem_coding == "scale"
    assert client.post(url, {**form, "per_diem_coding": "therapy"}).status_code == 302
    contract.refresh_from_db()
    assert contract.per_diem_coding == "therapy"
    encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
    # The suite day keeps its SS and place of service under the whole-therapy code.
    assert [r[:3] for r in rows(encounter) if r[0].startswith("S")] == [
        ("S9494", 1, ""),
        ("S9494", 1, "SS"),
    ]


def test_a_suite_visit_is_booked_but_never_routed(org: Any) -> None:
    location = hf.make_home_location(org)
    patient = hf.make_home_patient(org, location)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    nurse = hf.make_staff(org)
    hf.make_shift(location, nurse, tomorrow, "nurse")
    booking = {
        "organization": org,
        "user": None,
        "patient": patient,
        "location": location,
        "date": tomorrow,
        "window_start": dt.time(9),
        "window_end": dt.time(11),
        "setting": "suite",
    }
    with pytest.raises(ValidationError, match="choose its nurse"):
        homecare.visit_create(**booking)
    suite = homecare.visit_create(**booking, nurse=nurse)
    home = hf.make_visit(patient, location, tomorrow)
    plan = homecare.route_propose(organization=org, user=None, location=location, date=tomorrow)
    homecare.route_accept(organization=org, user=None, plan=plan)
    suite.refresh_from_db()
    home.refresh_from_db()
    assert home.planned_at is not None
    assert suite.setting == "suite" and suite.planned_at is None and suite.route_plan is None


def test_the_today_card_does_not_call_a_suite_visit_unrouted(org: Any) -> None:
    location = hf.make_home_location(org)
    patient = hf.make_home_patient(org, location)
    booking: dict[str, Any] = {
        "organization": org,
        "user": None,
        "patient": patient,
        "location": location,
    }
    window: dict[str, Any] = {"window_start": dt.time(9), "window_end": dt.time(11)}
    today = timezone.localdate()
    homecare.visit_create(
        **booking, **window, date=today, setting="suite", nurse=hf.make_staff(org)
    )
    response = f.login(f.make_user(org, "coordinator")).get("/")
    card = next(c for c in response.context["cards"] if c.title == "Home-care stops today")
    assert (card.count, card.hint) == (1, "All on a route")
    hf.make_visit(patient, location, today)  # a home visit not yet routed still shows
    response = f.login(f.make_user(org, "coordinator")).get("/")
    card = next(c for c in response.context["cards"] if c.title == "Home-care stops today")
    assert (card.count, card.hint) == (2, "1 not on an accepted route")


def test_the_visit_page_says_the_suite(org: Any) -> None:
    nurse_user = f.make_user(org, "nurse")
    location = hf.make_home_location(org)
    patient = hf.make_home_patient(org, location)
    visit = homecare.visit_create(
        organization=org,
        user=None,
        patient=patient,
        location=location,
        date=timezone.localdate(),
        window_start=dt.time(9),
        window_end=dt.time(11),
        setting="suite",
        nurse=hf.make_staff(org, user=nurse_user),
    )
    page = f.login(nurse_user).get(f"/homecare/visits/{visit.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "At the pharmacy's infusion suite" in text
    assert patient.home_address.address not in text  # not the home: no address, no gate code


def test_the_month_page_counts_the_suite_visits_and_their_ss_lines(org: Any) -> None:
    patient, month, _days = with_suite_visit(org)
    PayerContract.objects.filter(organization=org).update(suite_nursing="billed")
    home_charges_derive(organization=org, patient=patient, month=month, user=None)
    client = f.login(f.make_user(org, "biller"))
    url = "/billing/home-infusion/"
    page = client.get(url, {"month": f"{month:%Y-%m}"}).content.decode()
    assert "At the suite" in page and "3 lines with SS" in page  # S9502, 99601, 99602
    export = client.get(url, {"month": f"{month:%Y-%m}", "format": "csv"})
    body = b"".join(export.streaming_content) if export.streaming else export.content  # type: ignore[attr-defined]
    header, line = [row for row in body.decode().splitlines() if "," in row][:2]
    values = dict(zip(header.split(","), line.split(","), strict=False))
    assert (values["suite_visits"], values["suite_ss_lines"]) == ("1", "3")
