"""The compliance page of a location and its PDF: sections, flags, scoping, permission."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.compliance import services
from chairside.compliance.models import PolicyAcknowledgement, TemperatureReading
from chairside.compliance.tests import factories as cf
from chairside.tenancy.models import Competency
from tests import factories as f
from tests.factories import someone

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(org: Any, location: Any, admin_user: Any) -> Any:
    """A location with one finding of each kind."""
    today = timezone.localdate()
    nurse = cf.make_staff(
        org, "Maria", "Santos", location=location, license_expires=today + dt.timedelta(days=20)
    )
    Competency.objects.create(staff=nurse, skill="bls", expires_on=today + dt.timedelta(days=300))
    services.policy_save(
        organization=org, user=someone(), title="Hand hygiene", version="2", effective_on=today
    )
    fridge = cf.make_device(location, "Pharmacy refrigerator")
    cf.read(fridge, cf.at(location, 1), "9.6")
    incident = services.incident_report(
        organization=org,
        user=admin_user,
        location=location,
        kind="fall",
        occurred_on=today,
        description="Patient slipped getting up from the recliner.",
        severity="minor",
    )
    services.incident_action_add(
        incident=incident, user=admin_user, action="Non-slip mats", owner=nurse, due_on=today
    )
    return nurse


def _url(location: Any, suffix: Any = "") -> Any:
    return f"/compliance/{location.public_id}/{suffix}"


class TestPage:
    def test_it_shows_every_section_with_its_red_flags(
        self, admin_client: Any, location: Any, evidence: Any
    ) -> None:
        response = admin_client.get(_url(location))
        assert response.status_code == 200
        sections = {s.key: s for s in response.context["section_list"]}
        assert sections["licences"].flagged == 1  # expiring in 20 days, not verified
        assert sections["skills"].flagged == 1  # BLS with no check-off
        assert sections["policies"].flagged == 1  # Maria has not acknowledged
        assert sections["temperatures"].flagged == 1  # 9.6 °C without follow-up
        assert sections["incidents"].flagged == 1  # the mats are not down yet
        text = response.content.decode()
        for words in (
            "Staff licences",
            "expires within 60 days",
            "Basic life support (BLS)",
            "Hand hygiene",
            "9.6 °C is above the 2.0 to 8.0 °C range",
            "needs follow-up",
            "Non-slip mats",
        ):
            assert words in text

    def test_the_index_opens_the_first_location(self, admin_client: Any, location: Any) -> None:
        response = admin_client.get("/compliance/")
        assert response.status_code == 302 and str(location.public_id) in response["Location"]

    def test_a_period_ending_before_it_starts_is_a_400(
        self, admin_client: Any, location: Any
    ) -> None:
        response = admin_client.get(_url(location) + "?start=2026-05-01&end=2026-04-01")
        assert response.status_code == 400
        assert "before its start" in response.content.decode()

    def test_another_organizations_location_is_a_404(
        self, other_org: Any, location: Any, evidence: Any
    ) -> None:
        outsider = f.login(f.make_user(other_org, "admin"))
        assert outsider.get(_url(location)).status_code == 404
        assert outsider.get(_url(location, "pdf/")).status_code == 404

    def test_a_role_without_compliance_view_is_refused(self, org: Any, location: Any) -> None:
        biller = f.login(f.make_user(org, "biller"))
        assert biller.get(_url(location)).status_code == 403

    def test_a_nurse_sees_the_page_but_cannot_record(self, org: Any, location: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        assert nurse.get(_url(location)).status_code == 200
        assert nurse.get(_url(location, "readings/new/")).status_code == 403


class TestForms:
    def test_a_reading_out_of_range_is_flagged_from_the_form(
        self, admin_client: Any, location: Any
    ) -> None:
        fridge = cf.make_device(location)
        at = timezone.localtime(timezone.now(), location.tz).strftime("%Y-%m-%dT%H:%M")
        response = admin_client.post(
            _url(location, "readings/new/"),
            {"device": fridge.pk, "at": at, "celsius": "12.5"},
        )
        assert response.status_code == 302
        assert TemperatureReading.objects.get().excursion is not None

    def test_a_bad_reading_is_a_400_that_saves_nothing(
        self, admin_client: Any, location: Any
    ) -> None:
        fridge = cf.make_device(location)
        response = admin_client.post(
            _url(location, "readings/new/"), {"device": fridge.pk, "at": "soon", "celsius": "x"}
        )
        assert response.status_code == 400
        assert not TemperatureReading.objects.exists()

    def test_the_csv_upload_shows_the_dry_run_then_imports(
        self, admin_client: Any, location: Any
    ) -> None:
        cf.make_device(location)
        day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        upload = io.BytesIO(f"device,at,celsius\nMedication refrigerator,{day} 08:00,5\n".encode())
        upload.name = "log.csv"
        response = admin_client.post(_url(location, "import/"), {"file": upload})
        assert response.status_code == 302
        page = admin_client.get(response["Location"])
        assert "no problem in 1 row" in page.content.decode()
        done = admin_client.post(response["Location"])
        assert done.status_code == 302 and TemperatureReading.objects.count() == 1

    def test_acknowledging_for_a_colleague_without_the_right_is_a_400(
        self, org: Any, location: Any, evidence: Any
    ) -> None:
        policy = services.policy_save(
            organization=org,
            user=someone(),
            title="Cold chain",
            version="1",
            effective_on=timezone.localdate(),
        )
        colleague = f.login(f.make_user(org, "nurse"))
        response = colleague.post(
            _url(location, f"policies/{policy.public_id}/acknowledge/"),
            {"staff": str(evidence.public_id)},
        )
        assert response.status_code == 400
        assert "only for yourself" in response.content.decode()
        assert not PolicyAcknowledgement.objects.filter(policy=policy).exists()


class TestPdf:
    def test_it_is_a_pdf_download_audited_as_an_export(
        self, admin_client: Any, location: Any, evidence: Any
    ) -> None:
        response = admin_client.get(_url(location, "pdf/"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert response.content.rstrip().endswith(b"%%EOF")
        assert "attachment" in response["Content-Disposition"]
        event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
        assert event.object_id == location.public_id
        assert event.reason == "Accreditation evidence PDF"

    def test_its_pages_carry_the_cover_every_section_and_page_numbers(
        self, admin_client: Any, location: Any, evidence: Any
    ) -> None:
        html = admin_client.get(_url(location, "pdf/") + "?format=html").content.decode()
        pages = laid_out_pages(html)
        assert "Accreditation evidence" in pages[0] and location.name in pages[0]
        assert "page 1 of" in pages[0]
        body = "\n".join(pages[1:])
        for words in (
            "Staff licences",
            "Competencies and annual skills check-offs",
            "Policy acknowledgements",
            "Pharmacy refrigerator",
            "needs follow-up",
            "Incidents and their follow-up",
            "Non-slip mats",
            "Plans of care missing items",
        ):
            assert words in body
        assert "Record a reading" not in body  # no buttons in the surveyor's copy


def laid_out_pages(html: str) -> list[str]:
    """The text WeasyPrint lays out on each page (margin boxes included): what the PDF
    shows, read from the layout since no PDF text extractor is installed."""
    from weasyprint import HTML

    def texts(box: Any) -> list[str]:
        found = [box.text] if hasattr(box, "text") else []
        for child in getattr(box, "children", []):
            found += texts(child)
        return found

    document = HTML(string=html).render()
    # Lines are separate boxes: join them, and a word broken after its hyphen back together.
    return [
        re.sub(r"-\s+", "-", " ".join(" ".join(texts(page._page_box)).split()))
        for page in document.pages
    ]
