"""`cutover payments translate` and `cutover keymap export --agent` on the sample after its dry run.

The registries are sample_data/registries/ (made by its seeded generate.py from the sample's
accounts), and what translating them must give is its expected.json, computed by the generator
from what it made, never by cutover. In generic-20261103.txt (49 payments, ``;``, cp1251) and
fixed-20261103.txt (38 payments, fixed width, cp866): one account paying for two months, two
payments of accounts the migration rejected (01-001482: PARENT_REJECTED, 02-001622:
DUPLICATE_KEY), two of accounts it never had (03-001386, an orphan of saldo.csv, and 99-000001),
payments of the accounts in ``close_accounts`` (closed in the target on 01.11.2026 by the fixture,
paid after), one malformed line (a 31 November; a month 13) and one payment sent twice in the file.

Each test works on its own copy of the dry run's SQLite target (the session's ``shipped_run``),
so the payment ids it records as translated are its own.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import ROOT, SAMPLE, write_project

from cutover.cli import cli

REGISTRIES = ROOT / "sample_data" / "registries"
EXPECTED = json.loads((REGISTRIES / "expected.json").read_text(encoding="utf-8"))
GENERIC, FIXED = "generic-20261103.txt", "fixed-20261103.txt"
AGENT = {GENERIC: "generic", FIXED: "fixed_width"}
ENCODING = {GENERIC: "cp1251", FIXED: "cp866"}


def _generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("registries_generate", REGISTRIES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def project(tmp_path, shipped_run) -> Path:
    """A project on a copy of the sample's dry-run target, with ``close_accounts`` closed."""
    _, url = shipped_run("sample_legacy")
    target = tmp_path / "target.db"
    source, copy = sqlite3.connect(url.removeprefix("sqlite:///")), sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.executemany("UPDATE account SET closed_on = ? WHERE legacy_account_number = ?",
                         [(day, number) for number, day in EXPECTED["close_accounts"].items()])
        copy.commit()
    finally:
        source.close()
        copy.close()
    return write_project(tmp_path / "project", "sample_legacy", SAMPLE, target_url=f"sqlite:///{target}")


def _accounts(project: Path) -> dict[str, str]:
    """Legacy account number -> new account number, as the target holds them."""
    connection = sqlite3.connect(project.parent / "target.db")
    try:
        return dict(connection.execute("SELECT legacy_account_number, account_number FROM account"))
    finally:
        connection.close()


def _invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), *args], catch_exceptions=False)


def _translate(project: Path, registry: Path, agent: str, out: str = "out"):
    result = _invoke(project, "payments", "translate", str(registry), "--agent", agent, "--out", str(project / out))
    summary_file = project / out / f"{registry.stem}.summary.json"
    return result, (json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else None)


def _records(raw: bytes) -> list[bytes]:
    assert raw.endswith(b"\r\n")
    return raw[:-2].split(b"\r\n")


@pytest.mark.parametrize("name", [GENERIC, FIXED])
def test_registry_translated_as_its_generator_expects(project, name):
    expected = EXPECTED["registries"][name]
    result, summary = _translate(project, REGISTRIES / name, AGENT[name])
    assert result.exit_code == 1, result.output  # some payments go back to the agent
    for side in ("in", "translated", "returned"):
        assert summary[side] == expected[side], side
    assert summary["footer"] == expected["in"]
    assert (summary["in"]["count"] == summary["translated"]["count"] + summary["returned"]["count"]
            == len(expected["translated_accounts"]) + sum(e["count"] for e in expected["returned_by_reason"].values()))
    got = {reason: {"count": totals["count"], "sum": totals["sum"],
                    "payment_ids": [item["payment_id"] for item in summary["returns"] if item["reason"] == reason]}
           for reason, totals in summary["returned_by_reason"].items()}
    assert got == expected["returned_by_reason"]
    assert summary["by_period_service"] == expected["by_period_service"]
    assert summary["after_switch"] is False and summary["target_run"]
    assert f"returned    {expected['returned']['count']:>6}" in result.output


