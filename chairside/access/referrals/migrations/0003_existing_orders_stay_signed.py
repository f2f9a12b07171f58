"""Orders entered before Chairside recorded signatures were treated as signed (they were
booked and given): keep them signed, dated when they were entered, with no named signer
(the paper order holds the signature). Only orders entered from now on start as drafts."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import F


def keep_signed(apps: Any, schema_editor: Any) -> None:
    order = apps.get_model("referrals", "TreatmentOrder")
    order.objects.filter(signed_at__isnull=True).update(signed_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_order_signature")]

    operations = [migrations.RunPython(keep_signed, migrations.RunPython.noop)]
