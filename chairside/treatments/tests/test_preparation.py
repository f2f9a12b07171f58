"""Preparation: vials dispensed from lots, the dose made up, and a second person's check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.inventory.models import Movement
from chairside.treatments import services
from chairside.treatments.models import PreparationVial
from chairside.treatments.tests import factories as tf


@pytest.fixture
def checked_in(visit: Any, nurse_user: Any) -> Any:
    return tf.do_checks(visit, nurse_user)


class TestDispense:
    def test_it_dispenses_through_the_inventory_ledger(
        self, checked_in: Any, nurse_user: Any, lot: Any
    ) -> None:
        rows = services.preparation_dispense(visit=checked_in, user=nurse_user, picks=[(lot, 4)])
        assert [(r.lot, r.vials) for r in rows] == [(lot, 4)]
        move = Movement.objects.get(lot=lot, kind="dispense")
        assert (move.vials, move.visit_ref, move.patient) == (
            -4,
            str(checked_in.public_id),
            checked_in.patient,
        )

    def test_more_than_the_lot_holds_is_refused_and_nothing_is_saved(
        self, checked_in: Any, nurse_user: Any, location: Any, drug: Any, lot: Any
    ) -> None:
        small = tf.make_lot(location, drug, vials=2, lot_number="SMALL1")
        with pytest.raises(ValidationError, match="Only 2 vials of lot SMALL1"):
            services.preparation_dispense(
                visit=checked_in, user=nurse_user, picks=[(lot, 2), (small, 3)]
            )
        assert not PreparationVial.objects.exists()
        assert not Movement.objects.filter(kind="dispense").exists()
        lot.refresh_from_db()
        assert lot.on_hand == 10

    def test_it_refuses_another_drugs_lot(
        self, checked_in: Any, nurse_user: Any, location: Any, org: Any
    ) -> None:
        other = tf.make_lot(location, tf.make_drug(org, tf.NATALIZUMAB), lot_number="TYS1")
        with pytest.raises(ValidationError, match="not infliximab"):
            services.preparation_dispense(visit=checked_in, user=nurse_user, picks=[(other, 1)])

    def test_it_refuses_an_expired_lot(
        self, checked_in: Any, nurse_user: Any, location: Any, drug: Any
    ) -> None:
        old = tf.make_lot(location, drug, lot_number="OLD1", expires_on=dt.date(2026, 12, 10))
        Movement.objects.filter(lot=old)  # received before expiry
        from chairside.inventory.models import Lot

        Lot.objects.filter(pk=old.pk).update(expires_on=dt.date(2026, 12, 1))
        old.refresh_from_db()
        with pytest.raises(ValidationError, match="expired"):
            services.preparation_dispense(visit=checked_in, user=nurse_user, picks=[(old, 1)])


class TestPrepare:
    @pytest.fixture
    def dispensed(self, checked_in: Any, nurse_user: Any, lot: Any) -> Any:
        services.preparation_dispense(visit=checked_in, user=nurse_user, picks=[(lot, 4)])
        return checked_in

    def test_it_computes_the_concentration_and_beyond_use_time(
        self, dispensed: Any, nurse_user: Any, nurse: Any
    ) -> None:
        prep = services.preparation_save(
            visit=dispensed,
            user=nurse_user,
            dose_mg=Decimal(350),
            final_volume_ml=Decimal(250),
            diluent="0.9% sodium chloride",
            prepared_at=tf.at("09:15"),
        )
        assert prep.concentration_mg_ml == Decimal("1.400")
        assert prep.beyond_use_at == tf.at("13:15")  # USP <797> immediate use: 4 hours
        assert prep.prepared_by == nurse

    def test_a_dose_larger_than_the_vials_opened_is_refused(
        self, dispensed: Any, nurse_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="hold 400 mg"):
            services.preparation_save(
                visit=dispensed, user=nurse_user, dose_mg=Decimal(450), final_volume_ml=Decimal(250)
            )

    def test_a_dose_far_from_the_order_needs_a_note(self, dispensed: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError, match="more than 10 %"):
            services.preparation_save(
                visit=dispensed, user=nurse_user, dose_mg=Decimal(300), final_volume_ml=Decimal(250)
            )
        prep = services.preparation_save(
            visit=dispensed,
            user=nurse_user,
            dose_mg=Decimal(300),
            final_volume_ml=Decimal(250),
            notes="Dr. Marsh reduced to 300 mg by phone",
        )
        assert prep.dose_mg == Decimal(300)

    def test_the_labels_own_limit_shortens_the_beyond_use_time(
        self, dispensed: Any, nurse_user: Any
    ) -> None:
        """Issue 12 item 14: infliximab must start within 3 hours (REMICADE label §2)."""
        drug = dispensed.order.drug
        drug.use_within_hours = Decimal(3)
        drug.use_within_source = "REMICADE label §2"
        drug.save()
        prep = services.preparation_save(
            visit=dispensed,
            user=nurse_user,
            dose_mg=Decimal(350),
            final_volume_ml=Decimal(250),
            prepared_at=tf.at("09:15"),
            label_limit_hours=Decimal(6),  # a longer typed limit does not win
        )
        assert prep.label_limit_hours == Decimal(3)
        assert prep.beyond_use_at == tf.at("12:15")

    def test_a_beyond_use_time_past_the_limit_is_refused(
        self, dispensed: Any, nurse_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="at most 13:15"):
            services.preparation_save(
                visit=dispensed,
                user=nurse_user,
                dose_mg=Decimal(350),
                final_volume_ml=Decimal(250),
                prepared_at=tf.at("09:15"),
                beyond_use_at=tf.at("15:00"),
            )

    def test_a_change_after_the_check_clears_it(
        self, dispensed: Any, nurse_user: Any, nurse: Any, second_nurse: Any
    ) -> None:
        services.preparation_save(
            visit=dispensed,
            user=nurse_user,
            dose_mg=Decimal(350),
            final_volume_ml=Decimal(250),
            prepared_at=tf.at("09:15"),
            prepared_by=nurse,
        )
        tf.record_check(dispensed, second_nurse)
        prep = services.preparation_save(
            visit=dispensed,
            user=nurse_user,
            dose_mg=Decimal(350),
            final_volume_ml=Decimal(300),
            prepared_at=tf.at("09:15"),
            prepared_by=nurse,
        )
        assert prep.checked_by is None


class TestUnsignedOrder:
    """Issue 11.2: nothing is dispensed or made up for an order awaiting signature."""

    def test_it_refuses_to_dispense_for_an_order_awaiting_signature(
        self, checked_in: Any, nurse_user: Any, lot: Any
    ) -> None:
        type(checked_in.order).objects.filter(pk=checked_in.order_id).update(signed_at=None)
        with pytest.raises(ValidationError, match="awaits a physician's or NP's signature"):
            services.preparation_dispense(visit=checked_in, user=nurse_user, picks=[(lot, 4)])
        assert not Movement.objects.filter(kind="dispense").exists()

    def test_it_refuses_to_make_up_a_dose_once_the_signature_is_voided(
        self, checked_in: Any, nurse_user: Any, lot: Any
    ) -> None:
        from django.utils import timezone

        services.preparation_dispense(visit=checked_in, user=nurse_user, picks=[(lot, 4)])
        type(checked_in.order).objects.filter(pk=checked_in.order_id).update(
            signed_at=None, signature_voided_at=timezone.now(), signature_void_reason="dose"
        )
        with pytest.raises(ValidationError, match="sign it again"):
            services.preparation_save(
                visit=checked_in,
                user=nurse_user,
                dose_mg=Decimal(350),
                final_volume_ml=Decimal(250),
            )
