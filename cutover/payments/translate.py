"""``cutover payments translate``: a payment agent's registry carried over to the new account numbers.

The stages, in order: read the registry by its agent's layout (:mod:`cutover.payments.registry`);
check its footer, exactly (a mismatch refuses the whole registry: nothing is written); place each
payment (:func:`place`: malformed, a duplicate of a payment taken before, an account the target
does not hold, rejected or closed, else translated); write the translated registry, the return
registry and summary.json, each under its name only once complete; record the translated
payment ids (:mod:`cutover.payments.seen`). Nothing is dropped: count and sum in = translated +
returned, checked before anything is written.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import sqlalchemy as sa

from cutover.errors import CutoverError
from cutover.payments import seen
from cutover.payments.layout import Layout
from cutover.payments.placement import Accounts, look_up
from cutover.payments.registry import (
    Payment,
    Registry,
    check_footer,
    footer_with,
    read_registry,
    replace_field,
)
from cutover.payments.summary import REASONS, Group, Returned, Totals, Translation


def _out_paths(registry: Path, out_dir: Path) -> tuple[Path, Path, Path]:
    translated = out_dir / registry.name
    if translated.resolve() == registry.resolve():
        raise CutoverError(f"--out {out_dir}: the translated registry would overwrite {registry}; name another folder")
    return translated, out_dir / f"{registry.stem}.returned{registry.suffix}", out_dir / f"{registry.stem}.summary.json"


def place(registry: Registry, accounts: Accounts, taken: dict[str, seen.Seen]) -> tuple[dict[int, str], list[Returned]]:
    """Each payment's fate: the new account number by line number, or why it goes back."""
    translated: dict[int, str] = {}
    returns: list[Returned] = []
    first_line: dict[str, int] = {}

    def back(payment: Payment, reason: str, detail: str) -> None:
        returns.append(Returned(payment.line.number, payment.payment_id, payment.legacy_account, payment.kopecks,
                                reason, detail))

    for payment in registry.payments:
        legacy, payment_id = payment.legacy_account, payment.payment_id
        if payment.problems:
            back(payment, "MALFORMED", "; ".join(payment.problems))
            continue
        if payment_id in taken:
            before = taken[payment_id]
            back(payment, "DUPLICATE_PAYMENT", f"payment {payment_id} was translated before, from {before.registry} "
                                               f"at {before.at}")
            continue
        if payment_id in first_line:
            back(payment, "DUPLICATE_PAYMENT", f"payment {payment_id} is on line {first_line[payment_id]} of this "
                                               f"registry too")
            continue
        first_line[payment_id] = payment.line.number
        found = accounts.accounts.get(legacy, [])
        if len(found) > 1:
            back(payment, "AMBIGUOUS_ACCOUNT", f"account {legacy} is the legacy number of "
                                               f"{', '.join(a.account_number for a in found)}")
        elif found and found[0].closed_on is not None and (payment.paid_on is None
                                                           or found[0].closed_on <= payment.paid_on):
            back(payment, "CLOSED_ACCOUNT", f"account {legacy} ({found[0].account_number}) was closed on "
                                            f"{found[0].closed_on:%d.%m.%Y}")
        elif found:
            translated[payment.line.number] = found[0].account_number
        elif legacy in accounts.rejected:
            rejected = accounts.rejected[legacy]
            back(payment, "REJECTED_ACCOUNT", f"account {legacy} was rejected at the migration (run "
                                              f"{accounts.run_id}, {rejected.rule}: {rejected.message})")
        else:
            back(payment, "UNKNOWN_ACCOUNT", f"account {legacy} is not in the key map of the target")
    return translated, returns


def _check_fits(layout: Layout, translated: dict[int, str]) -> None:
    spot = layout.columns["legacy_account"]
    too_long = next((number for number in translated.values() if spot.width and len(number) > spot.width), None)
    if too_long is not None:
        raise CutoverError(f"{layout.path}: the new account number {too_long} ({len(too_long)} characters) does not "
                           f"fit [columns] legacy_account ({spot.width} characters): the agent's layout cannot carry "
                           f"the new numbers; nothing was translated")


def _write(path: Path, lines: list[str], encoding: str) -> None:
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", encoding=encoding, errors="replace", newline="") as out:
            out.writelines(lines)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


def _translated_lines(registry: Registry, translated: dict[int, str], total: Totals) -> list[str]:
    layout, spot = registry.layout, registry.layout.columns["legacy_account"]
    payment_lines = {p.line.number for p in registry.payments}
    out = []
    for line in registry.lines:
        text = line.text
        if line is registry.footer:
            text = footer_with(layout, line, total.count, total.kopecks)
        elif line.number in translated:
            text = replace_field(layout, text, spot, translated[line.number])
        if line.number in payment_lines and line.number not in translated:
            continue  # returned: it is in the return registry
        out.append(text + line.ending)
    return out


