"""Collect every problem with a piece of input so a form shows them all at once.

Services check field by field; raising at the first problem makes a coordinator fix one
mistake per submit. ``Problems`` gathers each check's ValidationError and raises one with
all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class Problems:
    def __init__(self) -> None:
        self.errors: dict[str, list[Any]] = {}

    def add(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            error.update_error_dict(self.errors)
        else:
            self.errors.setdefault(NON_FIELD_ERRORS, []).extend(error.error_list)

    @contextmanager
    def check(self) -> Iterator[None]:
        """Run one check; a ValidationError it raises is kept, not propagated."""
        try:
            yield
        except ValidationError as error:
            self.add(error)

    def full_clean(self, instance: Any) -> None:
        """The model's own checks, skipping fields that already have a problem."""
        with self.check():
            instance.full_clean(exclude=[name for name in self.errors if name != NON_FIELD_ERRORS])

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
