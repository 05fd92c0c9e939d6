"""A gate's margin as a person reads it: ``rejects 2.77% of 5%``, ``отклонено 2,77 % из 5 %``.

Shared by the verdict banner of report.html, reports/index.html and `cutover runs show`; light
(no pandas), since `runs show` must stay so (tests/test_light_imports.py).
"""

from __future__ import annotations

from cutover.money import kopecks_to_roubles_text
from cutover.results.gates import (
    ENTITY_REJECT_SHARE,
    FALL,
    MONEY,
    NOT_EMPTY,
    REJECT_SHARE,
    REJECTED_MONEY,
    REJECTED_MONEY_SHARE,
    SHARE,
    UNREADABLE_ROWS,
    Gate,
)

NBSP = "\u00a0"

# What each gate weighs, in a few words (en, ru); {entity} for a gate of one entity.
_WHAT = {
    REJECT_SHARE: ("rejects", "отклонено"),
    ENTITY_REJECT_SHARE: ("{entity}: rejects", "{entity}: отклонено"),
    REJECTED_MONEY_SHARE: ("rejected money", "отклонённые суммы"),
    REJECTED_MONEY: ("rejected money", "отклонённые суммы"),
    UNREADABLE_ROWS: ("unreadable money rows", "строк с нечитаемыми суммами"),
    FALL: ("a fall since the last good run", "спад с последнего сошедшегося прогона"),
    NOT_EMPTY: ("an entity or the period without rows", "сущность или период без строк"),
}
_OF = {"en": "of", "ru": "из"}
_ACCEPTED = {"en": "accepted", "ru": "принято"}
_ROUBLES = {"en": "roubles", "ru": "руб."}


def share_text(share: float, language: str = "en") -> str:
    """0.0277 -> '2.77%' (``en``) or '2,77 %' (``ru``, a no-break space before the sign); a whole
    percent without decimals ('5%')."""
    shown = f"{share:.0%}" if round(share * 100, 2) == round(share * 100) else f"{share:.2%}"
    return shown.replace(".", ",").replace("%", f"{NBSP}%") if language == "ru" else shown


def _amount(gate: Gate, value: float | int, language: str) -> str:
    if gate.unit == SHARE:
        return share_text(float(value), language)
    if gate.unit == MONEY:
        return kopecks_to_roubles_text(int(value)).replace(" ", NBSP)
    return f"{int(value):,}".replace(",", NBSP)


def gate_margin(gate: Gate, language: str = "en") -> str:
    """``rejects 2.77% of 5%``: what the run measured against the limit; a gate with no number
    says only what it weighs."""
    en, ru = _WHAT.get(gate.name, (gate.name, gate.name))
    what = (ru if language == "ru" else en).format(entity=gate.entity or "")
    if gate.measured is None or gate.limit is None:
        return what
    measured, limit, of = _amount(gate, gate.measured, language), _amount(gate, gate.limit, language), _OF[language]
    if gate.name == UNREADABLE_ROWS:
        return f"{what} {measured} {of} {limit} {_ACCEPTED[language]}"
    if gate.unit == MONEY:
        return f"{what} {measured} {of} {limit} {_ROUBLES[language]}"
    return f"{what} {measured} {of} {limit}"


def margins(gates: tuple[Gate, ...] | list[Gate], language: str = "en") -> list[tuple[str, bool]]:
    """(margin, held) of every gate with a number, then every broken gate without one."""
    measured = [(gate_margin(gate, language), gate.passed) for gate in gates
                if gate.measured is not None and gate.limit is not None]
    return measured + [(gate_margin(gate, language), False) for gate in gates
                       if not gate.passed and (gate.measured is None or gate.limit is None)]


def gate_lines(gates: list[dict]) -> list[str]:
    """`cutover runs show`: every gate of the run (summary.json's ``gates``), one a line."""
    if not gates:
        return []
    lines = [f"{'gate':<38} {'measured':>14} {'limit':>14}  result"]
    for found in gates:
        gate = Gate.from_dict(found)
        name = gate.name + (f" ({gate.entity})" if gate.entity else "")
        measured = "-" if gate.measured is None else _amount(gate, gate.measured, "en").replace(NBSP, " ")
        limit = "-" if gate.limit is None else _amount(gate, gate.limit, "en").replace(NBSP, " ")
        lines.append(f"{name:<38} {measured:>14} {limit:>14}  {'held' if gate.passed else 'BROKEN'}")
    return lines