def _reason_text(layout: Layout, item: Returned) -> str:
    russian, english = REASONS[item.reason]
    text = f"{item.reason}: {russian if layout.language == 'ru' else english}: {item.detail}"
    return text.replace(layout.delimiter, ",") if layout.delimiter else text


def _returned_lines(registry: Registry, returns: list[Returned], total: Totals) -> list[str]:
    layout = registry.layout
    by_line = {item.line: item for item in returns}
    ending = registry.footer.ending or "\r\n"
    out = []
    for index, line in enumerate(registry.header):
        text = line.text
        if layout.reason_title and index == len(registry.header) - 1:
            text = (text + layout.delimiter + layout.reason_title if layout.delimiter
                    else text.ljust(layout.record_width) + layout.reason_title)
        out.append(text + line.ending)
    for payment in registry.payments:
        item = by_line.get(payment.line.number)
        if item is None:
            continue
        text = payment.line.text
        reason = _reason_text(layout, item)
        text = text + layout.delimiter + reason if layout.delimiter else text.ljust(layout.record_width) + reason
        out.append(text + (payment.line.ending or ending))
    footer = registry.footer
    out.append(footer_with(layout, footer, total.count, total.kopecks) + footer.ending)
    return out


def _groups(registry: Registry, translated: dict[int, str]) -> list[Group]:
    groups: dict[tuple[str, str], Group] = {}
    for payment in registry.payments:
        period = payment.period or (payment.values.get("period") or "")
        key = (period, payment.service)
        group = groups.setdefault(key, Group(*key))
        group.received.add(payment.kopecks)
        (group.translated if payment.line.number in translated else group.returned).add(payment.kopecks)
    return [groups[key] for key in sorted(groups)]


def translate_registry(registry_path: Path, layout: Layout, engine: sa.Engine, target_url: str, reports_dir: Path,
                       out_dir: Path) -> Translation:
    """Translate the registry at ``registry_path`` into ``out_dir`` by the key map of the target ``engine``.

    Raises
    ------
    RegistryError
        The registry cannot be read, or its footer does not add up (nothing written; exit code 2).
    CutoverError
        The target holds no load, or the layout cannot carry the new numbers (exit code 2).
    """
    registry = read_registry(registry_path, layout)
    check_footer(registry)
    sha256 = hashlib.sha256(registry_path.read_bytes()).hexdigest()
    translated_path, returned_path, summary_path = _out_paths(registry_path, out_dir)
    with engine.connect() as connection:
        accounts = look_up(connection, {p.legacy_account for p in registry.payments if p.legacy_account})
        ledger = seen.ledger_path(reports_dir, target_url, connection)
    with seen.locked(ledger):
        taken = seen.seen_before(ledger, layout.name, {p.payment_id for p in registry.payments if p.payment_id})
        translated, returns = place(registry, accounts, taken)
        _check_fits(layout, translated)
        received, done, back = Totals(), Totals(), Totals()
        by_reason: dict[str, Totals] = {}
        for payment in registry.payments:
            received.add(payment.kopecks)
            if payment.line.number in translated:
                done.add(payment.kopecks)
        for item in returns:
            back.add(item.kopecks)
            by_reason.setdefault(item.reason, Totals()).add(item.kopecks)
        result = Translation(registry_path, layout.name, sha256, accounts.run_id, accounts.switched,
                             Totals(registry.footer_count, registry.footer_kopecks), received, done, back,
                             dict(sorted(by_reason.items())), _groups(registry, translated), returns,
                             translated_path, returned_path if returns else None, summary_path)
        if not result.balanced:  # never: every payment is placed once; a bug if not, before anything is written
            raise AssertionError(f"payments in {received} != translated {done} + returned {back}")
        out_dir.mkdir(parents=True, exist_ok=True)
        _write(translated_path, _translated_lines(registry, translated, done), layout.encoding)
        if returns:
            _write(returned_path, _returned_lines(registry, returns, back), layout.encoding)
        elif returned_path.exists():
            returned_path.unlink()  # an earlier translation's returns are not this one's
        _write(summary_path, [json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"], "utf-8")
        by_id = {p.line.number: p.payment_id for p in registry.payments}
        seen.record(ledger, target_url, layout.name, [by_id[number] for number in sorted(translated)],
                    registry_path, sha256)
    return result