def test_reasons_name_the_reject_the_closing_and_the_malformed_value(project):
    _, summary = _translate(project, REGISTRIES / GENERIC, "generic")
    details = {item["legacy_account"]: item["detail"] for item in summary["returns"]}
    run = summary["target_run"]
    assert details["02-001622"] == (f"account 02-001622 was rejected at the migration (run {run}, DUPLICATE_KEY: "
                                    f"legacy key '02-001622' occurs 2 times; none of them is loaded)")
    assert details["01-001482"].startswith(f"account 01-001482 was rejected at the migration (run {run}, "
                                           f"PARENT_REJECTED: ")
    assert details["99-000001"] == "account 99-000001 is not in the key map of the target"
    closed = sorted(EXPECTED["close_accounts"])[0]
    assert details[closed] == f"account {closed} ({_accounts(project)[closed]}) was closed on 01.11.2026"
    malformed = next(item for item in summary["returns"] if item["reason"] == "MALFORMED")
    assert malformed["detail"] == (f"{GENERIC} line {malformed['line']}, column paid_on (field 7): '31.11.2026' is "
                                   f"not a date written %d.%m.%Y")
    duplicate = next(item for item in summary["returns"] if item["reason"] == "DUPLICATE_PAYMENT")
    assert duplicate["detail"].startswith(f"payment {duplicate['payment_id']} is on line ")


@pytest.mark.parametrize("name", [GENERIC, FIXED])
def test_round_trip_byte_for_byte_but_the_account_numbers_and_the_footer(project, name):
    """The translated registry is the agent's, line for line and byte for byte, but for the account
    field of each translated payment (its new number) and the footer (the translated count and
    sum, written as the agent writes them); the return registry is each returned line as it came,
    plus the reason."""
    expected, accounts = EXPECTED["registries"][name], _accounts(project)
    result, summary = _translate(project, REGISTRIES / name, AGENT[name])
    assert result.exit_code == 1
    original = _records((REGISTRIES / name).read_bytes())
    translated = _records((project / "out" / name).read_bytes())
    returned_lines = {item["line"] for item in summary["returns"]}
    kept = [line for number, line in enumerate(original[1:-1], 2) if number not in returned_lines]
    assert translated[0] == original[0] and len(translated) == len(kept) + 2
    encoding = ENCODING[name]
    for before, after in zip(kept, translated[1:-1]):
        if name == GENERIC:
            old, rest = before.split(b";", 1)
            new, after_rest = after.split(b";", 1)
            payment_id = rest.rsplit(b";", 1)[1].decode(encoding)
        else:
            old, rest, new, after_rest = before[:12].rstrip(), before[12:], after[:12], after[12:]
            payment_id = rest[-12:].decode(encoding).strip()
        assert after_rest == rest
        assert old.decode(encoding) == expected["translated_accounts"][payment_id]
        assert new.decode(encoding) == accounts[expected["translated_accounts"][payment_id]].ljust(
            12 if name == FIXED else 0)
    generator = _generator()
    count, kopecks = expected["translated"]["count"], int(expected["translated"]["sum"].replace(".", ""))
    footer = (f"={count};{generator.rub(kopecks, ' ')}" if name == GENERIC
              else "T" + str(count).rjust(8, "0") + str(kopecks).rjust(14, "0"))
    assert translated[-1] == footer.encode(encoding)

    back = _records((project / "out" / name.replace(".txt", ".returned.txt")).read_bytes())
    assert len(back) == len(returned_lines) + 2
    originals = [original[number - 1] for number in sorted(returned_lines)]
    for line, came in zip(back[1:-1], originals):
        assert line.startswith(came)
        assert line[len(came):].decode(encoding).lstrip(";").split(":", 1)[0] in generator_reasons(expected)
    count, kopecks = expected["returned"]["count"], int(expected["returned"]["sum"].replace(".", ""))
    footer = (f"={count};{generator.rub(kopecks, ' ')}" if name == GENERIC
              else "T" + str(count).rjust(8, "0") + str(kopecks).rjust(14, "0"))
    assert back[-1] == footer.encode(encoding)


def generator_reasons(expected: dict) -> set[str]:
    return set(expected["returned_by_reason"])


