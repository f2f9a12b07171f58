from __future__ import annotations

from dataclasses import replace
from datetime import date

from chairside.rules.clinical.plan_of_care import (
    TEACHING_TOPICS,
    OrderFacts,
    PlanFacts,
    missing_items,
)

TODAY = date(2026, 12, 7)
VANCO = OrderFacts(
    label="Vancomycin",
    therapy_type="iv_antibiotic",
    drug_name="Vancomycin",
    last_day=date(2026, 12, 31),
    access_device="picc",
    administration_device="elastomeric",
)
COMPLETE = PlanFacts(
    signed_on=date(2026, 12, 1),
    review_due_on=date(2026, 12, 31),
    goals="Complete 6 weeks of IV vancomycin; resolution of osteomyelitis.",
    allergies="Penicillin (hives)",
    no_known_allergies=False,
    access_device="picc",
    access_inserted_on=date(2026, 11, 30),
    pump="Elastomeric 100 mL/h (demo)",
    monitoring_labs=[
        ("CBC with differential", "weekly"),
        ("BMP", "weekly"),
        ("Vancomycin trough", "weekly"),
    ],
    emergency_phone="(555) 010-4001",
    anaphylaxis_kit=True,
    caregiver_name="Ana Lopez",
    caregiver_relationship="Daughter",
    caregiver_phone="(555) 010-2222",
    discharge_plan="PICC removed after the last dose.",
    orders=[VANCO],
    competent_topics=frozenset(TEACHING_TOPICS),
)


def codes(facts: PlanFacts, today: date = TODAY) -> list[str]:
    return [g.code for g in missing_items(facts, today)]


def test_a_complete_plan_has_no_gaps() -> None:
    assert missing_items(COMPLETE, TODAY) == []


def test_unsigned_plan_is_named_first_with_its_source() -> None:
    gaps = missing_items(replace(COMPLETE, signed_on=None), TODAY)
    assert [g.code for g in gaps] == ["signature"]
    assert gaps[0].message == "The physician has not signed the plan of care."
    assert "486.520" in gaps[0].source


def test_review_missing_or_overdue() -> None:
    assert codes(replace(COMPLETE, review_due_on=None)) == ["review"]
    overdue = missing_items(replace(COMPLETE, review_due_on=date(2026, 12, 6)), TODAY)
    assert overdue[0].message == "The plan's review was due 12/06/2026 and is overdue."
    assert codes(replace(COMPLETE, review_due_on=TODAY)) == []


def test_empty_medication_profile_and_open_ended_order() -> None:
    assert "orders" in codes(replace(COMPLETE, orders=[]))
    open_ended = replace(VANCO, last_day=None)
    gaps = missing_items(replace(COMPLETE, orders=[open_ended]), TODAY)
    assert [g.code for g in gaps] == ["duration"]
    assert "Vancomycin" in gaps[0].message


def test_allergies_not_documented_unless_nkda() -> None:
    assert codes(replace(COMPLETE, allergies="")) == ["allergies"]
    assert codes(replace(COMPLETE, allergies="", no_known_allergies=True)) == []


def test_access_device_and_insertion_date() -> None:
    assert codes(replace(COMPLETE, access_device="")) == ["access_device"]
    gaps = missing_items(replace(COMPLETE, access_inserted_on=None), TODAY)
    assert [g.code for g in gaps] == ["access_device"]
    assert "insertion date" in gaps[0].message
    scig = OrderFacts("Hizentra", "scig", "Hizentra", date(2027, 1, 31), "none", "sc_pump")
    sc_plan = replace(COMPLETE, access_device="none", access_inserted_on=None, orders=[scig])
    assert "access_device" not in codes(sc_plan)


def test_pump_named_when_the_therapy_runs_on_one() -> None:
    gaps = missing_items(replace(COMPLETE, pump=""), TODAY)
    assert [g.code for g in gaps] == ["pump"]
    gravity = replace(VANCO, administration_device="gravity")
    assert codes(replace(COMPLETE, pump="", orders=[gravity])) == []


def test_labs_for_antibiotics_and_vancomycin_level() -> None:
    gaps = missing_items(replace(COMPLETE, monitoring_labs=[]), TODAY)
    assert [g.code for g in gaps] == ["labs", "labs"]
    assert "CBC" in gaps[0].message
    assert "vancomycin level" in gaps[1].message
    no_trough = replace(COMPLETE, monitoring_labs=[("CBC", "weekly"), ("BMP", "weekly")])
    assert [g.message for g in missing_items(no_trough, TODAY)] == [
        "The patient is on vancomycin but the plan lists no vancomycin level (trough or AUC) "
        "with serum creatinine."
    ]
    no_freq = replace(COMPLETE, monitoring_labs=[("Vancomycin trough", ""), ("CBC", "weekly")])
    assert [g.message for g in missing_items(no_freq, TODAY)] == [
        "Say how often to draw Vancomycin trough (e.g. weekly)."
    ]


def test_hydration_needs_no_labs() -> None:
    fluids = OrderFacts(
        "Sodium chloride 0.9%", "hydration", "NS", date(2027, 1, 1), "port", "gravity"
    )
    plan = replace(COMPLETE, monitoring_labs=[], orders=[fluids], anaphylaxis_kit=False)
    assert codes(plan) == []


def test_emergency_plan() -> None:
    assert codes(replace(COMPLETE, emergency_phone=" ")) == ["emergency_phone"]
    gaps = missing_items(replace(COMPLETE, anaphylaxis_kit=False), TODAY)
    assert [g.message for g in gaps] == ["No anaphylaxis kit is in the home for Vancomycin."]


def test_caregiver() -> None:
    assert codes(replace(COMPLETE, caregiver_name="")) == ["caregiver"]
    gaps = missing_items(replace(COMPLETE, caregiver_phone="", caregiver_relationship=""), TODAY)
    assert [g.message for g in gaps] == [
        "The caregiver's relationship and phone number is missing."
    ]
    alone = replace(COMPLETE, caregiver_name="None — patient self-administers", caregiver_phone="")
    assert codes(alone) == []


def test_teaching_competency() -> None:
    none = missing_items(replace(COMPLETE, competent_topics=frozenset()), TODAY)
    assert [g.code for g in none] == ["teaching"]
    assert "No teaching with a demonstrated competency" in none[0].message
    some = replace(COMPLETE, competent_topics=frozenset(TEACHING_TOPICS) - {"storage", "disposal"})
    assert [g.message for g in missing_items(some, TODAY)] == [
        "Competency is not yet demonstrated for storage and disposal."
    ]


def test_discharge_plan_and_order_of_gaps() -> None:
    bare = PlanFacts(
        signed_on=None,
        review_due_on=None,
        goals="",
        allergies="",
        no_known_allergies=False,
        access_device="",
        access_inserted_on=None,
        pump="",
        monitoring_labs=[],
        emergency_phone="",
        anaphylaxis_kit=False,
        caregiver_name="",
        caregiver_relationship="",
        caregiver_phone="",
        discharge_plan="",
    )
    assert codes(bare) == [
        "signature",
        "review",
        "orders",
        "goals",
        "allergies",
        "access_device",
        "emergency_phone",
        "caregiver",
        "teaching",
        "discharge",
    ]
    assert all(g.message.endswith(".") and g.source for g in missing_items(bare, TODAY))
