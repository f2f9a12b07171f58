"""Required labs and lab results refer to the coded list (issue 13 item 6)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.apps import apps
from django.urls import reverse

from chairside.access.referrals.selectors import labs_due
from chairside.access.referrals.tests import factories as rf
from chairside.patients.models import LabResult
from chairside.patients.services import lab_result_record
from tests import factories as f
from tests.factories import someone

DOSE_DAY = dt.date(2026, 1, 12)


def _record(patient: Any, name: str) -> Any:
    return lab_result_record(
        patient=patient, user=someone(), lab_name=name, result_on=dt.date(2025, 6, 1)
    )


def test_the_formulary_and_the_order_carry_the_codes(patient: Any) -> None:
    order = rf.make_order(patient, "infliximab")
    assert dict(order.required_labs.values_list("name", "code")) == {
        "Hepatitis B virus screening": "hbv-screen",
        "Tuberculosis screening (TST or IGRA)": "tb-screen",
    }


def test_a_result_under_another_name_for_the_same_test_counts(patient: Any) -> None:
    """Before, only the exact text "Tuberculosis screening (TST or IGRA)" cleared it."""
    order = rf.make_order(patient, "infliximab")
    result = _record(patient, "QuantiFERON-TB Gold")
    assert result.code == "tb-screen"
    assert [d.name for d in labs_due(order=order, on_date=DOSE_DAY)] == [
        "Hepatitis B virus screening"
    ]
    _record(patient, "Hepatitis B panel")
    assert labs_due(order=order, on_date=DOSE_DAY) == []


def test_one_part_of_a_panel_does_not_clear_the_panel(patient: Any) -> None:
    order = rf.make_order(patient, "infliximab")
    _record(patient, "HBsAg")  # surface antigen only; the screening needs anti-HBc too
    assert "Hepatitis B virus screening" in [
        d.name for d in labs_due(order=order, on_date=DOSE_DAY)
    ]


def test_an_uncoded_lab_still_matches_by_its_exact_name(patient: Any) -> None:
    order = rf.make_order(patient, "natalizumab")
    jcv = order.required_labs.get(name__startswith="Anti-JCV")
    assert jcv.code == ""  # not on the coded list: kept, uncoded
    _record(patient, "JCV antibody")  # another wording: not matched, still never recorded
    [due] = [d for d in labs_due(order=order, on_date=DOSE_DAY) if d.name == jcv.name]
    assert due.last_on is None
    _record(patient, "anti-JCV antibody (with index)")  # the same name, any case: matched
    [due] = [d for d in labs_due(order=order, on_date=DOSE_DAY) if d.name == jcv.name]
    assert due.last_on == dt.date(2025, 6, 1)  # found (due again: JCV repeats every 180 days)


def test_the_migration_codes_known_free_text_and_keeps_the_rest(patient: Any) -> None:
    known = LabResult.objects.create(
        patient=patient, lab_name="Tuberculosis screening (TST or IGRA)", result_on=DOSE_DAY
    )
    unknown = LabResult.objects.create(
        patient=patient, lab_name="Anti-JCV antibody (with index)", result_on=DOSE_DAY
    )
    migration = importlib.import_module("chairside.patients.migrations.0005_lab_code")
    migration.code_existing(apps, None)
    known.refresh_from_db()
    unknown.refresh_from_db()
    assert known.code == "tb-screen"
    assert unknown.code == "" and unknown.lab_name == "Anti-JCV antibody (with index)"


def test_the_order_page_shows_the_loinc_codes_and_warns_of_uncoded_labs(
    org: Any, patient: Any
) -> None:
    client = f.login(f.make_user(org, "coordinator"))
    order = rf.make_order(patient, "natalizumab")
    html = client.get(reverse("referrals:order", args=[order.public_id])).content.decode()
    assert ">uncoded</span>" in html  # anti-JCV: not on the list
    infliximab = rf.make_order(f.make_patient(org, weight_kg="70.0"), "infliximab")
    html = client.get(reverse("referrals:order", args=[infliximab.public_id])).content.decode()
    assert "LOINC 71773-6" in html and "LOINC 5196-1 + 16933-4" in html


def test_recording_an_uncoded_result_warns(org: Any, patient: Any) -> None:
    client = f.login(f.make_user(org, "nurse"))
    url = reverse("referrals:lab_add", args=[patient.public_id])
    page = client.get(url).content.decode()
    assert '<option value="Tuberculosis screening (IGRA, e.g. QuantiFERON, or TST)">' in page
    response = client.post(
        url,
        {"lab_name": "Vitamin D", "result_on": "2026-01-05", "interpretation": "recorded"},
        follow=True,
    )
    assert "recorded, uncoded" in response.content.decode()