def test_a_registry_of_migrated_accounts_only_comes_back_whole(project, tmp_path):
    """Every payment placed: exit 0, no return registry, and the output is the agent's file with only
    the account numbers changed (the footer recomputed is the agent's own, byte for byte)."""
    expected, generator = EXPECTED["registries"][GENERIC], _generator()
    lines = _records((REGISTRIES / GENERIC).read_bytes())
    placed = [line for line in lines[1:-1]
              if line.rsplit(b";", 1)[1].decode() in expected["translated_accounts"]][:20]
    kopecks = sum(int(line.split(b";")[5].decode("cp1251").replace(" ", "").replace(",", "")) for line in placed)
    registry = tmp_path / "placed.txt"
    registry.write_bytes(b"\r\n".join([lines[0], *placed, f"={len(placed)};{generator.rub(kopecks, ' ')}".encode()])
                         + b"\r\n")
    result, summary = _translate(project, registry, "generic")
    assert result.exit_code == 0, result.output
    assert summary["returned"] == {"count": 0, "sum": "0.00"} and summary["files"]["returned"] is None
    out = _records((project / "out" / "placed.txt").read_bytes())
    accounts = _accounts(project)
    rewritten = [accounts[line.split(b";", 1)[0].decode()].encode() + b";" + line.split(b";", 1)[1] for line in placed]
    assert out == [lines[0], *rewritten, f"={len(placed)};{generator.rub(kopecks, ' ')}".encode()]


def test_a_footer_off_by_one_kopeck_refuses_the_registry(project, tmp_path):
    expected, generator = EXPECTED["registries"][GENERIC], _generator()
    lines = _records((REGISTRIES / GENERIC).read_bytes())
    count, kopecks = expected["in"]["count"], int(expected["in"]["sum"].replace(".", ""))
    assert lines[-1] == f"={count};{generator.rub(kopecks, ' ')}".encode()
    off = f"={count};{generator.rub(kopecks + 1, ' ')}"
    registry = tmp_path / "off.txt"
    registry.write_bytes(b"\r\n".join([*lines[:-1], off.encode()]) + b"\r\n")
    result, summary = _translate(project, registry, "generic")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {registry} line {count + 2}, footer {off!r}: sum: the footer says {generator.rub(kopecks + 1, ' ')}, "
        f"the {count} payment lines add up to {generator.rub(kopecks, ' ')} (0,01 less): the registry is refused, "
        f"nothing was translated; ask generic for a corrected registry\n")
    assert summary is None and not (project / "out").exists()
    # refused, so nothing was recorded: the registry with its footer right is translated in full
    fixed_footer = tmp_path / GENERIC
    fixed_footer.write_bytes((REGISTRIES / GENERIC).read_bytes())
    again, summary = _translate(project, fixed_footer, "generic")
    assert again.exit_code == 1 and summary["translated"] == expected["translated"]


def test_the_count_off_by_one_names_both_counts(project, tmp_path):
    lines = _records((REGISTRIES / FIXED).read_bytes())
    expected = EXPECTED["registries"][FIXED]
    count, kopecks = expected["in"]["count"], int(expected["in"]["sum"].replace(".", ""))
    registry = tmp_path / "count.txt"
    footer = "T" + str(count + 1).rjust(8, "0") + str(kopecks).rjust(14, "0")
    registry.write_bytes(b"\r\n".join([*lines[:-1], footer.encode()]) + b"\r\n")
    result, _ = _translate(project, registry, "fixed_width")
    assert result.exit_code == 2
    assert (f"footer {footer!r}: count: the footer says {count + 1}, there are {count} payment lines: the registry is "
            f"refused") in result.stderr


