"""Small helpers shared by views: turning a service's ValidationError into form errors."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show each message of a service's ValidationError on its field (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            if field == NON_FIELD_ERRORS:
                target = None
            for e in errors:
                form.add_error(target, e.messages[0] if e.messages else str(e))
    else:
        for message in error.messages:
            form.add_error(None, message)
