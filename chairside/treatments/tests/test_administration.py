"""Administration: start after a checked preparation, rates, interruptions, stop."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.treatments import services
from chairside.treatments.models import Administration
from chairside.treatments.tests import factories as tf


@pytest.fixture
def prepared(visit: Any, nurse_user: Any, lot: Any, team: Any) -> Any:
    visit = tf.do_checks(visit, nurse_user)
    tf.do_preparation(visit, nurse_user, lot, checker=team.second, preparer=team.nurse)
    return visit


class TestAdministration:
    def test_it_refuses_to_start_an_unchecked_preparation(
        self, visit: Any, nurse_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="prepared and checked"):
            services.administration_start(visit=visit, user=nurse_user, started_at=tf.at("09:30"))

    def test_it_seats_the_patient_when_the_drug_starts(
        self, prepared: Any, nurse_user: Any
    ) -> None:
        services.administration_start(visit=prepared, user=nurse_user, started_at=tf.at("09:30"))
        prepared.appointment.refresh_from_db()
        assert prepared.appointment.status == "in_chair"

    def test_it_refuses_a_start_after_the_beyond_use_time(
        self, prepared: Any, nurse_user: Any, clock: Any
    ) -> None:
        clock.move_to("2026-12-08 14:00-05:00")
        with pytest.raises(ValidationError, match="beyond-use time was 13:15"):
            services.administration_start(
                visit=prepared, user=nurse_user, started_at=tf.at("13:30")
            )

    def test_a_stop_before_the_start_is_refused(self, prepared: Any, nurse_user: Any) -> None:
        admin = services.administration_start(
            visit=prepared, user=nurse_user, started_at=tf.at("09:30")
        )
        with pytest.raises(ValidationError, match="not after the start time 09:30"):
            services.administration_stop(
                administration=admin, user=nurse_user, stopped_at=tf.at("09:00")
            )
        admin.refresh_from_db()
        assert admin.stopped_at is None

    def test_interruptions_are_recorded_and_must_close(
        self, prepared: Any, nurse_user: Any
    ) -> None:
        admin = services.administration_start(
            visit=prepared, user=nurse_user, started_at=tf.at("09:30")
        )
        services.administration_pause(
            administration=admin, user=nurse_user, started_at=tf.at("10:00"), reason="Line occluded"
        )
        with pytest.raises(ValidationError, match="already interrupted"):
            services.administration_pause(
                administration=admin, user=nurse_user, started_at=tf.at("10:05"), reason="again"
            )
        services.administration_resume(
            administration=admin, user=nurse_user, ended_at=tf.at("10:10")
        )
        stopped = services.administration_stop(
            administration=admin, user=nurse_user, stopped_at=tf.at("11:50")
        )
        assert stopped.dose_given_mg == Decimal(350)
        assert stopped.interruptions.get().ended_at == tf.at("10:10")

    def test_a_volume_the_rates_cannot_deliver_is_questioned(
        self, prepared: Any, nurse_user: Any
    ) -> None:
        """260 mL in 93 min at 30-60 mL/h cannot have run (issue 21 item 7)."""
        admin = services.administration_start(
            visit=prepared, user=nurse_user, started_at=tf.at("09:30"), rate_ml_h=Decimal(30)
        )
        services.administration_rate(
            administration=admin, user=nurse_user, at=tf.at("10:00"), rate_ml_h=Decimal(60)
        )
        with pytest.raises(ValidationError, match="about 78 mL"):
            services.administration_stop(
                administration=admin,
                user=nurse_user,
                stopped_at=tf.at("11:03"),
                volume_infused_ml=Decimal(260),
            )
        admin.refresh_from_db()
        assert admin.stopped_at is None
        explained = services.administration_stop(
            administration=admin,
            user=nurse_user,
            stopped_at=tf.at("11:03"),
            volume_infused_ml=Decimal(260),
            notes="Pump total includes the 250 mL hydration bag run on the same channel",
        )
        assert explained.volume_infused_ml == Decimal(260)

    def test_a_plausible_volume_is_accepted(self, prepared: Any, nurse_user: Any) -> None:
        admin = services.administration_start(
            visit=prepared, user=nurse_user, started_at=tf.at("09:30"), rate_ml_h=Decimal(125)
        )
        stopped = services.administration_stop(
            administration=admin,
            user=nurse_user,
            stopped_at=tf.at("11:30"),
            volume_infused_ml=Decimal(270),  # 250 mL + a line flush
        )
        assert stopped.volume_infused_ml == Decimal(270)

    def test_an_early_stop_needs_the_dose_given(self, prepared: Any, nurse_user: Any) -> None:
        admin = services.administration_start(
            visit=prepared, user=nurse_user, started_at=tf.at("09:30")
        )
        with pytest.raises(ValidationError, match="dose actually given"):
            services.administration_stop(
                administration=admin,
                user=nurse_user,
                stopped_at=tf.at("10:00"),
                stop_reason="other",
            )

    def test_an_injection_needs_its_site(self, prepared: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError, match="injection site"):
            services.administration_start(
                visit=prepared, user=nurse_user, started_at=tf.at("09:30"), method="subcutaneous"
            )

    def test_other_substances_are_recorded_beside_the_drug(
        self, prepared: Any, nurse_user: Any
    ) -> None:
        fluids = services.administration_start(
            visit=prepared,
            user=nurse_user,
            started_at=tf.at("09:20"),
            substance="0.9% NaCl 500 mL",
            category="hydration",
        )
        assert not fluids.is_primary and fluids.category == "hydration"
        assert Administration.objects.filter(visit=prepared).count() == 1


class TestUnsignedOrder:
    def test_it_refuses_to_give_a_dose_whose_order_lost_its_signature(
        self, prepared: Any, nurse_user: Any
    ) -> None:
        """Issue 11.2: a change after the preparation voided the signature: do not give it."""
        from chairside.access.referrals.services import order_update
        from tests import factories as f

        coordinator = f.make_user(prepared.organization, "coordinator")
        order_update(order=prepared.order, user=coordinator, dose_mg_per_kg=Decimal("7.5"))
        with pytest.raises(ValidationError, match="signature was voided"):
            services.administration_start(
                visit=prepared, user=nurse_user, started_at=tf.at("09:30")
            )
        assert not Administration.objects.exists()


class TestPushRecordedInOneAction:
    """Issue 21 item 6: a push or short infusion ends when its stop time is recorded."""

    def test_a_push_with_its_stop_time_is_not_running(self, prepared: Any, nurse_user: Any) -> None:
        push = services.administration_start(
            visit=prepared,
            user=nurse_user,
            started_at=tf.at("09:20"),
            stopped_at=tf.at("09:22"),
            substance="ondansetron 4 mg",
            category="therapeutic",
            method="push",
        )
        assert not push.is_running
        assert (push.stopped_at, push.stop_reason) == (tf.at("09:22"), "completed")

    def test_a_stop_not_after_the_start_is_refused(self, prepared: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError, match="after the start"):
            services.administration_start(
                visit=prepared,
                user=nurse_user,
                started_at=tf.at("09:20"),
                stopped_at=tf.at("09:20"),
                substance="ondansetron 4 mg",
                category="therapeutic",
                method="push",
            )
        assert not Administration.objects.exists()

    def test_the_ordered_drug_is_stopped_with_its_own_form(
        self, prepared: Any, nurse_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="own stop form"):
            services.administration_start(
                visit=prepared,
                user=nurse_user,
                started_at=tf.at("09:30"),
                stopped_at=tf.at("10:30"),
            )
