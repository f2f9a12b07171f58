"""The contract path ``chairside.rules.optimizer`` (shared/ARCHITECTURE.md): re-exports
:mod:`chairside.rules.scheduling.optimizer`, where the code is. New code imports from there."""

import sys

from chairside.rules.scheduling.optimizer import (
    NUM_WORKERS,
    SEED,
    build_model,
    main,
    peak_floor,
    solve,
)

__all__ = [
    "NUM_WORKERS",
    "SEED",
    "build_model",
    "main",
    "peak_floor",
    "solve",
]

if __name__ == "__main__":
    sys.exit(main())