def test_the_same_registry_sent_twice_is_all_duplicates(project):
    expected = EXPECTED["registries"][GENERIC]
    first, _ = _translate(project, REGISTRIES / GENERIC, "generic", "first")
    assert first.exit_code == 1
    second, summary = _translate(project, REGISTRIES / GENERIC, "generic", "second")
    assert second.exit_code == 1
    assert summary["translated"] == {"count": 0, "sum": "0.00"} and summary["returned"] == expected["in"]
    duplicates = [item for item in summary["returns"] if item["reason"] == "DUPLICATE_PAYMENT"]
    # every payment translated the first time, and the one the agent put twice in the file
    assert sorted(item["payment_id"] for item in duplicates) == sorted(
        list(expected["translated_accounts"]) + expected["returned_by_reason"]["DUPLICATE_PAYMENT"]["payment_ids"])
    assert all(f"was translated before, from {GENERIC} at " in item["detail"] for item in duplicates)
    # the payments returned the first time come back for their own reasons again (not duplicates)
    others = {reason: [item["payment_id"] for item in summary["returns"] if item["reason"] == reason]
              for reason in expected["returned_by_reason"] if reason != "DUPLICATE_PAYMENT"}
    assert others == {reason: entry["payment_ids"] for reason, entry in expected["returned_by_reason"].items()
                      if reason != "DUPLICATE_PAYMENT"}
    # another agent's ids are its own: the same ids from the fixed-width agent are not duplicates
    fixed, fixed_summary = _translate(project, REGISTRIES / FIXED, "fixed_width", "third")
    assert fixed_summary["translated"] == EXPECTED["registries"][FIXED]["translated"]


@pytest.mark.parametrize("agent", ["generic", "fixed_width"])
def test_keymap_export_in_the_agents_layout_reads_back(project, agent):
    out = project / f"keymap-{agent}.txt"
    result = _invoke(project, "keymap", "export", "--agent", agent, "--out", str(out))
    assert result.exit_code == 0, result.output
    accounts = _accounts(project)
    assert result.output == f"{len(accounts)} accounts written to {out} (layout {agent})\n"
    lines = _records(out.read_bytes())
    if agent == "generic":
        rows = [line.decode("cp1251").split(";") for line in lines]
        assert rows[0] == ["СтарыйЛС", "НовыйЛС", "Адрес"]
        rows = rows[1:]
    else:
        rows = [[text[:12].strip(), text[12:24].strip(), text[24:].strip()] for text in
                (line.decode("cp866") for line in lines)]
    assert {old: new for old, new, _ in rows} == accounts and len(rows) == len(accounts) == 492
    assert [old for old, _, _ in rows] == sorted(accounts)
    address = dict((old, where) for old, _, where in rows)
    assert address["02-001612"] == "г. Новоэнск, ул. Советская, д. 1, кв. 1"


def test_an_unknown_agent_and_a_wrong_layout_are_named(project):
    result = _invoke(project, "payments", "translate", str(REGISTRIES / GENERIC), "--agent", "sberbank")
    assert result.exit_code == 2
    assert f"--agent 'sberbank': there is no agents/sberbank.toml in {project} (layouts known: fixed_width, generic)" \
        in result.stderr
    (project / "agents").mkdir()
    (project / "agents" / "bank.toml").write_text('[registry]\nencoding = "cp1251"\n[columns]\nlegacy_account = 1\n'
                                                  'amount = 0\npayment_id = 3\n[footer]\ncount = 1\nsum = 2\n',
                                                  encoding="utf-8")
    result = _invoke(project, "payments", "translate", str(REGISTRIES / GENERIC), "--agent", "bank")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {project / 'agents' / 'bank.toml'}: [columns] amount must be a field number "
                             f"(1 = the first field), not 0; see docs/payments.md\n")


def test_an_unreadable_amount_refuses_the_registry_naming_line_column_and_value(project, tmp_path):
    lines = _records((REGISTRIES / GENERIC).read_bytes())
    fields = lines[5].split(b";")
    fields[5] = b"12,3,4"
    registry = tmp_path / "amount.txt"
    registry.write_bytes(b"\r\n".join([*lines[:5], b";".join(fields), *lines[6:]]) + b"\r\n")
    result, summary = _translate(project, registry, "generic")
    assert result.exit_code == 2 and summary is None
    assert result.stderr.startswith("Error: amount.txt line 6, column amount (field 6): '12,3,4': ")
    assert "the registry is refused (nothing translated)" in result.stderr


