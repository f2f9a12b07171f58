from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chairside.settings")
application = get_wsgi_application()

# What a worker loads at start (Django, every app, the rules and their reference data) lives
# as long as the worker. Frozen, it is out of the garbage collector's reach, so a full
# collection scans only what requests create: without this the Today page paused 1 request
# in 15 for a full collection (+130 ms; bench/readiness.py).
gc.collect()
gc.freeze()
