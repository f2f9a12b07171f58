"""Forms for benefits checks, authorizations and assignment; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from chairside.access.authorizations.models import (
    AssistanceEnrollment,
    AssistanceProgram,
    BenefitsInvestigation,
    PriorAuthorization,
)
from chairside.access.authorizations.services.assistance import ENROLLMENT_FIELDS, PROGRAM_FIELDS
from chairside.access.authorizations.services.benefits import BENEFITS_FIELDS
from chairside.formulary.models import Drug
from chairside.rules.access import authorization_states as states
from chairside.tenancy.models import StaffMember

DATE = forms.DateInput(attrs={"type": "date"})


class BenefitsForm(forms.ModelForm):  # type: ignore[type-arg]
    verified_on = forms.DateField(widget=DATE, required=False, help_text="Empty: today.")
    coverage_active = forms.TypedChoiceField(
        label="Coverage active on the payer's side?",
        choices=[("", "—"), ("yes", "Yes, active"), ("no", "No, not active")],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=True,
    )

    class Meta:
        model = BenefitsInvestigation
        fields = [f for f in BENEFITS_FIELDS if f != "assigned_to"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.coverage_active is not None:
            self.initial["coverage_active"] = "yes" if self.instance.coverage_active else "no"

    def _post_clean(self) -> None:
        pass


TRANSITION_HELP = {
    states.SUBMITTED: "Date sent to the payer; add the payer's case number if given.",
    states.APPROVED: "Copy the number, dates, units and visits from the approval letter.",
    states.DENIED: "The reason and the appeal deadline from the denial letter.",
    states.MORE_INFO: "What the payer asked for.",
    states.APPEAL_SUBMITTED: "Date the appeal was sent.",
}


class AuthorizationTransitionForm(forms.Form):
    to_status = forms.ChoiceField(
        choices=list(states.AUTHORIZATION.labels.items()), widget=forms.HiddenInput
    )
    on_date = forms.DateField(required=False, widget=DATE, label="Date", help_text="Empty: today.")
    authorization_number = forms.CharField(required=False, max_length=60)
    start_on = forms.DateField(required=False, widget=DATE, label="Start date")
    end_on = forms.DateField(required=False, widget=DATE, label="End date")
    units_authorized = forms.IntegerField(required=False, label="Units authorized")
    visits_authorized = forms.IntegerField(required=False, label="Visits authorized")
    appeal_deadline = forms.DateField(required=False, widget=DATE)
    reason = forms.CharField(required=False, max_length=1000, label="Reason / note")

    FIELDS_BY_STATUS = {
        states.SUBMITTED: ("on_date", "authorization_number"),
        states.APPROVED: (
            "on_date",
            "authorization_number",
            "start_on",
            "end_on",
            "units_authorized",
            "visits_authorized",
        ),
        states.DENIED: ("on_date", "reason", "appeal_deadline"),
        states.MORE_INFO: ("on_date", "reason"),
        states.APPEAL_SUBMITTED: ("on_date", "reason"),
    }

    def details(self) -> dict[str, Any]:
        """The detail fields the chosen status uses, without the empty ones."""
        status = self.cleaned_data["to_status"]
        wanted = set(self.FIELDS_BY_STATUS.get(status, ("on_date",))) - {"on_date", "reason"}
        return {k: v for k, v in self.cleaned_data.items() if k in wanted and v not in (None, "")}


class AuthorizationDetailsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PriorAuthorization
        fields = [
            "authorization_number",
            "hcpcs",
            "units_authorized",
            "visits_authorized",
            "start_on",
            "end_on",
            "appeal_deadline",
            "notes",
        ]
        widgets = {
            "start_on": DATE,
            "end_on": DATE,
            "appeal_deadline": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self) -> None:
        pass


class AssignForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=StaffMember.objects.none(), required=False)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = StaffMember.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )
        self.fields["staff"].to_field_name = "public_id"  # type: ignore[attr-defined]


class AssistanceProgramForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AssistanceProgram
        fields = [f for f in PROGRAM_FIELDS if f != "is_active"]

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["drug"].queryset = Drug.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True, premedication=False
        )

    def _post_clean(self) -> None:
        pass  # the service validates with the organization set


class EnrollmentForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AssistanceEnrollment
        fields = list(ENROLLMENT_FIELDS)
        widgets = {"enrolled_on": DATE, "expires_on": DATE}

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = AssistanceProgram.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )
        self.fields["drug"].queryset = Drug.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True, premedication=False
        )

    def _post_clean(self) -> None:
        pass


class EnrollmentEndForm(forms.Form):
    ended_on = forms.DateField(widget=DATE, label="Ends on")
    end_reason = forms.CharField(max_length=200, label="Why")
