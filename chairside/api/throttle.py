"""Per-token rate limit: each API token may make ``API_TOKEN_RATE_PER_MINUTE`` requests in a
minute (fixed one-minute windows, counted in Django's cache). Past that the call answers 429
with ``Retry-After`` (RFC 9110 10.2.3; status 429 from RFC 6585 section 4) and a sentence,
before any query of the call runs. Sessions are not limited here: a person's pages and the
log-in throttle (``accounts.throttle``) cover them.

The count lives in the cache named by ``CACHES["default"]``: in production, point
``CACHE_URL`` at Redis so that every web worker shares one count per token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends (0 when allowed)
    limit: int


def token_rate_check(token_id: object, *, now: float | None = None) -> Verdict:
    """Count one request of the token and say whether it is within the minute's limit."""
    limit = int(settings.API_TOKEN_RATE_PER_MINUTE)
    if limit <= 0:  # 0 turns the limit off
        return Verdict(True, 0, limit)
    moment = time.time() if now is None else now
    window = int(moment // WINDOW_SECONDS)
    key = f"chairside:api-rate:{token_id}:{window}"
    # add() is a no-op when the key exists; incr() is atomic in Redis and in LocMemCache.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: this request opens the window
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    if count <= limit:
        return Verdict(True, 0, limit)
    retry = max(1, int((window + 1) * WINDOW_SECONDS - moment + 0.999))
    return Verdict(False, retry, limit)
