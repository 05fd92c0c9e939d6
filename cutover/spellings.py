"""One value as people write it, read without pandas: an amount of money, a billing month.

These are the per-value rules of the engine's tolerant readers (:mod:`cutover.control.readers`
applies them to whole columns, vectorised, and states every spelling they accept). They stand
at the base of the layers and import nothing heavy, so reading cutover.toml (its ``[declared]``
amounts and months, :mod:`cutover.declared`) loads no pandas or pyarrow.
"""

from __future__ import annotations

import re

GAP_CLASS = "[ \u00a0\u202f\u2009\u2007'\u2019]"  # what separates groups of three digits
# One decimal separator at most and no grouping, or groups of three apart: most values of any column.
_PLAIN = re.compile(r"^[0-9]+(?:[.,][0-9]+)?$")
_SPACED = re.compile(rf"^[0-9]{{1,3}}(?:{GAP_CLASS}[0-9]{{3}})+(?:[.,][0-9]+)?$")
MONEY_DIGITS = 16  # roubles before the point: the kopecks of 10^16 roubles still fit an int64


_THOUSANDS = (  # (pattern of the unsigned value, thousands separator, decimal point)
    (re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+"), ",", "."),
    (re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+"), ".", ","),
    (re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){2,}"), ",", None),
    (re.compile(r"[0-9]{1,3}(?:\.[0-9]{3}){2,}"), ".", None),
)


def point_text(text: str) -> tuple[str | None, str | None]:
    """One value as point text (``1.234,56`` -> ``1234.56``), or why it is not a number.

    Examples
    --------
    >>> point_text("1.234.567,89"), point_text("- 1 234,5")
    (('1234567.89', None), ('-1234.5', None))
    >>> point_text("12-34")[1]
    "'12-34' is not a number"
    """
    if any(char.isdecimal() and not "0" <= char <= "9" for char in text):
        from cutover.decimals import (
            foreign_digit_note,  # loads pandas: only for a value that needs the note
        )

        return None, f"{text!r} is not a number: {foreign_digit_note(text)}"
    value = text.strip()
    sign = "-" if value[:1] in ("-", "\u2212") else ""
    body = value[1:].strip() if value[:1] in ("+", "-", "\u2212") else value
    if _PLAIN.match(body) or _SPACED.match(body):  # "- 5": a sign apart from its digits
        return sign + re.sub(GAP_CLASS, "", body).replace(",", "."), None
    for pattern, thousands, point in _THOUSANDS:
        if pattern.fullmatch(body):
            digits = body.replace(thousands, "")
            return sign + (digits.replace(point, ".") if point else digits), None
    if "," in body and "." in body and re.fullmatch(r"[0-9.,]+", body):
        return None, (f"{text!r} has both a comma and a dot, and neither separates groups of three digits "
                      f"(neither {body.replace('.', '').replace(',', '.')!r} nor {body.replace(',', '')!r} reads)")
    if re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+", body):
        return None, f"{text!r} is in scientific notation, which holds no exact amount"
    return None, f"{text!r} is not a number"


def read_amount(text: str, unit: str = "roubles") -> tuple[int | None, str | None]:
    """One amount as :func:`cutover.control.readers.read_money` reads it: its kopecks, or why it
    cannot be read.

    Parameters
    ----------
    text : str
        The amount as written (``"1 234 567,89"``).
    unit : {"roubles", "kopecks"}
        Roubles with at most two decimals that are not zero, or whole kopecks.

    Examples
    --------
    >>> read_amount("1 234 567,89"), read_amount("12,345")
    ((123456789, None), (None, "'12,345' is not money in at most two decimals (whole kopecks)"))
    """
    value = text.strip()
    if not value:
        return None, "the amount is blank"
    point, problem = point_text(value)
    if point is None:
        return None, problem
    allowed = 0 if unit == "kopecks" else 2
    whole, _, fraction = point.removeprefix("-").partition(".")
    if len(whole.lstrip("0")) > MONEY_DIGITS + 2 - allowed:  # read_money names the size first
        return None, f"{text!r} is too large an amount"
    if len(fraction.rstrip("0")) > allowed:
        what = "whole kopecks" if unit == "kopecks" else "at most two decimals (whole kopecks)"
        return None, f"{text!r} is not money in {what}"
    kopecks = int(whole) * 100 + int(fraction[:2].ljust(2, "0")) if allowed else int(whole)
    return (-kopecks if point.startswith("-") else kopecks), None


# ---- billing months --------------------------------------------------------------------------

_MONTH_NAMES = {
    1: ("январь", "января", "янв", "january", "jan"), 2: ("февраль", "февраля", "фев", "february", "feb"),
    3: ("март", "марта", "мар", "march", "mar"), 4: ("апрель", "апреля", "апр", "april", "apr"),
    5: ("май", "мая", "may"), 6: ("июнь", "июня", "июн", "june", "jun"), 7: ("июль", "июля", "июл", "july", "jul"),
    8: ("август", "августа", "авг", "august", "aug"), 9: ("сентябрь", "сентября", "сен", "сент", "september", "sep"),
    10: ("октябрь", "октября", "окт", "october", "oct"), 11: ("ноябрь", "ноября", "ноя", "november", "nov"),
    12: ("декабрь", "декабря", "дек", "december", "dec"),
}
_MONTHS = {name: month for month, names in _MONTH_NAMES.items() for name in names}
_PERIOD_FORMS = (  # (pattern, group of the year, group of the month)
    (re.compile(r"([0-9]{4})[-./]([0-9]{1,2})"), 1, 2),
    (re.compile(r"([0-9]{1,2})[-./]([0-9]{4})"), 2, 1),
    (re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T][0-9:.]+)?"), 1, 2),
    (re.compile(r"([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4})(?: [0-9:.]+)?"), 3, 2),
    (re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"), 1, 2),
)


def _year_month(year: int, month: int) -> str | None:
    return f"{year:04d}-{month:02d}" if 1900 <= year <= 2099 and 1 <= month <= 12 else None


def read_period(text: str) -> str | None:
    """The billing month (``YYYY-MM``) a value names, or None.

    Examples
    --------
    >>> [read_period(t) for t in ("202610", "102026", "10.2026", "2026-10-01", "окт. 2026", "13.2026")]
    ['2026-10', '2026-10', '2026-10', '2026-10', '2026-10', None]
    """
    value = " ".join(text.split()).lower()
    if re.fullmatch(r"[0-9]{6}", value):
        return _year_month(int(value[:4]), int(value[4:])) or _year_month(int(value[2:]), int(value[:2]))
    for pattern, year, month in _PERIOD_FORMS:
        found = pattern.fullmatch(value)
        if found:
            return _year_month(int(found.group(year)), int(found.group(month)))
    named = re.fullmatch(r"([a-zа-яё]+)\.?,? ?([0-9]{4})(?: ?г(?:ода?)?\.?)?", value)
    if named and named.group(1) in _MONTHS:
        return _year_month(int(named.group(2)), _MONTHS[named.group(1)])
    return None