def test_a_target_without_a_load_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    project = write_project(tmp_path / "p", "sample_legacy", SAMPLE, target_url=url)
    from cutover.target import db

    engine = db.create_target_engine(url)
    db.upgrade(engine)
    engine.dispose()
    result = _invoke(project, "payments", "translate", str(REGISTRIES / GENERIC), "--agent", "generic")
    assert result.exit_code == 2
    assert "the target holds no accounts of a load yet" in result.stderr


def test_the_generator_made_the_committed_registries(tmp_path):
    _generator().main(["--out", str(tmp_path)])
    for name in (GENERIC, FIXED, "expected.json"):
        assert (tmp_path / name).read_bytes() == (REGISTRIES / name).read_bytes(), name


def test_payments_and_agent_keymap_load_no_data_frames(project):
    """Both commands read lines and rows: no pandas, pandera or pyarrow (as `keymap export`)."""
    for args in (["payments", "translate", str(REGISTRIES / FIXED), "--agent", "fixed_width", "--out",
                  str(project / "light")], ["keymap", "export", "--agent", "generic"]):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "cutover", "--project", str(project), *args],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1), done.stderr[-2000:]
        imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
                    if line.startswith("import time:") and line.count("|") == 2}
        assert "cutover.payments.layout" in imported
        assert not [name for name in imported if name.split(".")[0] in ("pandas", "pandera", "pyarrow")], args


def test_after_the_switch_on_each_database(sqlite_or_postgres_url, tmp_path):
    """After a real month-end (SQLite, and PostgreSQL when configured): the target's run is the
    switch, the rejected accounts are the switch's rejects, and the generic registry comes out as
    its generator expects."""
    import datetime as dt

    import sqlalchemy as sa
    from support import dry_run_project

    from cutover.target import db

    project = tmp_path / "switched"
    dry_run_project(project, "sample_legacy", SAMPLE, target_url=sqlite_or_postgres_url)
    switch = _invoke(project, "month-end", "--period", "2026-10")
    assert switch.exit_code == 0, switch.output
    engine = db.create_target_engine(sqlite_or_postgres_url)
    try:
        with engine.begin() as connection:
            for number, day in EXPECTED["close_accounts"].items():
                connection.execute(sa.text("UPDATE account SET closed_on = :day WHERE legacy_account_number = :number"),
                                   {"day": dt.date.fromisoformat(day), "number": number})
            month_end = connection.execute(sa.text("SELECT run_id FROM run WHERE kind = 'month-end'")).scalar_one()
    finally:
        engine.dispose()
    expected = EXPECTED["registries"][GENERIC]
    result, summary = _translate(project, REGISTRIES / GENERIC, "generic")
    assert result.exit_code == 1, result.output
    assert summary["after_switch"] is True and summary["target_run"] == month_end
    assert "(agent generic, after the switch)" in result.output
    for side in ("in", "translated", "returned"):
        assert summary[side] == expected[side], side
    assert {reason: totals["count"] for reason, totals in summary["returned_by_reason"].items()} == {
        reason: entry["count"] for reason, entry in expected["returned_by_reason"].items()}
    rejected = [item["detail"] for item in summary["returns"] if item["reason"] == "REJECTED_ACCOUNT"]
    assert rejected and all(f"(run {month_end}, " in detail for detail in rejected)


def test_docs_name_every_reason_and_every_layout_key():
    from cutover.payments.layout import COLUMNS
    from cutover.payments.summary import REASONS

    doc = (ROOT / "docs" / "payments.md").read_text(encoding="utf-8")
    assert not [reason for reason in REASONS if f"`{reason}`" not in doc]
    keys = ["encoding", "format", "delimiter", "header_lines", "marker", "count", "sum", "unit", "decimal_point",
            "thousands", "reason_title", "language", *COLUMNS]
    assert not [key for key in keys if f"\n{key} = " not in doc]


