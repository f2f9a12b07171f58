"""Small helpers shared by views: a service's ValidationError as form errors, and the one
form → service → errors → redirect shape every edit page follows (``submit_form``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

T = TypeVar("T")


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


def submit_form(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    save: Callable[[dict[str, Any]], T],
    done: Callable[[T], str | HttpResponse] | str,
    template: str,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
    message: Callable[[T], str] | str = "",
    also_valid: tuple[forms.BaseForm, ...] = (),
) -> HttpResponse:
    """The edit page's whole round trip.

    On a POST whose ``form`` (and every form in ``also_valid``) is valid, call ``save`` with
    the cleaned data; a ValidationError from the service goes back onto the form, anything
    else is the service's success: flash ``message`` and redirect to ``done`` (a URL, a URL
    name, or a function of what ``save`` returned giving one of those or the response itself,
    such as a ?next= redirect). Otherwise render ``template`` with the form
    (and ``context``; a function here is called only when the page is rendered, for context
    that costs queries): 200 for a GET, 400 for a refused POST, so a client, a test and the
    browser's back button all see that nothing was saved.
    """
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in also_valid):
        try:
            saved = save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = message(saved) if callable(message) else message
            if text:
                messages.success(request, text)
            target = done(saved) if callable(done) else done
            return target if isinstance(target, HttpResponse) else redirect(target)
    status = 400 if request.method == "POST" else 200
    extra = context() if callable(context) else context
    return render(request, template, {"form": form, **(extra or {})}, status=status)
