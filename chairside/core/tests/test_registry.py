from __future__ import annotations

from collections.abc import Callable

from chairside.core.registry import Registry


def test_handlers_run_in_registration_order_once_each() -> None:
    registry: Registry[Callable[[], str]] = Registry()
    assert not registry

    @registry.register
    def first() -> str:
        return "first"

    def second() -> str:
        return "second"

    assert registry.register(second) is second
    registry.register(first)  # a module imported twice registers once
    assert [handler() for handler in registry] == ["first", "second"]
    assert registry
