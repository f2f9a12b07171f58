"""The Celery application: Chairside's background jobs (chairside/*/tasks.py).

Broker and result store come from the settings (``CELERY_*``): Redis in production, kombu's
filesystem transport for ``make run`` (no server needed), and eager, in-process execution
in the tests. Start a worker with ``celery -A chairside worker`` and the nightly schedule
with ``celery -A chairside beat`` (``make run`` starts one worker with beat embedded).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chairside.settings")

app = Celery("chairside")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
