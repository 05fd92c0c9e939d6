"""Billing periods: a month written ``YYYY-MM``, and the month after it."""

from __future__ import annotations


def next_period(period: str) -> str:
    """The month after ``period`` (``YYYY-MM``): ``2026-12`` -> ``2027-01``."""
    year, month = (int(part) for part in period.split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
