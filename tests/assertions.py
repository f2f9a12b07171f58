"""Assertions shared by every app's tests.

``assert_no_db_changes(*models)`` wraps a refused write: it reads every row of the given models
(every column, through the base manager, so soft-deleted or scoped rows count too) before the
block and again after it, and fails naming the model whose rows were added, removed or changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import Model


def rows(model: type[Model]) -> list[tuple[Any, ...]]:
    return list(model._base_manager.order_by("pk").values_list())


@contextmanager
def assert_no_db_changes(*models: type[Model]) -> Iterator[None]:
    assert models, "name the models the refused write would have touched"
    before = {model: rows(model) for model in models}
    yield
    changed = [model.__name__ for model in models if rows(model) != before[model]]
    assert changed == [], f"a refused write changed {', '.join(changed)}"
