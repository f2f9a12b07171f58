"""Storage temperature logs: devices, readings (entered or imported from a data logger's
CSV), excursions flagged automatically by ``rules.inventory.temperature`` and their follow-up."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chairside.audit.services import audit_record, snapshot
from chairside.compliance.models import (
    TemperatureDevice,
    TemperatureExcursion,
    TemperatureImport,
    TemperatureReading,
)
from chairside.compliance.services._common import person_name
from chairside.core.actors import acting_user
from chairside.rules.inventory import temperature as rule
from chairside.tenancy.models import Location, Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ONE_DECIMAL = Decimal("0.1")


@transaction.atomic
def device_save(
    *,
    organization: Organization,
    user: User | None,
    location: Location,
    name: str,
    kind: str,
    low_c: Decimal | None = None,
    high_c: Decimal | None = None,
) -> TemperatureDevice:
    """A refrigerator, freezer or room to log; its range defaults to the USP range of its kind."""
    if location.organization_id != organization.pk:
        raise ValidationError({"location": "Choose one of your organization's locations."})
    try:
        limits = rule.device_range(kind, low_c, high_c)
    except ValueError as exc:
        raise ValidationError({"high_c": str(exc)}) from None
    name = name.strip()
    if TemperatureDevice.objects.filter(location=location, name__iexact=name).exists():
        raise ValidationError({"name": f"{location} already logs a device named {name}."})
    device = TemperatureDevice(
        organization=organization,
        location=location,
        name=name,
        kind=kind,
        low_c=limits.low.quantize(ONE_DECIMAL),
        high_c=limits.high.quantize(ONE_DECIMAL),
    )
    device.full_clean()
    device.save()
    audit_record(
        action="create",
        user=user,
        organization=organization,
        obj=device,
        changes={k: [None, v] for k, v in snapshot(device).items()},
    )
    return device


def _limits(device: TemperatureDevice) -> rule.Range:
    return rule.device_range(device.kind, device.low_c, device.high_c)


def _room_mkt(device: TemperatureDevice, at: dt.datetime, celsius: Decimal) -> Decimal | None:
    if device.kind != TemperatureDevice.Kind.ROOM:
        return None
    window = TemperatureReading.objects.filter(
        device=device, at__gt=at - rule.MKT_WINDOW, at__lte=at
    ).values_list("celsius", flat=True)
    return rule.mean_kinetic_temperature([*window, celsius])


def _place_in_excursion(reading: TemperatureReading, limits: rule.Range) -> None:
    """Open a new excursion for this reading, or extend the one of the reading before it."""
    previous = (
        TemperatureReading.objects.filter(device=reading.device, at__lt=reading.at)
        .select_related("excursion")
        .order_by("-at")
        .first()
    )
    open_one = previous.excursion if previous is not None else None
    joins = rule.joins_open_excursion(
        rule.Status(previous.status) if previous is not None else None,
        open_one is not None and not open_one.has_follow_up,
    )
    if joins and open_one is not None:
        open_one.ended_at = max(open_one.ended_at, reading.at)
        open_one.min_c = min(open_one.min_c, reading.celsius)
        open_one.max_c = max(open_one.max_c, reading.celsius)
        open_one.save(update_fields=["ended_at", "min_c", "max_c", "updated_at"])
        reading.excursion = open_one
        return
    reading.excursion = TemperatureExcursion.objects.create(
        organization=reading.device.organization,
        device=reading.device,
        started_at=reading.at,
        ended_at=reading.at,
        min_c=reading.celsius,
        max_c=reading.celsius,
        description=rule.excursion_text(reading.celsius, limits),
    )


def _reading_add(
    *, device: TemperatureDevice, user: User | None, at: dt.datetime, celsius: Decimal, source: str
) -> TemperatureReading:
    if timezone.is_naive(at):
        raise ValidationError({"at": "The reading's time needs a time zone."})
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": "A reading cannot be in the future."})
    celsius = celsius.quantize(ONE_DECIMAL)
    if not Decimal("-90") <= celsius <= Decimal("60"):
        raise ValidationError({"celsius": f"{celsius} °C is not a plausible storage reading."})
    if TemperatureReading.objects.filter(device=device, at=at).exists():
        raise ValidationError({"at": f"{device} has a reading at that time already."})
    limits = _limits(device)
    status = rule.reading_status(celsius, limits, mkt=_room_mkt(device, at, celsius))
    reading = TemperatureReading(
        device=device,
        at=at,
        celsius=celsius,
        status=status.value,
        recorded_by=acting_user(user),
        source=source,
    )
    if status == rule.Status.EXCURSION:
        _place_in_excursion(reading, limits)
    try:
        with transaction.atomic():
            reading.save()
    except IntegrityError:
        raise ValidationError({"at": f"{device} has a reading at that time already."}) from None
    return reading


@transaction.atomic
def reading_record(
    *, device: TemperatureDevice, user: User | None, at: dt.datetime, celsius: Decimal
) -> TemperatureReading:
    """One reading typed from the display; out of range, it opens (or extends) an excursion
    that needs a follow-up."""
    reading = _reading_add(device=device, user=user, at=at, celsius=celsius, source="entered")
    audit_record(
        action="create",
        user=user,
        organization=device.organization,
        obj=device,
        changes={"reading": [None, f"{reading.at.isoformat()} {reading.celsius} °C"]},
    )
    return reading


@transaction.atomic
def excursion_follow_up(
    *, excursion: TemperatureExcursion, user: User, action_taken: str, product_impact: str
) -> TemperatureExcursion:
    """What was done about an excursion and what it meant for the stored products."""
    current = TemperatureExcursion.objects.select_for_update().get(pk=excursion.pk)
    if current.has_follow_up:
        raise ValidationError(
            {"action_taken": f"This excursion was followed up by {current.followed_up_by_name}."}
        )
    errors = {}
    if not (action_taken or "").strip():
        errors["action_taken"] = "Say what was done (e.g. door closed, unit serviced, stock moved)."
    if not (product_impact or "").strip():
        errors["product_impact"] = (
            "Say what it means for the products stored (e.g. manufacturer consulted: "
            "stable; or lots quarantined and discarded)."
        )
    if errors:
        raise ValidationError(errors)
    current.action_taken = action_taken.strip()
    current.product_impact = product_impact.strip()
    current.followed_up_by = acting_user(user)
    current.followed_up_by_name = person_name(acting_user(user), current.organization)
    current.followed_up_at = timezone.now()
    current.save()
    audit_record(
        action="update",
        user=user,
        organization=current.organization,
        obj=current,
        changes={
            "action_taken": [None, current.action_taken],
            "product_impact": [None, current.product_impact],
        },
    )
    return current


# --- CSV import: a dry run listing each row's problems, then all or nothing ---------------

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = ("device", "at", "celsius")
CSV_HINT = (
    "Columns: device (its name here), at (YYYY-MM-DD HH:MM or MM/DD/YYYY HH:MM, the site's "
    "local time), celsius (or fahrenheit)."
)


def _problem(row: int, column: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": column, "message": message}


def _parse_time(value: str, location: Location) -> dt.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M"):
        try:
            naive = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 (the site's local time)
        except ValueError:
            continue
        return naive.replace(tzinfo=location.tz)
    return None


def _celsius(row: dict[str, str]) -> tuple[Decimal | None, str, str]:
    """The reading in °C, or the problem (column, message)."""
    column = "celsius" if (row.get("celsius") or "").strip() else "fahrenheit"
    text = (row.get(column) or "").strip()
    if not text:
        return None, "celsius", "is empty; write the reading in celsius (or fahrenheit)."
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, column, f"'{text}' is not a number."
    if column == "fahrenheit":
        value = (value - 32) * 5 / 9
    return value, "", ""


def _rows(text: str) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
    except StopIteration:
        return [], [_problem(1, "", "The file is empty.")]
    missing = [c for c in ("device", "at") if c not in header]
    if "celsius" not in header and "fahrenheit" not in header:
        missing.append("celsius")
    if missing:
        return [], [_problem(1, c, "This column is missing from the header row.") for c in missing]
    rows = [dict(zip(header, v, strict=False)) for v in reader if any(x.strip() for x in v)]
    if not rows:
        return [], [_problem(2, "", "The file has a header row but no data rows.")]
    if len(rows) > MAX_ROWS:
        return [], [_problem(1, "", f"More than {MAX_ROWS} rows: split the file.")]
    return rows, []


def _apply(location: Location, user: User, text: str) -> tuple[int, int, list[dict[str, Any]]]:
    """Add every row (in time order per device, so excursions join up); returns the rows
    read, the excursions opened and the problems. The caller decides whether to keep it."""
    rows, problems = _rows(text)
    devices = {
        d.name.lower(): d
        for d in TemperatureDevice.objects.filter(location=location, is_active=True)
    }
    parsed: list[tuple[dt.datetime, int, TemperatureDevice, Decimal]] = []
    for number, row in enumerate(rows, start=2):
        name = (row.get("device") or "").strip()
        device = devices.get(name.lower())
        if device is None:
            known = ", ".join(sorted(d.name for d in devices.values())) or "none yet"
            problems.append(
                _problem(number, "device", f"'{name}' is not a device at {location} ({known}).")
            )
        at_text = (row.get("at") or "").strip()
        at = _parse_time(at_text, location)
        if at is None:
            problems.append(
                _problem(number, "at", f"'{at_text}' is not a time: write YYYY-MM-DD HH:MM.")
            )
        celsius, column, message = _celsius(row)
        if celsius is None:
            problems.append(_problem(number, column, message))
        if device is not None and at is not None and celsius is not None:
            parsed.append((at, number, device, celsius))
    before = TemperatureExcursion.objects.filter(device__location=location).count()
    for at, number, device, celsius in sorted(parsed, key=lambda p: (p[2].pk, p[0])):
        try:
            with transaction.atomic():
                _reading_add(device=device, user=user, at=at, celsius=celsius, source="csv")
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                problems.extend(_problem(number, field, m) for m in messages)
    opened = TemperatureExcursion.objects.filter(device__location=location).count() - before
    return len(rows), opened, sorted(problems, key=lambda p: p["row"])


def temperature_csv_upload(
    *, organization: Organization, user: User, location: Location, filename: str, data: bytes
) -> TemperatureImport:
    """Keep the uploaded log and dry-run it: nothing is imported yet."""
    if location.organization_id != organization.pk:
        raise ValidationError({"location": "Choose one of your organization's locations."})
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": "The file is larger than 2 MB: split it."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": "The file is not UTF-8 text: save it from the spreadsheet as 'CSV UTF-8'."}
        ) from None
    with transaction.atomic():
        count, _opened, problems = _apply(location, user, text)
        transaction.set_rollback(True)
    return TemperatureImport.objects.create(
        organization=organization,
        location=location,
        filename=filename[:200],
        text=text,
        status=TemperatureImport.Status.PROBLEMS if problems else TemperatureImport.Status.CHECKED,
        row_count=count,
        problems=problems,
        created_by=acting_user(user),
    )


def temperature_csv_commit(*, batch: TemperatureImport, user: User) -> TemperatureImport:
    """Import every row in one transaction, or nothing when any row has a problem now."""
    with transaction.atomic():
        locked = TemperatureImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status == TemperatureImport.Status.IMPORTED:
            raise ValidationError("This file was imported already.")
        with transaction.atomic():
            count, opened, problems = _apply(locked.location, user, locked.text)
            if problems:
                transaction.set_rollback(True)
        locked.problems = problems
        if problems:
            locked.status = TemperatureImport.Status.PROBLEMS
        else:
            locked.status = TemperatureImport.Status.IMPORTED
            locked.imported_at = timezone.now()
            audit_record(
                action="create",
                user=user,
                organization=locked.organization,
                obj=locked,
                changes={"imported": [None, f"{count} readings, {opened} new excursions"]},
                reason=f"CSV import of {locked.filename}",
            )
        locked.save()
    return locked
