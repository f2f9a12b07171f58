"""Cache a costly figure under the fingerprint of the rows it is computed from.

The Today page's counts walk thousands of rows (every active order's next dose by its
regimen, its labs, its bookings); those rows change far less often than the page is read. A
figure cached under the fingerprint of its inputs is recomputed as soon as one of them is
added, changed or deleted. The fingerprint of one organization's inputs for a topic is:

* a generation token kept in the cache, replaced whenever ``save()`` or ``delete()`` touches
  one of the watched rows of that organization (``watch``): at once, so the request that made
  the change reads fresh figures, and again when the transaction commits, so a figure another
  request computed from the rows before the commit is never kept under the new token;
* each input's row count and latest ``updated_at``: catches what sends no signal
  (``bulk_create``, another process without the watchers, a token the cache evicted).

Writes through ``QuerySet.update()`` send no signal and leave ``updated_at`` alone; the rows
watched here are never written that way (``core/tests/test_fingerprint.py`` checks the code).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Model, QuerySet
from django.db.models.signals import post_delete, post_save


@dataclass(frozen=True)
class Rows:
    """The rows of ``model`` that belong to an organization, through ``organization_path``
    (``"organization"``, or a path through a foreign key such as ``"order__organization"``)."""

    model: type[Model]
    organization_path: str = "organization"

    def of(self, organization: Any) -> QuerySet[Any]:
        return self.model._default_manager.filter(**{self.organization_path: organization})

    def organization_id(self, instance: Any) -> Any:
        """The organization a row belongs to (one small query for a path through a key)."""
        first, _, rest = self.organization_path.partition("__")
        value = getattr(instance, f"{first}_id", None)
        if not rest or value is None:
            return value
        related = self.model._meta.get_field(first).related_model
        assert related is not None and not isinstance(related, str)
        return related._default_manager.filter(pk=value).values_list(rest, flat=True).first()


def _token_key(topic: str, organization_id: Any) -> str:
    return f"rows-generation:{topic}:{organization_id}"


def _renew(topic: str, organization_id: Any) -> None:
    cache.set(_token_key(topic, organization_id), uuid.uuid4().hex, None)


def watch(topic: str, rows: Iterable[Rows]) -> None:
    """Renew the topic's token of the row's organization on every save and delete of these
    rows (idempotent: watching the same rows twice connects once)."""
    for watched in rows:

        def changed(sender: Any, instance: Any, watched: Rows = watched, **kwargs: Any) -> None:
            organization_id = watched.organization_id(instance)
            if organization_id is None:
                return
            _renew(topic, organization_id)
            transaction.on_commit(lambda: _renew(topic, organization_id))

        uid = f"fingerprint:{topic}:{watched.model._meta.label}:{watched.organization_path}"
        post_save.connect(changed, sender=watched.model, dispatch_uid=uid, weak=False)
        post_delete.connect(changed, sender=watched.model, dispatch_uid=uid, weak=False)


def fingerprint(topic: str, organization: Any, rows: Iterable[Rows]) -> str:
    """A short digest of the topic's token for the organization and each input's row count
    and latest ``updated_at``, in order: one query per input."""
    key = _token_key(topic, organization.pk)
    token = cache.get(key)
    if token is None:
        token = uuid.uuid4().hex
        cache.add(key, token, None)
        token = cache.get(key, token)
    parts = [str(token)]
    for watched in rows:
        found = watched.of(organization).order_by().aggregate(n=Count("pk"), last=Max("updated_at"))
        last = found["last"].isoformat() if found["last"] is not None else "-"
        parts.append(f"{watched.model._meta.label}:{found['n']}:{last}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
