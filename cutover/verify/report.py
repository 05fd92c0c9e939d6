"""The reports of `cutover verify`: report.xlsx for accountants, report.html for engineers and
summary.json for machines, in ``reports/<verify-id>/``; all three views of one :class:`Verification`.

The workbook speaks the project's ``[report] language`` (Russian by default, through
:func:`say`), prints A4 landscape, and writes every value from the data as text, never as a
formula; the page is one self-contained file with the print styles of the other reports.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from cutover.report import words
from cutover.report.html_parts import PRINT_CSS, table, text
from cutover.report.sheets import BOLD, Month, moment, print_setup, put, widths
from cutover.report.sheets import table as sheet_table
from cutover.verify.model import Verification

# The words of this report that the shared dictionary (cutover/report/words.py) does not hold.
RU = {
    "Verification after the switch": "Проверка после переключения",
    "INTACT: the new system holds what was migrated": "ЦЕЛО: новая система хранит то, что перенесено",
    "CHANGED: the new system differs from what was migrated": "ИЗМЕНЕНО: новая система отличается от перенесённого",
    "Switch run": "Прогон переключения",
    "Switched at": "Переключено",
    "Checked at": "Проверено",
    "Findings": "Находки",
    "Finding": "Находка",
    "Balances per service": "Сальдо по услугам",
    "Changed balances": "Изменённые сальдо",
    "Rows at the switch": "Строк при переключении",
    "At the switch": "При переключении",
    "Rows now": "Строк сейчас",
    "Now": "Сейчас",
    "Same": "Совпадает",
    "yes": "да",
    "no": "нет",
    "Notes": "Примечания",
}
SUMMARY, FINDINGS, SERVICES, CHANGES = "Summary", "Findings", "Balances per service", "Changed balances"
SERVICE_HEADER = ["Measure", "Period", "Service", "Rows at the switch", "At the switch", "Rows now", "Now", "Same"]
CHANGE_HEADER = ["Service", "New account", "Legacy account", "At the switch", "Now"]


def _say(language: str, label: str) -> str:
    return RU[label] if language == "ru" and label in RU else words.say(language, label)


def verdict(result: Verification) -> str:
    return ("INTACT: the new system holds what was migrated" if result.intact
            else "CHANGED: the new system differs from what was migrated")


def _roubles(kopecks: int | None) -> Decimal | None:
    return None if kopecks is None else Decimal(kopecks).scaleb(-2)


def service_rows(result: Verification, language: str) -> list[list]:
    return [[_say(language, line.measure), Month.of(line.period), line.service, line.rows_at_switch,
             _roubles(line.kopecks_at_switch), line.rows_now, _roubles(line.kopecks_now),
             _say(language, "yes" if line.same else "no")] for line in result.services]


def change_rows(result: Verification) -> list[list]:
    return [[change.service, change.account_number, change.legacy_account_number, _roubles(change.at_switch),
             _roubles(change.now)] for change in result.balance_changes]


def facts(result: Verification) -> list[tuple[str, str]]:
    return [("Switch run", result.switch_run), ("Period closed", result.period), ("Period opened", result.next_period),
            ("Switched at", result.switched_at), ("Checked at", result.checked_at), ("Target", result.target),
            ("Legacy", result.legacy)]


def write_workbook(path: Path, result: Verification, language: str) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _say(language, SUMMARY)
    put(sheet, 1, 1, _say(language, "Verification after the switch"))
    sheet.cell(row=1, column=1).font = BOLD
    put(sheet, 2, 1, _say(language, verdict(result)))
    sheet.cell(row=2, column=1).font = BOLD
    typed = {"Period closed": Month.of, "Period opened": Month.of, "Switched at": moment, "Checked at": moment}
    for offset, (label, value) in enumerate(facts(result), start=4):
        put(sheet, offset, 1, _say(language, label))
        put(sheet, offset, 2, typed.get(label, str)(value))
    top = 5 + len(facts(result))
    rows = [[check.title, _say(language, "✔ passed" if check.passed else "✘ FAILED"), check.detail]
            for check in result.checks]
    top = sheet_table(sheet, top, [_say(language, name) for name in ("Check", "Result", "Detail")], rows)
    if result.notes:
        sheet_table(sheet, top, [_say(language, "Notes")], [[note] for note in result.notes])
    widths(sheet, [60, 22, 80])
    print_setup(sheet)
    findings = workbook.create_sheet(_say(language, FINDINGS))
    sheet_table(findings, 1, [_say(language, "Check"), _say(language, "Finding")],
                [[check.title, finding] for check in result.checks for finding in check.findings])
    widths(findings, [50, 120])
    services = workbook.create_sheet(_say(language, SERVICES))
    sheet_table(services, 1, [_say(language, name) for name in SERVICE_HEADER], service_rows(result, language),
                counts=True)
    widths(services, [18, 10, 18, 14, 18, 14, 18, 10])
    changes = workbook.create_sheet(_say(language, CHANGES))
    sheet_table(changes, 1, [_say(language, name) for name in CHANGE_HEADER], change_rows(result))
    widths(changes, [18, 18, 20, 18, 18])
    for each in (findings, services, changes):
        each.freeze_panes = "A2"
        each.auto_filter.ref = each.dimensions
        print_setup(each)
    workbook.save(path)


_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 70em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; vertical-align: top; text-align: left; }
th { background: #f2f2f2; } td.n { text-align: right; white-space: nowrap; }
.banner { border-left: .5em solid; padding: .6em 1em; font-size: 1.3em; font-weight: bold; }
.banner.go { background: #dff3e3; border-color: #2e7d32; } .banner.nogo { background: #fde2e1; border-color: #c62828; }
tr.failed td { background: #fde2e1; font-weight: bold; }
@page { size: A4 landscape; margin: 15mm; }
""" + PRINT_CSS