def test_a_line_with_a_field_too_many_goes_back_or_names_itself(project, tmp_path):
    """A ';' too many after the amount: the line goes back as malformed, the rest is translated. A
    ';' too many in the payer's name shifts the amount: the footer does not add up, and the refusal
    names the line."""
    lines = _records((REGISTRIES / GENERIC).read_bytes())
    expected = EXPECTED["registries"][GENERIC]
    once = set(expected["translated_accounts"]) - set(expected["returned_by_reason"]["DUPLICATE_PAYMENT"]["payment_ids"])
    number = next(n for n, line in enumerate(lines[1:-1], 1) if line.rsplit(b";", 1)[1].decode() in once)
    trailing = tmp_path / "trailing.txt"
    trailing.write_bytes(b"\r\n".join([*lines[:number], lines[number] + b";", *lines[number + 1:]]) + b"\r\n")
    result, summary = _translate(project, trailing, "generic")
    assert result.exit_code == 1
    malformed = [item for item in summary["returns"] if item["line"] == number + 1]
    assert [item["detail"] for item in malformed] == [
        f"trailing.txt line {number + 1}: 9 fields where the registry's lines have 8 (';'-separated: a ';' too many "
        f"or too few)"]
    assert summary["translated"]["count"] == expected["translated"]["count"] - 1

    fields = lines[number].split(b";")
    fields[1] = fields[1].replace(b" ", b";", 1)  # "ИВАНОВ;ИВАН ИВАНОВИЧ": the amount is now the service code
    shifted = tmp_path / "shifted.txt"
    shifted.write_bytes(b"\r\n".join([*lines[:number], b";".join(fields), *lines[number + 1:]]) + b"\r\n")
    result, _ = _translate(project, shifted, "generic", "shifted")
    assert result.exit_code == 2
    assert result.stderr.rstrip().endswith(f"ask generic for a corrected registry (line(s) {number + 1} have another "
                                           f"number of fields than the others: their amounts may not be where the "
                                           f"layout says)")


POST_OFFICE = """# written from a plain description: tab-separated UTF-8, no title line; payment id, account,
# amount with a point, date; a footer ИТОГО<TAB>count<TAB>sum (the marker a field of its own)
[registry]
description = "post office, tab-separated UTF-8"
encoding = "utf-8"
format = "delimited"
delimiter = "\\t"
header_lines = 0

[columns]
payment_id = 1
legacy_account = 2
amount = 3
paid_on = 4

[footer]
marker = "ИТОГО"
count = 1
sum = 2

[money]
unit = "roubles"
decimal_point = "."

[dates]
format = "%Y-%m-%d"
"""


def test_a_layout_whose_footer_marker_is_a_field_of_its_own(project, tmp_path):
    """A project's own layout, its registry's totals added up by hand: 100.50 + 250.00 + 10.05 +
    1 000.00 + 50.00 = 1 410.55 in; the unknown account's 10.05 back, 1 400.50 translated, and the
    footer written again after its marker and tab."""
    (project / "agents").mkdir()
    (project / "agents" / "pochta.toml").write_text(POST_OFFICE, encoding="utf-8")
    first, second = list(EXPECTED["registries"][GENERIC]["translated_accounts"].values())[:2]  # migrated, open
    lines = [f"P1\t{first}\t100.50\t2026-11-03", f"P2\t{second}\t250.00\t2026-11-03",
             "P3\t99-999999\t10.05\t2026-11-04", f"P4\t{first}\t1 000.00\t2026-11-04",
             f"P5\t{second}\t50.00\t2026-11-05"]
    registry = tmp_path / "pochta.txt"
    registry.write_text("\n".join([*lines, "ИТОГО\t5\t1410.55"]) + "\n", encoding="utf-8")
    result, summary = _translate(project, registry, "pochta")
    assert result.exit_code == 1, result.output
    assert (summary["in"], summary["translated"], summary["returned"]) == (
        {"count": 5, "sum": "1410.55"}, {"count": 4, "sum": "1400.50"}, {"count": 1, "sum": "10.05"})
    accounts = _accounts(project)
    assert (project / "out" / "pochta.txt").read_text(encoding="utf-8").splitlines() == [
        f"P1\t{accounts[first]}\t100.50\t2026-11-03", f"P2\t{accounts[second]}\t250.00\t2026-11-03",
        f"P4\t{accounts[first]}\t1 000.00\t2026-11-04", f"P5\t{accounts[second]}\t50.00\t2026-11-05",
        "ИТОГО\t4\t1400.50"]
