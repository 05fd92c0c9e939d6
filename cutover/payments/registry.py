"""A payment registry read as its layout says: its lines kept byte for byte, its payments read.

Every line is kept as it was (its text and its line ending), so the translated registry differs
from the agent's only in the account numbers and the footer. A payment's money is read by the
engine's own reader (:func:`cutover.spellings.read_amount`, the one the control totals use), its
billing month by :func:`cutover.spellings.read_period`, its date by the layout's explicit format.

A line that cannot be read as a payment (too few fields, a blank account or payment id, a date
or month that is not one) is a payment all the same: it is counted against the footer and goes
back to the agent with the reason, naming the file, line, column and value. Only an amount that
cannot be read stops the registry, since its footer cannot then be checked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cutover.errors import CutoverError
from cutover.money import kopecks_to_roubles_text as roubles
from cutover.payments.layout import Field, Layout
from cutover.spellings import read_amount, read_period


class RegistryError(CutoverError):
    """The registry cannot be taken as a whole (exit code 2): unreadable, no footer, totals off."""


@dataclass(frozen=True)
class Line:
    """One line of the file: its number (1 = the first), its text and its ending (``\\r\\n``, ``\\n``, none)."""

    number: int
    text: str
    ending: str


@dataclass
class Payment:
    """One payment line: the values of its columns, read, and what could not be read."""

    line: Line
    values: dict[str, str]
    kopecks: int
    period: str | None = None
    paid_on: dt.date | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def legacy_account(self) -> str:
        return self.values.get("legacy_account", "")

    @property
    def payment_id(self) -> str:
        return self.values.get("payment_id", "")

    @property
    def service(self) -> str:
        return self.values.get("service", "")


@dataclass(frozen=True)
class Registry:
    """A registry read: every line, the header lines, the payments, the footer and its totals."""

    path: Path
    layout: Layout
    lines: list[Line]
    header: list[Line]
    payments: list[Payment]
    footer: Line
    footer_count: int
    footer_kopecks: int
    trailing_newline: bool


def split_lines(text: str) -> tuple[list[Line], bool]:
    """The lines of ``text`` with their endings, and whether the last one ended with a newline."""
    parts = text.split("\n")
    ended = parts[-1] == ""
    if ended:
        parts.pop()
    lines = []
    for number, part in enumerate(parts, 1):
        last = number == len(parts)
        ending = "\n" if not last or ended else ""
        if part.endswith("\r"):
            part, ending = part[:-1], "\r" + ending
        lines.append(Line(number, part, ending))
    return lines, ended


def field_text(layout: Layout, text: str, spot: Field) -> str | None:
    """The raw text of ``spot`` on a line (None when the line does not reach it)."""
    if spot.number is not None:
        parts = text.split(layout.delimiter)
        return parts[spot.number - 1] if spot.number <= len(parts) else None
    if len(text) < spot.start:
        return None
    return text[spot.start - 1:spot.start - 1 + spot.width]


def replace_field(layout: Layout, text: str, spot: Field, value: str) -> str:
    """``text`` with ``spot`` holding ``value`` (aligned and padded to its width when fixed)."""
    if spot.number is not None:
        parts = text.split(layout.delimiter)
        parts[spot.number - 1] = value
        return layout.delimiter.join(parts)
    padded = text.ljust(spot.start - 1 + spot.width)
    return padded[:spot.start - 1] + spot.fitted(value) + padded[spot.start - 1 + spot.width:]


def _after_marker(layout: Layout, text: str) -> tuple[str, str]:
    """A delimited footer split into its marker and the fields after it: a marker that is a field
    of its own (``ИТОГО<TAB>5<TAB>1360.55``) takes its delimiter with it, so field 1 is the first
    after it either way (``=125;184 223,50`` too)."""
    head = layout.footer_marker
    if text[len(head):].startswith(layout.delimiter):
        head += layout.delimiter
    return head, text[len(head):]


def _footer_fields(layout: Layout, footer: Line) -> tuple[str | None, str | None]:
    if layout.format == "fixed":
        return field_text(layout, footer.text, layout.footer_count), field_text(layout, footer.text, layout.footer_sum)
    _, after = _after_marker(layout, footer.text)
    return field_text(layout, after, layout.footer_count), field_text(layout, after, layout.footer_sum)


def footer_with(layout: Layout, footer: Line, count: int, kopecks: int) -> str:
    """The footer line's text with ``count`` and ``kopecks`` in its count and sum fields."""
    count_text, sum_text = str(count), layout.money.text(kopecks)
    if layout.format == "fixed":
        for spot, value in ((layout.footer_count, count_text), (layout.footer_sum, sum_text)):
            if len(value) > spot.width:
                raise RegistryError(f"{layout.path}: [footer] {spot.name}: {value!r} does not fit its "
                                    f"{spot.width} characters")
        text = replace_field(layout, footer.text, layout.footer_count, count_text)
        return replace_field(layout, text, layout.footer_sum, sum_text)
    marker, after = _after_marker(layout, footer.text)
    after = replace_field(layout, after, layout.footer_count, count_text)
    return marker + replace_field(layout, after, layout.footer_sum, sum_text)