def render_html(result: Verification) -> str:
    def money(kopecks):
        return "" if kopecks is None else f"{_roubles(kopecks):,.2f}".replace(",", "\u00a0").replace(".", ",")

    lines = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>cutover verify: {text(result.period)}</title><style>{_CSS}</style></head><body>",
             "<h1>Verification after the switch</h1>",
             f'<p class="banner {"go" if result.intact else "nogo"}">{text(verdict(result))}</p>',
             table(["", ""], [[label, value] for label, value in facts(result)]),
             "<h2>Checks</h2>",
             table(["Check", "Result", "Detail"],
                   [[check.title, "✔ passed" if check.passed else "✘ FAILED", check.detail] for check in result.checks],
                   classes=["" if check.passed else "failed" for check in result.checks])]
    found = [[check.title, finding] for check in result.checks for finding in check.findings]
    if found:
        lines += ["<h2>Findings</h2>", table(["Check", "Finding"], found)]
    lines += ["<h2>Balances per service</h2>",
              table(SERVICE_HEADER, [[line.measure, line.period, line.service, line.rows_at_switch,
                                      money(line.kopecks_at_switch), line.rows_now, money(line.kopecks_now),
                                      "yes" if line.same else "no"] for line in result.services],
                    numeric={3, 4, 5, 6}, classes=["" if line.same else "failed" for line in result.services])]
    if result.balance_changes:
        lines += ["<h2>Changed balances</h2>",
                  table(CHANGE_HEADER, [[c.service, c.account_number, c.legacy_account_number, money(c.at_switch),
                                         money(c.now)] for c in result.balance_changes], numeric={3, 4})]
    if result.notes:
        lines += ["<h2>Notes</h2>", "<ul>" + "".join(f"<li>{text(note)}</li>" for note in result.notes) + "</ul>"]
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"


def write_reports(folder: Path, result: Verification, language: str) -> dict[str, Path]:
    """Write report.xlsx, report.html and summary.json of ``result`` into ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / name for name in ("report.xlsx", "report.html", "summary.json")}
    write_workbook(paths["report.xlsx"], result, language)
    paths["report.html"].write_text(render_html(result), encoding="utf-8")
    paths["summary.json"].write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    return paths
