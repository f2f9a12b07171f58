from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from chairside.patients.selectors import patient_search
from tests import factories as f


@pytest.fixture
def people(org: Any) -> dict[str, Any]:
    return {
        "obrien": f.make_patient(
            org, first_name="Siobhan", last_name="O'Brien", mrn="R-77", phone="(555) 123-4567"
        ),
        "garcia": f.make_patient(
            org, first_name="José", last_name="García", date_of_birth=dt.date(1988, 3, 9)
        ),
        "smith": f.make_patient(org, first_name="Anna", last_name="Smith"),
        "smithers": f.make_patient(org, first_name="Bob", last_name="Smithers"),
        "gone": f.make_patient(org, first_name="Old", last_name="Smithson", is_active=False),
    }


def _names(org: Any, q: str, **kw: Any) -> set[str]:
    return {p.last_name for p in patient_search(organization=org, query=q, **kw)}


class TestPatientSearch:
    def test_it_finds_by_last_name_prefix_ignoring_case_and_punctuation(
        self, org: Any, people: Any
    ) -> None:
        assert _names(org, "smi") == {"Smith", "Smithers"}
        assert _names(org, "obri") == {"O'Brien"}

    def test_it_finds_by_last_comma_first_and_first_last(self, org: Any, people: Any) -> None:
        assert _names(org, "smith, an") == {"Smith"}
        assert _names(org, "bob smith") == {"Smithers"}

    def test_it_finds_accented_names_typed_without_accents(self, org: Any, people: Any) -> None:
        assert _names(org, "garcia") == {"García"}
        assert _names(org, "jose") == {"García"}

    def test_it_finds_by_mrn_birth_date_and_phone(self, org: Any, people: Any) -> None:
        assert _names(org, "r-77") == {"O'Brien"}
        assert _names(org, "03/09/1988") == {"García"}
        assert _names(org, "1988-03-09") == {"García"}
        assert _names(org, "555-123-4567") == {"O'Brien"}

    def test_it_hides_inactive_patients_unless_asked(self, org: Any, people: Any) -> None:
        assert "Smithson" not in _names(org, "smith")
        assert "Smithson" in _names(org, "smith", include_inactive=True)

    def test_the_page_pages_and_answers_htmx_with_rows_only(
        self, admin_client: Any, org: Any
    ) -> None:
        for n in range(30):
            f.make_patient(org, last_name=f"Page{n:02d}")
        full = admin_client.get(reverse("patients:list"), {"q": "page"})
        assert full.context["page"].paginator.count == 30
        assert b"Page 1 of 2" in full.content
        partial = admin_client.get(reverse("patients:list"), {"q": "page"}, HTTP_HX_REQUEST="true")
        assert b"<html" not in partial.content
        assert b"Page00" in partial.content
