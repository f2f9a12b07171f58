"""On PostgreSQL, the database itself refuses two live appointments overlapping in a chair.

``EXCLUDE USING gist (chair_id WITH =, tstzrange(start, "end", '[)') WITH &&)`` for the statuses
that hold a chair; btree_gist lets a gist index compare the plain chair id. The constraint is
DEFERRABLE INITIALLY IMMEDIATE so that accepting an optimizer proposal, which swaps
appointments between chairs, can check it once at commit. SQLite has no exclusion
constraints: there the booking service's check under an IMMEDIATE transaction serialises
writers (settings.py). The constraint is kept out of the model state on purpose (it exists
on one database only), so both operations are no-ops elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import Deferrable, Func, Q, Value

CONSTRAINT = "appointment_no_chair_overlap"
LIVE = ("booked", "checked_in", "completed", "confirmed", "in_chair")


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def exclusion() -> ExclusionConstraint:
    return ExclusionConstraint(
        name=CONSTRAINT,
        expressions=[
            ("chair", RangeOperators.EQUAL),
            (TsTzRange("start", "end", Value("[)")), RangeOperators.OVERLAPS),
        ],
        condition=Q(status__in=LIVE),
        deferrable=Deferrable.IMMEDIATE,
    )


def add_exclusion(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_constraint(apps.get_model("scheduling", "Appointment"), exclusion())


def drop_exclusion(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_constraint(apps.get_model("scheduling", "Appointment"), exclusion())


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_shifts_closures_appointments")]

    operations = [
        BtreeGistExtension(),  # does nothing on SQLite
        migrations.RunPython(add_exclusion, drop_exclusion),
    ]
