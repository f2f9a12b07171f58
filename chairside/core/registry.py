"""A handler registry: how an earlier step of the work lets later steps act on its events.

The earlier app owns the registry (in its ``events.py``, or ``tenancy.today`` for Today cards);
the later app registers its handlers in its ``AppConfig.ready()``. Imports then run with the
flow of work (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

H = TypeVar("H")


class Registry(Generic[H]):
    """Handlers in the order they were registered; registering one twice keeps one."""

    def __init__(self) -> None:
        self._handlers: list[H] = []

    def register(self, handler: H) -> H:
        """Register ``handler`` (usable as a decorator: returns it unchanged)."""
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def __iter__(self) -> Iterator[H]:
        return iter(list(self._handlers))

    def __bool__(self) -> bool:
        return bool(self._handlers)
