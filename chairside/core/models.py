"""Shared model bases: a public UUID, timestamps, and the organization every row belongs to."""

from __future__ import annotations

import uuid

from django.db import models


class BaseModel(models.Model):
    """Every Chairside row: a public UUID for URLs and the API, and when it was made/changed.

    Integer keys never leave the server for anything about a patient; URLs use ``public_id``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OrgScopedModel(BaseModel):
    """A row of patient or business data; it belongs to exactly one organization."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