def read_registry(path: Path, layout: Layout) -> Registry:
    """Read the registry at ``path`` by ``layout``; its payments and its footer's totals, not yet checked.

    Raises
    ------
    RegistryError
        The file cannot be read or decoded, it has no footer, its footer cannot be read, or an
        amount cannot be read (its footer could not be checked): naming the file, line, column
        and value.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryError(f"reading {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode(layout.encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise RegistryError(f"{path} line {line}: byte {raw[exc.start:exc.start + 1]!r} is not {layout.encoding} "
                            f"text, as the layout {layout.path.name} says the registry is: is it the agent's "
                            f"registry, or another agent's?") from exc
    lines, ended = split_lines(text)
    body = [line for line in lines[layout.header_lines:]]
    filled = [line for line in body if line.text.strip()]
    if not filled or not filled[-1].text.startswith(layout.footer_marker):
        last = f"its last line is {filled[-1].text[:60]!r}" if filled else "it holds no lines after its header"
        raise RegistryError(f"{path}: no footer line starting with {layout.footer_marker!r} (the control count and "
                            f"sum, [footer] of {layout.path.name}): {last}; the registry is refused")
    footer = filled[-1]
    count_text, sum_text = _footer_fields(layout, footer)
    where = f"{path} line {footer.number}, footer {footer.text.strip()!r}"
    if count_text is None or not count_text.strip().isdigit() or not count_text.strip().isascii():
        raise RegistryError(f"{where}: the count ({layout.footer_count.where()}) {count_text!r} is not a number")
    kopecks, problem = read_amount(sum_text or "", layout.money.unit)
    if kopecks is None:
        raise RegistryError(f"{where}: the sum ({layout.footer_sum.where()}) cannot be read: {problem}")
    payment_lines = [line for line in body if line.text.strip() and line is not footer]
    usual = _usual_fields(layout, payment_lines)
    payments = [read_payment(path, layout, line, usual) for line in payment_lines]
    return Registry(path, layout, lines, lines[:layout.header_lines], payments, footer, int(count_text.strip()),
                    kopecks, ended)


def _usual_fields(layout: Layout, lines: list[Line]) -> int:
    """Delimited: the number of fields most payment lines have (at least the layout's columns): a
    line with another number has a delimiter too many or too few, and its values are not where the
    layout says."""
    if layout.format != "delimited" or not lines:
        return 0
    counts = Counter(len(line.text.split(layout.delimiter)) for line in lines)
    most = max(counts.items(), key=lambda item: (item[1], item[0]))[0]
    return max(most, max(spot.number for spot in layout.columns.values()))


def read_payment(path: Path, layout: Layout, line: Line, usual_fields: int = 0) -> Payment:
    """One payment line read; what cannot be read is in its ``problems`` (the amount aside: see
    :func:`read_registry`). ``usual_fields``: how many fields a delimited line has (0: at least
    the layout's)."""
    values: dict[str, str] = {}
    problems: list[str] = []
    place = f"{path.name} line {line.number}"
    fields = len(line.text.split(layout.delimiter)) if layout.format == "delimited" else 0
    expected = usual_fields or max((spot.number or 0) for spot in layout.columns.values())
    if layout.format == "delimited" and fields != expected:
        problems.append(f"{place}: {fields} fields where the registry's lines have {expected} "
                        f"({layout.delimiter!r}-separated: a {layout.delimiter!r} too many or too few)")
    for name, spot in layout.columns.items():
        raw = field_text(layout, line.text, spot)
        values[name] = (raw or "").strip()
    amount = layout.columns["amount"]
    kopecks, problem = read_amount(values["amount"], layout.money.unit)
    if kopecks is None:
        shifted = f" (the line has {fields} fields, the others {expected})" if problems else ""
        raise RegistryError(f"{place}, column amount ({amount.where()}): {values['amount']!r}: {problem}{shifted}; an "
                            f"amount that cannot be read leaves the footer unchecked, so the registry is refused "
                            f"(nothing translated): ask {layout.name} for a corrected registry")
    payment = Payment(line, values, kopecks, problems=problems)
    for name in ("legacy_account", "payment_id"):
        if not values[name]:
            problems.append(f"{place}, column {name} ({layout.columns[name].where()}): blank")
    if "period" in layout.columns:
        payment.period = read_period(values["period"]) if values["period"] else None
        if payment.period is None:
            problems.append(f"{place}, column period ({layout.columns['period'].where()}): {values['period']!r} "
                            f"is not a billing month")
    if "paid_on" in layout.columns:
        try:
            payment.paid_on = dt.datetime.strptime(values["paid_on"], layout.date_format).date()
        except ValueError:
            problems.append(f"{place}, column paid_on ({layout.columns['paid_on'].where()}): {values['paid_on']!r} "
                            f"is not a date written {layout.date_format}")
    return payment


def check_footer(registry: Registry) -> None:
    """The footer's count and sum are those of the payment lines, exactly.

    Raises
    ------
    RegistryError
        They differ: naming the footer line and both the footer's and the computed values.
    """
    count, kopecks = len(registry.payments), sum(p.kopecks for p in registry.payments)
    if (count, kopecks) == (registry.footer_count, registry.footer_kopecks):
        return
    differences = []
    if count != registry.footer_count:
        differences.append(f"count: the footer says {registry.footer_count}, there are {count} payment lines")
    if kopecks != registry.footer_kopecks:
        gap = kopecks - registry.footer_kopecks
        differences.append(f"sum: the footer says {roubles(registry.footer_kopecks)}, the {count} payment lines add up "
                           f"to {roubles(kopecks)} ({roubles(abs(gap))} {'more' if gap > 0 else 'less'})")
    shifted = [p.line.number for p in registry.payments if any(" fields where " in problem for problem in p.problems)]
    hint = (f" (line(s) {', '.join(map(str, shifted[:5]))} have another number of fields than the others: their "
            f"amounts may not be where the layout says)" if shifted else "")
    raise RegistryError(f"{registry.path} line {registry.footer.number}, footer {registry.footer.text.strip()!r}: "
                        f"{'; '.join(differences)}: the registry is refused, nothing was translated; ask "
                        f"{registry.layout.name} for a corrected registry{hint}")
