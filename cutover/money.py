"""Money is integer kopecks inside cutover; these helpers turn it into text at the edges."""

from __future__ import annotations

from decimal import Decimal


def kopecks_to_decimal(kopecks: int) -> Decimal:
    """12345 -> Decimal('123.45')."""
    return Decimal(int(kopecks)).scaleb(-2)


def kopecks_to_text(kopecks: int) -> str:
    """12345 -> '123.45'; -5 -> '-0.05' (the decimal strings of summary.json)."""
    return f"{kopecks_to_decimal(kopecks):.2f}"


def kopecks_to_roubles_text(kopecks: int) -> str:
    """123456789 -> '1 234 567,89' (how accountants read money in messages and on screen)."""
    return f"{kopecks_to_decimal(kopecks):,.2f}".replace(",", " ").replace(".", ",")
