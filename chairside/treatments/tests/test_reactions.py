"""Reactions: CTCAE grade; grade 3 or more stops the infusion and alerts the provider."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.treatments import selectors, services
from chairside.treatments.models import VisitAlert
from chairside.treatments.tests import factories as tf


@pytest.fixture
def running(visit: Any, nurse_user: Any, lot: Any, team: Any) -> Any:
    physician = team.physician
    visit = tf.do_checks(visit, nurse_user)
    tf.do_preparation(visit, nurse_user, lot, checker=team.second, preparer=team.nurse)
    services.visit_discharge(
        visit=visit,
        user=nurse_user,
        discharged_at=None,
        condition="",
        supervising_provider=physician,
    )
    services.administration_start(visit=visit, user=nurse_user, started_at=tf.at("09:30"))
    visit.refresh_from_db()
    return visit


class TestReactionRecord:
    def test_a_mild_reaction_leaves_the_infusion_running(
        self, running: Any, nurse_user: Any
    ) -> None:
        services.reaction_record(
            visit=running,
            user=nurse_user,
            onset_at=tf.at("10:00"),
            grade=1,
            signs=["flushing"],
            actions=["slowed"],
        )
        admin = selectors.primary_administration(running)
        assert admin is not None and admin.is_running
        assert not VisitAlert.objects.exists()

    def test_grade_three_stops_the_infusion_and_alerts_the_provider(
        self, running: Any, nurse_user: Any, physician: Any
    ) -> None:
        reaction = services.reaction_record(
            visit=running,
            user=nurse_user,
            onset_at=tf.at("10:05"),
            grade=3,
            signs=["dyspnea", "hypotension"],
            actions=["epinephrine"],
        )
        admin = selectors.primary_administration(running)
        assert admin is not None
        assert (admin.stopped_at, admin.stop_reason) == (tf.at("10:05"), "reaction")
        assert "stopped" in reaction.actions
        alert = VisitAlert.objects.get()
        assert alert.to_provider == physician
        assert alert.message.startswith("Grade 3 infusion reaction at 10:05")
        missing = [m for _, m in selectors.visit_missing(running)]
        assert "Record the outcome of every reaction." in missing
        assert "The infusion stopped early: record the dose actually given." in missing

    def test_grade_two_interrupts_the_infusion_and_alerts_the_provider(
        self, running: Any, nurse_user: Any, physician: Any
    ) -> None:
        """CTCAE v5 grade 2: infusion interruption indicated (issue 12 item 13)."""
        reaction = services.reaction_record(
            visit=running,
            user=nurse_user,
            onset_at=tf.at("10:00"),
            grade=2,
            signs=["rash"],
            actions=["antihistamine"],
        )
        admin = selectors.primary_administration(running)
        assert admin is not None and admin.is_running  # interrupted, not stopped
        pause = admin.interruptions.get()
        assert (pause.started_at, pause.ended_at) == (tf.at("10:00"), None)
        assert "paused" in reaction.actions
        alert = VisitAlert.objects.get()
        assert alert.to_provider == physician and "interruption indicated" in alert.message

    def test_choosing_infusion_paused_pauses_it_in_one_action(
        self, running: Any, nurse_user: Any
    ) -> None:
        """Issue 21 item 6: the reaction form's "Infusion paused" pauses the infusion."""
        services.reaction_record(
            visit=running,
            user=nurse_user,
            onset_at=tf.at("10:00"),
            grade=1,
            signs=["itching"],
            actions=["paused"],
        )
        admin = selectors.primary_administration(running)
        assert admin is not None and admin.interruptions.filter(ended_at=None).exists()
        assert not VisitAlert.objects.exists()  # grade 1: no alert

    def test_resuming_records_the_restart_rate_and_ends_the_pause(
        self, running: Any, nurse_user: Any
    ) -> None:
        admin = selectors.primary_administration(running)
        assert admin is not None
        services.administration_rate(
            administration=admin, user=nurse_user, at=tf.at("09:31"), rate_ml_h=Decimal(250)
        )
        reaction = services.reaction_record(
            visit=running, user=nurse_user, onset_at=tf.at("10:00"), grade=2, signs=["chills"]
        )
        with pytest.raises(ValidationError, match=r"half the previous rate: 125.0 mL/h"):
            services.reaction_outcome(
                reaction=reaction, user=nurse_user, outcome="resumed", outcome_at=tf.at("10:20")
            )
        services.reaction_outcome(
            reaction=reaction,
            user=nurse_user,
            outcome="resumed",
            outcome_at=tf.at("10:20"),
            resume_rate_ml_h=Decimal(125),
        )
        assert admin.interruptions.get().ended_at == tf.at("10:20")
        latest = admin.rates.order_by("-at").first()
        assert latest is not None and latest.rate_ml_h == Decimal(125)

    def test_a_stopped_infusion_cannot_be_said_to_resume(
        self, running: Any, nurse_user: Any
    ) -> None:
        reaction = services.reaction_record(
            visit=running, user=nurse_user, onset_at=tf.at("10:05"), grade=3, signs=["dyspnea"]
        )
        with pytest.raises(ValidationError, match="stops the infusion for today"):
            services.reaction_outcome(
                reaction=reaction, user=nurse_user, outcome="resumed", outcome_at=tf.at("10:30")
            )

    def test_it_needs_a_sign_and_a_ctcae_grade(self, running: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError, match="sign or symptom"):
            services.reaction_record(
                visit=running, user=nurse_user, onset_at=tf.at("10:05"), grade=2, signs=[]
            )
        with pytest.raises(ValidationError, match="CTCAE"):
            services.reaction_record(
                visit=running, user=nurse_user, onset_at=tf.at("10:05"), grade=6, signs=["rash"]
            )

    def test_the_provider_acknowledges_the_alert(
        self, running: Any, nurse_user: Any, org: Any
    ) -> None:
        from tests import factories as f

        services.reaction_record(
            visit=running, user=nurse_user, onset_at=tf.at("10:05"), grade=4, signs=["angioedema"]
        )
        doctor = f.make_user(org, "provider")
        alert = services.alert_acknowledge(alert=VisitAlert.objects.get(), user=doctor)
        assert alert.acknowledged_by == doctor
        assert not selectors.open_alerts(organization=org).exists()

    def test_a_visit_with_a_stopped_infusion_can_be_signed_once_documented(
        self, running: Any, nurse_user: Any
    ) -> None:
        reaction = services.reaction_record(
            visit=running, user=nurse_user, onset_at=tf.at("10:05"), grade=3, signs=["dyspnea"]
        )
        services.reaction_outcome(
            reaction=reaction, user=nurse_user, outcome="not_resumed", outcome_at=tf.at("10:40")
        )
        admin = selectors.primary_administration(running)
        assert admin is not None
        services.administration_record_dose(
            administration=admin, user=nurse_user, dose_given_mg=Decimal(70)
        )
        tf.do_discharge(running, nurse_user)
        signed = services.visit_sign(visit=running, user=nurse_user)
        assert signed.reports.get().data["dose_given_mg"] == "70"
