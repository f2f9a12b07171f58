"""What a home nursing visit needs before the nurse signs it (no database)."""

from __future__ import annotations

from dataclasses import replace

from chairside.rules.clinical.home_visit import HomeVisitState, missing_for_signing

DONE = HomeVisitState(
    arrived=True,
    departed=True,
    vitals_sets=1,
    administrations=1,
    running_administrations=0,
    open_reactions=0,
    notes="",
)


def test_a_documented_visit_misses_nothing() -> None:
    assert missing_for_signing(DONE) == []


def test_an_empty_visit_misses_every_item_in_the_order_of_the_visit() -> None:
    empty = HomeVisitState(False, False, 0, 0, 0, 0, "")
    assert missing_for_signing(empty) == [
        "Record the time you arrived at the home.",
        "Record at least one set of vital signs.",
        "No dose recorded: say in the notes what the visit was for.",
        "Record the time you left the home.",
    ]


def test_a_visit_without_a_dose_needs_notes_saying_what_it_was_for() -> None:
    no_dose = replace(DONE, administrations=0)
    assert missing_for_signing(no_dose) == [
        "No dose recorded: say in the notes what the visit was for."
    ]
    assert missing_for_signing(replace(no_dose, notes="PICC dressing change")) == []


def test_a_running_dose_and_an_open_reaction_stop_signing() -> None:
    found = missing_for_signing(replace(DONE, running_administrations=1, open_reactions=1))
    assert found == [
        "Record the stop time of every administration.",
        "Record the outcome of every reaction.",
    ]


def test_a_suite_visit_names_the_suite_not_the_home() -> None:
    state = HomeVisitState(
        arrived=False,
        departed=False,
        vitals_sets=1,
        administrations=1,
        running_administrations=0,
        open_reactions=0,
        notes="",
        in_suite=True,
    )
    assert missing_for_signing(state) == [
        "Record the time you arrived at the infusion suite.",
        "Record the time you left the infusion suite.",
    ]
