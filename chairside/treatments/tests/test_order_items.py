"""Order sets at the chair (issue 21 item 8): the order's premedication set and anaphylaxis
protocol are given with one action each, drawn from stock where the site stocks the drug
(floor stock otherwise), and billed with their HCPCS code and administration code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.formulary.models import Drug, Package
from chairside.inventory.models import Movement
from chairside.rules.billing.charges import derive_claim_lines
from chairside.treatments import selectors, services
from chairside.treatments.models import Administration
from chairside.treatments.tests import factories as tf

# formulary.json: J1200 up to 50 mg (50 mg/mL vial), J0171 0.1 mg (1 mg/mL 30 mL
# multiple-dose vial), J2919 per 5 mg (125 mg/2 mL vial).
PREMEDS = {
    "diphenhydramine-inj": (
        "diphenhydramine hydrochloride injection",
        "J1200",
        "50",
        "25021048101",
        "50",
        True,
    ),
    "epinephrine-inj": ("epinephrine injection", "J0171", "0.1", "63323069830", "30", False),
    "methylprednisolone-inj": (
        "methylprednisolone sodium succinate injection",
        "J2919",
        "5",
        "00009004722",
        "125",
        True,
    ),
}


def premed(org: Any, key: str) -> Drug:
    name, hcpcs, unit, ndc11, strength, single = PREMEDS[key]
    drug = Drug.objects.create(
        organization=org,
        key=key,
        generic_name=name,
        hcpcs=hcpcs,
        billing_unit_mg=Decimal(unit),
        admin_category="therapeutic",
        premedication=True,
    )
    Package.objects.create(
        drug=drug,
        ndc11=ndc11,
        description=f"{strength} mg",
        strength_mg=Decimal(strength),
        single_dose=single,
        ndc_unit="ML",
        ndc_quantity=Decimal(strength) if key == "epinephrine-inj" else Decimal(1),
    )
    return drug


@pytest.fixture
def ordered(visit: Any, nurse_user: Any, lot: Any, team: Any) -> Any:
    """A visit whose order includes the optional infliximab premedication set and the
    anaphylaxis protocol; diphenhydramine is stocked at the site, epinephrine is not."""
    org = visit.organization
    for key in PREMEDS:
        premed(org, key)
    tf.make_lot(visit.location, Drug.objects.get(organization=org, key="diphenhydramine-inj"))
    order = visit.order
    order.premedication_set, order.hypersensitivity_protocol = "infliximab-optional", True
    order.save(update_fields=["premedication_set", "hypersensitivity_protocol"])
    visit = tf.do_checks(visit, nurse_user)
    tf.do_preparation(visit, nurse_user, lot, checker=team.second, preparer=team.nurse)
    visit.refresh_from_db()
    return visit


class TestOrderItemGive:
    def test_a_premedication_is_drawn_from_stock_and_the_rest_wasted(
        self, ordered: Any, nurse_user: Any
    ) -> None:
        given = services.order_item_give(
            visit=ordered,
            user=nurse_user,
            source="premed",
            item="diphenhydramine-iv",
            given_at=tf.at("09:20"),
        )
        assert given is not None
        assert (given.dose_given_mg, given.method, given.is_running) == (Decimal(25), "push", False)
        assert (given.dispensed_from_stock, given.given_by, given.order_item) == (
            True,
            nurse_user,
            "premed:diphenhydramine-iv",
        )
        moves = Movement.objects.filter(
            lot__package__drug=given.drug, visit_ref=str(ordered.public_id)
        )
        assert sorted((m.kind, m.vials, m.mg) for m in moves) == [
            ("dispense", -1, Decimal("50.000")),
            ("waste", 0, Decimal("25.000")),
        ]

    def test_the_order_premedications_count_as_documented(
        self, ordered: Any, nurse_user: Any
    ) -> None:
        state = selectors.visit_state(ordered)
        assert state.premeds_ordered and not state.premeds_documented
        services.order_item_give(
            visit=ordered,
            user=nurse_user,
            source="premed",
            item="acetaminophen-po",
            given_at=tf.at("09:10"),
        )
        ordered.refresh_from_db()
        assert ordered.premeds_given.endswith("Acetaminophen 650 mg PO")
        assert selectors.visit_state(ordered).premeds_documented

    def test_a_protocol_drug_not_stocked_is_floor_stock_and_marks_the_reaction(
        self, ordered: Any, nurse_user: Any
    ) -> None:
        services.administration_start(visit=ordered, user=nurse_user, started_at=tf.at("09:30"))
        reaction = services.reaction_record(
            visit=ordered, user=nurse_user, onset_at=tf.at("09:50"), grade=3, signs=["dyspnea"]
        )
        epi = services.order_item_give(
            visit=ordered,
            user=nurse_user,
            source="protocol",
            item="epinephrine-im",
            given_at=tf.at("09:51"),
        )
        assert epi is not None
        assert (epi.method, epi.site, epi.dose_given_mg) == (
            "intramuscular",
            "mid-anterolateral thigh",
            Decimal("0.3"),
        )
        assert not epi.dispensed_from_stock and epi.from_center_stock
        assert not Movement.objects.filter(lot__package__drug=epi.drug).exists()
        reaction.refresh_from_db()
        assert "epinephrine" in reaction.actions

    def test_premedications_and_protocol_drugs_are_billed(
        self, ordered: Any, nurse_user: Any
    ) -> None:
        services.order_item_give(
            visit=ordered,
            user=nurse_user,
            source="premed",
            item="diphenhydramine-iv",
            given_at=tf.at("09:20"),
        )
        tf.do_administration(ordered, nurse_user)  # infliximab 09:30-11:40
        services.order_item_give(
            visit=ordered,
            user=nurse_user,
            source="protocol",
            item="epinephrine-im",
            given_at=tf.at("11:45"),
            dose_mg=Decimal("0.5"),
        )
        lines = derive_claim_lines(services.visit_encounter_facts(ordered))
        codes = [(line.code, line.units) for line in lines]
        assert ("J1200", 1) in codes
        assert ("J0171", 5) in codes  # 0.5 mg / 0.1 mg
        assert ("96375", 1) in codes  # a sequential IV push of a new drug
        assert ("96372", 1) in codes  # the IM injection
        epinephrine = next(line for line in lines if line.code == "J0171")
        # 1 mg/mL from a 30 mL multiple-dose vial: 0.5 mL drawn up, no JW/JZ
        assert (epinephrine.ndc11, epinephrine.ndc_quantity) == ("63323069830", Decimal("0.5"))
        assert epinephrine.modifiers == ()

    def test_an_item_not_ordered_is_refused(self, ordered: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError, match="not in the order's premedication set"):
            services.order_item_give(
                visit=ordered,
                user=nurse_user,
                source="premed",
                item="methylprednisolone-iv",
                given_at=tf.at("09:20"),
            )
        assert not Administration.objects.filter(drug__premedication=True).exists()


class TestOrderItemPage:
    def test_a_nurse_gives_an_ordered_item_and_an_unknown_one_is_refused(
        self, ordered: Any, nurse_client: Any
    ) -> None:
        from django.urls import reverse

        url = reverse("treatments:order_item", args=[ordered.public_id])
        bad = nurse_client.post(url, {"source": "premed", "item": "morphine", "given_at": "09:20"})
        assert bad.status_code == 422
        assert "not in the order" in bad.content.decode()
        assert not Administration.objects.filter(drug__premedication=True).exists()
        good = nurse_client.post(
            url, {"source": "premed", "item": "diphenhydramine-iv", "given_at": "09:20"}
        )
        assert good.status_code == 200
        assert Administration.objects.get(
            order_item="premed:diphenhydramine-iv"
        ).dispensed_from_stock
