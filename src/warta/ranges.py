"""What the database and Python can hold: the bounds every way in checks ids and times against.

- Row ids are SQL ``BIGINT`` (SQLite ``INTEGER``): 1 .. 2**63 - 1. A larger Python int reaches the
  driver and fails there (``OverflowError`` on SQLite, ``NumericValueOutOfRange`` on PostgreSQL).
- Times are stored in UTC. ``datetime`` holds years 1 to 9999 only, so an aware time whose UTC
  instant falls outside them (``9999-12-31T23:59:59-23:59``, ``0001-01-01T00:00:00+23:59``) cannot
  even be converted to UTC. The bounds keep a day's margin on both sides so that any stored time
  can still be shown in any time zone (offsets reach ±24 h) and compared with ``now ± a day``.

Pure functions, no I/O; callers turn a ``False`` into the error of their layer, or use
:func:`check_time` for a :class:`~warta.errors.FieldError` naming the field.
"""

from __future__ import annotations

from datetime import UTC, datetime

from warta.errors import FieldError

MAX_ROW_ID = 2**63 - 1
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)


def row_id_in_range(value: int) -> bool:
    """Whether ``value`` can be a row id (a positive 64-bit integer)."""
    return 1 <= value <= MAX_ROW_ID


def time_in_range(value: datetime) -> bool:
    """Whether the aware ``value`` can be stored and shown in any zone (see the module docstring).

    A naive ``value`` is taken to be UTC, as the store does.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return EARLIEST <= utc <= LATEST


def check_time(value: datetime, *, field: str) -> datetime:
    """``value`` unchanged, or a FieldError naming ``field`` when it is out of range."""
    if not time_in_range(value):
        raise FieldError(
            f"{field} {value.isoformat()} is outside the times warta can store",
            hint=f"send `{field}` between {EARLIEST.date()} and {LATEST.date()} in UTC",
            field=field,
        )
    return value
