"""The scheduling fixtures (a center, an order, a nurse, the clock) serve readiness too."""

from chairside.scheduling.tests.conftest import (  # noqa: F401
    chairs,
    clock,
    coordinator,
    nurse,
    order,
    s,
)
