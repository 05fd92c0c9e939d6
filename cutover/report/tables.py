"""The small tables both views of a run show (report.xlsx and report.html), read out of the
summary: the verdict and its reasons, money per service and measure, rejects per rule, and
what changed since the previous run. One module, so both views say the same."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

VERDICT = {"reconciled": "GO: reconciled", "differences": "NO-GO: differences", "failed": "NO-GO: the run failed"}
MEASURES = ("opening", "charged", "recalculated", "paid", "closing")  # the order money is read in


class ControlTotal(NamedTuple):
    """One control total: a service (or ``total``) and a measure, in roubles."""

    service: str
    measure: str
    source: Decimal
    target: Decimal
    rejected: Decimal

    @property
    def difference(self) -> Decimal:
        """What neither the target nor the rejects account for: source - target - rejected."""
        return self.source - self.target - self.rejected


class RuleCount(NamedTuple):
    """Rows of one entity that one rule rejected (severity ``error``) or warned about."""

    entity: str
    severity: str
    rule: str
    rows: int


def reasons(summary: dict) -> list[str]:
    """Why the verdict is what it is: the differences, the broken gates, then the error of a failed run."""
    found = [*summary.get("differences", []), *summary.get("gate_failures", [])]
    return found + ([summary["error"]] if summary.get("error") else [])


def money_lines(summary: dict) -> tuple[str | None, list[ControlTotal]]:
    """The period and the control totals per service and measure, the total last.

    A summary written before ``money_by_measure`` existed has only the closing balances
    (``money``); they are shown as the one measure there is.
    """
    by_measure = summary.get("money_by_measure")
    if not by_measure and summary.get("money"):
        money = summary["money"]
        by_measure = {"period": money["period"], "total": {"closing": money["total"]},
                      "services": {code: {"closing": line} for code, line in money["services"].items()}}
    if not by_measure:
        return None, []
    order = {measure: position for position, measure in enumerate(MEASURES)}
    lines = []
    for service, measures in [*by_measure["services"].items(), ("total", by_measure["total"])]:
        for measure in sorted(measures, key=lambda name: order.get(name, len(order))):
            line = measures[measure]
            lines.append(ControlTotal(service, measure, Decimal(line["source"]), Decimal(line["target"]),
                                   Decimal(line["rejected"])))
    return by_measure["period"], lines


def rule_counts(summary: dict, severities: tuple[str, ...] = ("error", "warning")) -> list[RuleCount]:
    """Rows per rule, errors (rejects) first, then warnings; the busiest rule of an entity first."""
    found = []
    for severity, key in (("error", "rejects_by_rule"), ("warning", "warnings_by_rule")):
        if severity not in severities:
            continue
        for entity, rules in summary.get(key, {}).items():
            found += [RuleCount(entity, severity, rule, rows)
                      for rule, rows in sorted(rules.items(), key=lambda item: (-item[1], item[0]))]
    return found


def change_counts(changes: dict) -> tuple[list[list], list[list]]:
    """What changed since the previous run, as two small tables without their headers:
    ``[entity, rule, new rejects, fixed rejects]`` and ``[what, added, removed, changed]``."""
    rejects = [[entity, rule, counts.get("new", 0), counts.get("fixed", 0)]
               for entity, rules in changes.get("rejects", {}).items() for rule, counts in rules.items()]
    keyed = [[what.capitalize(), changes[what].get("added", 0), changes[what].get("removed", 0),
              changes[what].get("changed")] for what in ("accounts", "meters", "balances") if what in changes]
    return rejects, keyed


CHANGE_REJECTS_HEADER = ["Entity", "Rule", "New rejects", "Fixed rejects"]
CHANGE_KEYED_HEADER = ["What", "Added", "Removed", "Changed"]
MONEY_HEADER = ["Service", "Measure", "Source", "Target", "Rejected", "Difference"]
ENTITY_HEADER = ["Entity", "Source rows", "Loaded", "Rejected", "Warnings"]


def changes_title(changes: dict) -> str:
    """The heading of the changes block: since which run."""
    return f"Changes since {changes['previous_run']}" if changes.get("previous_run") else "Changes since the previous run"
