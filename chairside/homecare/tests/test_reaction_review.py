"""A grade 2+ reaction in the home reaches the pharmacy: the review queue (grade 2 and up,
unreviewed, this organization only), the Today card for the pharmacist, nurses and
coordinator, the audited review, and the pages' permissions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from chairside.audit.models import AuditEvent, AuditEventPatient
from chairside.homecare import selectors, services
from chairside.homecare.models import HomeReaction
from chairside.homecare.tests import factories as hf
from tests import factories as f

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("America/New_York")
DAY = dt.date(2026, 12, 8)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=TZ)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(at(15), tick=False) as t:
        yield t


def _reaction(org: Any, home: Any, nurse_user: Any, grade: int, last: str) -> HomeReaction:
    nurse = hf.make_staff(org, "RN", user=nurse_user)
    patient = hf.make_home_patient(org, home, first_name="Rosa", last_name=last)
    hf.make_home_order(patient, start_date=DAY - dt.timedelta(days=3))
    visit = hf.make_visit(patient, home, DAY, nurse=nurse)
    return services.home_reaction_record(
        home_visit=visit,
        user=nurse_user,
        onset_at=at(10, 30),
        grade=grade,
        signs=["flushing", "chills"],
        actions=["antihistamine"],
        outcome="resumed" if grade < 3 else "not_resumed",
        outcome_at=at(10, 45),
    )


@pytest.fixture
def reactions(org: Any, home: Any, nurse_user: Any) -> SimpleNamespace:
    return SimpleNamespace(
        grade2=_reaction(org, home, nurse_user, 2, "Diaz"),
        grade3=_reaction(org, home, nurse_user, 3, "Okoye"),
        grade1=_reaction(org, home, nurse_user, 1, "Lind"),
    )


class TestQueue:
    def test_it_lists_unreviewed_grade_2_and_up_most_severe_first(
        self, org: Any, reactions: Any
    ) -> None:
        queue = list(selectors.reactions_to_review(organization=org))
        assert queue == [reactions.grade3, reactions.grade2]

    def test_it_holds_only_the_organizations_own(
        self, org: Any, other_org: Any, reactions: Any
    ) -> None:
        assert not selectors.reactions_to_review(organization=other_org).exists()


class TestReview:
    def test_it_marks_the_reaction_reviewed_and_audits_it(self, org: Any, reactions: Any) -> None:
        pharmacist = f.make_user(org, "pharmacist")
        done = services.home_reaction_review(
            organization=org, reaction=reactions.grade2, user=pharmacist, note=" Premedicate. "
        )
        assert done.reviewed_at is not None and done.reviewed_by == pharmacist
        assert done.review_note == "Premedicate."
        assert list(selectors.reactions_to_review(organization=org)) == [reactions.grade3]
        event = AuditEvent.objects.get(action="update", object_type="homecare.homereaction")
        assert event.patient_id == reactions.grade2.home_visit.patient.public_id
        assert "reviewed_at" in event.changes

    def test_reviewing_twice_changes_nothing(self, org: Any, reactions: Any) -> None:
        pharmacist = f.make_user(org, "pharmacist")
        first = services.home_reaction_review(
            organization=org, reaction=reactions.grade2, user=pharmacist
        )
        again = services.home_reaction_review(
            organization=org, reaction=reactions.grade2, user=f.make_user(org, "nurse"), note="x"
        )
        assert (again.reviewed_at, again.reviewed_by_id) == (first.reviewed_at, pharmacist.pk)
        updates = AuditEvent.objects.filter(action="update", object_type="homecare.homereaction")
        assert updates.count() == 1

    def test_it_refuses_a_grade_1_reaction(self, org: Any, reactions: Any) -> None:
        with pytest.raises(ValidationError, match="grade 2 or higher"):
            services.home_reaction_review(
                organization=org, reaction=reactions.grade1, user=f.make_user(org, "pharmacist")
            )
        reactions.grade1.refresh_from_db()
        assert reactions.grade1.reviewed_at is None

    def test_it_refuses_another_organizations_reaction(
        self, other_org: Any, reactions: Any
    ) -> None:
        with pytest.raises(ValidationError, match="another organization"):
            services.home_reaction_review(
                organization=other_org,
                reaction=reactions.grade2,
                user=f.make_user(other_org, "pharmacist"),
            )


def _card(user: Any) -> Any:
    response = f.login(user).get("/")
    assert response.status_code == 200
    cards = [c for c in response.context["cards"] if c.title == "Home reactions to review"]
    return cards[0] if cards else None


class TestTodayCard:
    @pytest.mark.parametrize("role", ["pharmacist", "nurse", "coordinator"])
    def test_the_pharmacy_sees_the_reactions_to_review(
        self, org: Any, reactions: Any, role: str
    ) -> None:
        card = _card(f.make_user(org, role))
        assert card is not None and card.count == 2 and card.tone == "bad"
        assert card.url == "/homecare/reactions/"

    def test_a_biller_does_not(self, org: Any, reactions: Any) -> None:
        assert _card(f.make_user(org, "biller")) is None

    def test_with_nothing_to_review_only_the_pharmacist_keeps_the_card(
        self, org: Any, home: Any
    ) -> None:
        card = _card(f.make_user(org, "pharmacist"))
        assert card is not None and card.count == 0 and card.tone == "good"
        assert _card(f.make_user(org, "nurse")) is None

    def test_an_organization_without_home_infusion_has_no_card(self, other_org: Any) -> None:
        assert _card(f.make_user(other_org, "pharmacist")) is None


class TestPages:
    def test_the_queue_shows_the_reactions_and_audits_the_read(
        self, org: Any, reactions: Any
    ) -> None:
        pharmacist = f.make_user(org, "pharmacist")
        response = f.login(pharmacist).get("/homecare/reactions/")
        assert response.status_code == 200
        text = response.content.decode()
        assert "Diaz, Rosa" in text and "Okoye, Rosa" in text and "Lind" not in text
        assert "Mark reviewed" in text
        read = AuditEventPatient.objects.filter(event__user=pharmacist, event__action="view")
        assert reactions.grade2.home_visit.patient.public_id in {r.patient_id for r in read}

    def test_review_from_the_page(self, org: Any, reactions: Any) -> None:
        client = f.login(f.make_user(org, "nurse"))
        url = f"/homecare/reactions/{reactions.grade2.public_id}/review/"
        response = client.post(url, {"note": "Called Dr. Abara"})
        assert response.status_code == 302
        reactions.grade2.refresh_from_db()
        assert reactions.grade2.review_note == "Called Dr. Abara"

    def test_a_bad_review_is_a_400_and_saves_nothing(self, org: Any, reactions: Any) -> None:
        client = f.login(f.make_user(org, "pharmacist"))
        response = client.post(f"/homecare/reactions/{reactions.grade1.public_id}/review/")
        assert response.status_code == 400
        assert "grade 2 or higher" in response.content.decode()
        response = client.post(
            f"/homecare/reactions/{reactions.grade2.public_id}/review/", {"note": "x" * 300}
        )
        assert response.status_code == 400
        reactions.grade2.refresh_from_db()
        assert reactions.grade2.reviewed_at is None

    def test_a_biller_cannot_review_and_another_organization_gets_404(
        self, org: Any, other_org: Any, reactions: Any
    ) -> None:
        url = f"/homecare/reactions/{reactions.grade2.public_id}/review/"
        assert f.login(f.make_user(org, "biller")).post(url).status_code == 403
        assert f.login(f.make_user(other_org, "pharmacist")).post(url).status_code == 404
        reactions.grade2.refresh_from_db()
        assert reactions.grade2.reviewed_at is None
