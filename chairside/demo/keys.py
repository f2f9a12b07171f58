"""The demo log-ins' password and two-factor secret, with no Django import, so that scripts
outside the app (``deploy/prod_check.py``, ``bench/load.py``) can log in as the demo staff.

Demo only: published in the README so anyone can try the demo; never in a real center.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import time

DEMO_PASSWORD = "chairside-demo"  # noqa: S105 (printed for the demo log-ins; demo only)
# The authenticator secret of the demo log-ins that need two-factor (admin, biller, manager):
# hex as django-otp stores it; the same secret in base32, as an authenticator app takes it,
# is DEMO_TOTP_SECRET.
DEMO_TOTP_KEY = "6368616972736964652d64656d6f2d3266612121"  # noqa: S105 (demo only)
DEMO_TOTP_SECRET = "MNUGC2LSONUWIZJNMRSW23ZNGJTGCIJB"  # noqa: S105 (demo only)
# Demo user name → role (the manager is the management company's administrator).
DEMO_ROLES: dict[str, str] = {
    "admin": "admin",
    "coordinator": "coordinator",
    "nurse": "nurse",
    "pharmacist": "pharmacist",
    "biller": "biller",
    "physician": "provider",
    "auditor": "auditor",
    "manager": "admin",
}
TWO_FACTOR_USERS = frozenset({"admin", "biller", "manager"})


def totp_code(key_hex: str = DEMO_TOTP_KEY, at: float | None = None, step: int = 30) -> str:
    """The 6-digit time-based code (RFC 6238: HMAC-SHA1, 30 s steps, as django-otp's TOTP
    and every authenticator app compute it) for a hex key at a moment (default now)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
