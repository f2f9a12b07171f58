"""The reference order sets (``data/order_sets.json``) as
``rules.clinical.order_sets.OrderSets``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from chairside.rules.clinical.order_sets import OrderSets, parse_order_sets

ORDER_SETS_FILE = Path(__file__).resolve().parent / "data" / "order_sets.json"


@cache
def order_sets() -> OrderSets:
    return parse_order_sets(json.loads(ORDER_SETS_FILE.read_text(encoding="utf-8")))
