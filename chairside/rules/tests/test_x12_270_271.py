"""X12 270/271 eligibility (005010X279A1): the 270 written, checked, and the 271 read."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pyx12

from chairside.rules.billing.charges import Person
from chairside.rules.billing.x12.x12_270 import Inquiry, build_270, service_types_for, validate_270
from chairside.rules.billing.x12.x12_271 import (
    Answer,
    EligibilityError,
    benefit_changes,
    parse_271,
    proposed_benefits,
    write_271,
)
from chairside.rules.billing.x12.x12_837p import Party

D = Decimal
NOW = dt.datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("America/New_York"))
SUBSCRIBER = Person("Doe", "Jane", dt.date(1950, 3, 1), "F")
CHILD = Person("Doe", "Tim", dt.date(2010, 5, 1), "M")
NPI = "1234567893"  # passes the Luhn check (CMS NPI check digit example)


def inquiry(**changes: object) -> Inquiry:
    base = Inquiry(
        sender=Party("Riverside Infusion", "SUBMIT1"),
        receiver=Party("Clearinghouse", "CLEARING"),
        control_number=42,
        created_at=NOW,
        payer_name="Acme Health (demo)",
        payer_id="60054",
        provider_name="Riverside Infusion",
        provider_npi=NPI,
        subscriber=SUBSCRIBER,
        member_id="ABC123456789",
        on_date=dt.date(2026, 12, 9),
        trace_number="EL42",
        originator="123456789",
        service_types=("30", "98"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def answer(**changes: object) -> Answer:
    base = Answer(
        trace_number="EL42",
        payer_name="Acme Health",
        payer_id="60054",
        provider_name="Riverside Infusion",
        provider_npi=NPI,
        subscriber=("DOE", "JANE"),
        member_id="ABC123456789",
        plan_name="GOLD PPO",
        group_number="G100",
        plan_begin=dt.date(2026, 1, 1),
        plan_end=dt.date(2026, 12, 31),
        benefits=(
            ("1", "IND", "30"),
            ("C", "IND", "30", "23", "1500", "", "", "Y"),
            ("C", "IND", "30", "29", "500", "", "", "Y"),
            ("C", "FAM", "30", "23", "3000", "", "", "Y"),
            ("C", "IND", "30", "23", "4000", "", "", "N"),
            ("G", "IND", "30", "23", "6000", "", "", "Y"),
            ("G", "IND", "30", "24", "1200", "", "", "Y"),
            ("A", "IND", "98", "27", "", ".2", "", "Y"),
            ("A", "IND", "98", "27", "", ".4", "", "N"),
            ("B", "IND", "98", "27", "25", "", "", "Y"),
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def text_271(**changes: object) -> str:
    return write_271(
        answer(**changes),
        control_number=7,
        created_at=NOW,
        sender=Party("Acme", "PAYER"),
        receiver=Party("Riverside", "SUBMIT1"),
    )


def segments(text: str) -> list[str]:
    return [line.rstrip("~") for line in text.splitlines()]


class TestBuild270:
    def test_it_writes_the_subscriber_inquiry_in_tr3_order(self) -> None:
        text = build_270(inquiry())
        assert segments(text)[2:16] == [
            "ST*270*0001*005010X279A1",
            "BHT*0022*13*EL42*20261207*0930",
            "HL*1**20*1",
            "NM1*PR*2*ACME HEALTH (DEMO)*****PI*60054",
            "HL*2*1*21*1",
            f"NM1*1P*2*RIVERSIDE INFUSION*****XX*{NPI}",
            "HL*3*2*22*0",
            "TRN*1*EL42*9123456789",
            "NM1*IL*1*DOE*JANE****MI*ABC123456789",
            "DMG*D8*19500301*F",
            "DTP*291*D8*20261209",
            "EQ*30",
            "EQ*98",
            "SE*14*0001",
        ]
        assert validate_270(text) == []

    def test_it_asks_about_a_dependent_under_the_subscribers_member_id(self) -> None:
        text = build_270(inquiry(relationship="child", dependent=CHILD))
        lines = segments(text)
        assert "HL*3*2*22*1" in lines and "HL*4*3*23*0" in lines
        assert lines.index("NM1*IL*1*DOE*JANE****MI*ABC123456789") < lines.index("HL*4*3*23*0")
        dependent = lines[lines.index("HL*4*3*23*0") :]
        assert dependent[1:4] == ["TRN*1*EL42*9123456789", "NM1*03*1*DOE*TIM", "DMG*D8*20100501*M"]
        assert "DMG*D8*19500301*F" not in lines  # the subscriber's birth date is not asked
        assert validate_270(text) == []

    def test_it_refuses_a_dependent_without_a_relationship(self) -> None:
        with pytest.raises(ValueError, match="not the subscriber"):
            build_270(inquiry(dependent=CHILD))
        with pytest.raises(ValueError, match="not the subscriber"):
            build_270(inquiry(relationship="spouse"))

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"payer_id": ""}, "payer ID"),
            ({"member_id": " "}, "member ID"),
            ({"provider_npi": "1234567890"}, "NPI"),
            ({"control_number": 0}, "control number"),
            ({"service_types": ("ZZ",)}, "service type"),
            ({"created_at": dt.datetime(2026, 12, 7, 9, 30)}, "timezone"),  # noqa: DTZ001
        ],
    )
    def test_it_refuses_what_cannot_be_asked(self, changes: dict[str, Any], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            build_270(inquiry(**changes))

    def test_it_asks_for_the_setting_and_chemotherapy(self) -> None:
        assert service_types_for("office") == ("30", "98")
        assert service_types_for("hospital_outpatient", chemotherapy=True) == ("30", "50", "78")
        assert service_types_for("home") == ("30", "42")
        assert service_types_for("unknown") == ("30",)


class TestValidate270:
    """pyx12 ships no 005010X279A1 map: our structural check per the TR3 stands in."""

    def test_pyx12_ships_no_map_for_the_5010_270(self) -> None:
        maps = Path(pyx12.__file__).parent / "map"
        assert (maps / "270.4010.X092.A1.xml").exists()
        assert not list(maps.glob("270.5010*"))  # when it ships one, validate with it

    def test_it_finds_a_wrong_segment_count(self) -> None:
        text = build_270(inquiry()).replace("SE*14*0001", "SE*13*0001")
        assert any("SE count" in p.message for p in validate_270(text))

    def test_it_finds_mismatched_control_numbers(self) -> None:
        text = build_270(inquiry()).replace("IEA*1*000000042", "IEA*1*000000043")
        assert [p.segment for p in validate_270(text)] == ["ISA"]

    def test_it_finds_segments_out_of_order(self) -> None:
        text = build_270(inquiry())
        text = text.replace(
            "DMG*D8*19500301*F~\nDTP*291*D8*20261209~", "DTP*291*D8*20261209~\nDMG*D8*19500301*F~"
        )
        assert any("out of order" in p.message for p in validate_270(text))

    def test_it_finds_a_missing_member_id_and_a_wrong_entity(self) -> None:
        text = build_270(inquiry()).replace("*****PI*60054", "")
        assert any(p.segment == "NM108" for p in validate_270(text))
        text = build_270(inquiry()).replace("NM1*1P*", "NM1*PR*")
        assert any(p.segment == "NM101" for p in validate_270(text))

    def test_it_finds_a_broken_hierarchy_and_a_missing_inquiry(self) -> None:
        text = build_270(inquiry()).replace("HL*3*2*22*0", "HL*3*1*22*0")
        assert any(p.segment == "HL02" for p in validate_270(text))
        text = build_270(inquiry()).replace("EQ*30~\nEQ*98~\nSE*14", "SE*12")
        assert any(p.segment == "EQ" for p in validate_270(text))

    def test_it_refuses_what_is_not_x12(self) -> None:
        assert [p.code for p in validate_270("hello")] == ["not_x12"]


class TestParse271:
    def test_it_reads_a_round_trip_of_the_inquirys_trace(self) -> None:
        request = build_270(inquiry())
        trace = next(s for s in segments(request) if s.startswith("TRN")).split("*")[2]
        eligibility = parse_271(text_271(trace_number=trace))
        assert eligibility.trace_number == trace == "EL42"
        assert (eligibility.payer_id, eligibility.member_id) == ("60054", "ABC123456789")

    def test_it_reads_active_coverage_plan_and_dates(self) -> None:
        e = parse_271(text_271())
        assert (e.active, e.plan_name, e.group_number) == (True, "GOLD PPO", "G100")
        assert (e.plan_begin, e.plan_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))

    def test_it_reads_inactive_coverage(self) -> None:
        for code in ("6", "7", "8"):
            assert parse_271(text_271(benefits=((code, "IND", "30"),))).active is False

    def test_it_reads_active_coverage_for_each_active_code(self) -> None:
        for code in ("1", "2", "3", "4", "5"):
            assert parse_271(text_271(benefits=((code, "", "30"),))).active is True

    def test_it_takes_the_in_network_individual_deductible_and_what_remains(self) -> None:
        e = parse_271(text_271())
        assert (e.deductible, e.deductible_remaining, e.deductible_met) == (
            D(1500),
            D(500),
            D(1000),
        )

    def test_it_takes_the_year_to_date_amount_as_met(self) -> None:
        e = parse_271(text_271())
        assert (e.out_of_pocket_max, e.out_of_pocket_met) == (D(6000), D(1200))

    def test_it_reads_coinsurance_as_a_percent_and_the_copay(self) -> None:
        e = parse_271(text_271())
        assert (e.coinsurance_percent, e.copay) == (D("20.00"), D(25))

    def test_it_keeps_out_of_network_values_only_when_nothing_else_is_given(self) -> None:
        e = parse_271(
            text_271(benefits=(("1", "IND", "30"), ("A", "IND", "98", "27", "", ".4", "", "N")))
        )
        assert (e.coinsurance_percent, e.out_of_network_only) == (D("40.00"), True)

    def test_it_reads_prior_authorization_required(self) -> None:
        required = (("1", "IND", "30"), ("1", "IND", "98", "", "", "", "Y", "Y"))
        assert parse_271(text_271(benefits=required)).prior_authorization is True
        not_required = (("1", "IND", "30", "", "", "", "N"),)
        assert parse_271(text_271(benefits=not_required)).prior_authorization is False
        assert parse_271(text_271(benefits=(("1", "IND", "30"),))).prior_authorization is None

    def test_it_reads_the_dependents_benefits_when_there_is_a_dependent_loop(self) -> None:
        e = parse_271(text_271(dependent=("DOE", "TIM")))
        assert (e.patient_name, e.subscriber_name, e.active) == ("TIM DOE", "JANE DOE", True)
        assert e.deductible == D(1500)

    @pytest.mark.parametrize(
        ("reason", "words"),
        [
            ("72", "member ID is invalid"),
            ("75", "did not find the subscriber"),
            ("58", "date of birth"),
        ],
    )
    def test_it_turns_a_rejection_into_a_sentence(self, reason: str, words: str) -> None:
        e = parse_271(text_271(benefits=(), rejections=((reason, "C"),)))
        assert e.rejected and e.active is None
        message = e.rejections[0].message
        assert words in message and f"(AAA {reason})" in message and "Correct" in message

    def test_it_refuses_an_unbalanced_or_foreign_file(self) -> None:
        with pytest.raises(EligibilityError, match="SE count"):
            parse_271(text_271().replace("SE*", "SE*9"))
        with pytest.raises(EligibilityError, match="not a 271"):
            parse_271(text_271().replace("GS*HB*", "GS*HP*"))
        with pytest.raises(EligibilityError, match="ISA"):
            parse_271("garbage")

    def test_it_refuses_an_amount_that_is_not_a_number(self) -> None:
        with pytest.raises(EligibilityError, match="EB07"):
            parse_271(text_271(benefits=(("C", "IND", "30", "23", "12X"),)))

    def test_its_summary_is_json_safe(self) -> None:
        import json

        summary = parse_271(text_271()).summary()
        assert json.loads(json.dumps(summary))["deductible"] == "1500"


class TestChanges:
    def test_it_proposes_only_what_the_payer_answered(self) -> None:
        proposed = proposed_benefits(parse_271(text_271(benefits=(("1", "IND", "30"),))))
        assert proposed == {
            "coverage_active": True,
            "plan_year": 2026,
            "plan_name": "GOLD PPO",
            "group_number": "G100",
        }

    def test_it_flags_inactive_coverage_and_new_prior_authorization_as_blocking(self) -> None:
        changes = benefit_changes(
            {"coverage_active": True, "pa_required": "no"},
            {"coverage_active": False, "pa_required": "yes"},
        )
        assert [(c.kind, c.blocking) for c in changes] == [
            ("coverage", True),
            ("authorization", True),
        ]
        assert changes[0].sentence == "The payer says the coverage is no longer active."

    def test_it_flags_cost_share_but_not_what_is_met(self) -> None:
        changes = benefit_changes(
            {"deductible": D("1500.00"), "deductible_met": D(0), "copay": D("25.00")},
            {"deductible": D(2000), "deductible_met": D(400), "copay": D(25)},
        )
        assert [(c.field, c.kind, c.blocking) for c in changes] == [
            ("deductible", "cost_share", False),
            ("deductible_met", "", False),
        ]

    def test_it_flags_a_changed_plan_but_not_a_first_plan_name(self) -> None:
        assert [
            c.kind for c in benefit_changes({"plan_name": "Gold  ppo"}, {"plan_name": "GOLD PPO"})
        ] == []
        assert [
            c.kind for c in benefit_changes({"plan_name": "SILVER"}, {"plan_name": "GOLD PPO"})
        ] == ["plan"]
        assert [c.kind for c in benefit_changes({"plan_name": ""}, {"plan_name": "GOLD PPO"})] == [
            ""
        ]
