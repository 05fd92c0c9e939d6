"""Meter serials in the training database: replaced like account numbers, keeping their shape.

The sample's meters (sample_data/sample_legacy/schetchik.csv, column ЗавНомер) carry serials of
eight or seven digits and Cyrillic prefixed ones (``ВСГ-123456``, ``ВСКМ-123456``), all distinct.
A demo built from a dry run of the sample must hold none of them, give each meter a serial of the
same length with a digit where it had a digit and a capital Cyrillic letter where it had one
(``-`` kept), keep them distinct, and give the same serials in a second build with the same seed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import SAMPLE, query, write_project

from cutover.cli import cli
from cutover.config import load_project
from cutover.demo.replace import Replacements, serial_alphabet
from cutover.errors import ConfigError
from cutover.run.dry_run import dry_run

SHAPES = ["12345678", "ВСГ-123456", "ab12CD", "б/н", " 7 ", "Ünï-7", "і5", "X"]


def shape(serial: str) -> list[str | None]:
    """Each character's alphabet, or the character itself where it is kept."""
    return [serial_alphabet(char) or char for char in serial]


def legacy_serials() -> set[str]:
    with (SAMPLE / "schetchik.csv").open(encoding="cp1251", newline="") as export:
        return {row["ЗавНомер"] for row in csv.DictReader(export, delimiter=";")}


def cutover(folder: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(folder), *args], catch_exceptions=False)


# ---- the replacement -------------------------------------------------------------------------

def test_a_serial_keeps_its_length_and_the_class_of_each_character():
    found = Replacements(7, set(), set(), set()).meter_serials(SHAPES)
    assert set(found) == set(SHAPES)
    for real, demo in found.items():
        assert len(demo) == len(real) and shape(demo) == shape(real) and demo != real, (real, demo)
    assert found["ВСГ-123456"][3] == "-" and found["б/н"][1] == "/" and found[" 7 "][::2] == "  "
    assert shape("Ünï-7") == shape("Abc-1") and shape("і5") == shape("б1")  # accented Latin, other Cyrillic


def test_the_same_seed_gives_the_same_serials_whatever_the_order_and_another_seed_others():
    first = Replacements(3, set(), set(), set()).meter_serials(SHAPES)
    again = Replacements(3, set(), set(), set()).meter_serials(list(reversed(SHAPES)) + SHAPES)
    other = Replacements(4, set(), set(), set()).meter_serials(SHAPES)
    assert first == again and first != other


def test_serials_stay_distinct_and_never_real_even_where_the_shape_is_nearly_full():
    serials = ["0", "1", "2", "3", "4"]  # five of the ten one-digit serials: the other five are left
    found = Replacements(1, set(), set(), set()).meter_serials([*serials, "10", "11"])
    assert {found[serial] for serial in serials} == {"5", "6", "7", "8", "9"}
    assert len(set(found.values())) == len(found) == 7 and not set(found.values()) & {*serials, "10", "11"}


def test_a_demo_serial_is_never_a_real_account_number():
    accounts = {f"{number:02d}" for number in range(100)} - {"42"}  # every two-digit number but 42
    found = Replacements(5, set(), set(), accounts).meter_serials(["17"])
    assert found == {"17": "42"}


def test_a_serial_with_nothing_to_replace_stays_and_a_full_shape_is_an_error():
    assert Replacements(1, set(), set(), set()).meter_serials(["-", "/"]) == {"-": "-", "/": "/"}
    with pytest.raises(ConfigError, match=r"meter serial '\d': no demo serial of its shape is left"):
        Replacements(1, set(), set(), set()).meter_serials([str(digit) for digit in range(10)])


# ---- the training database built from the sample's dry run ------------------------------------

@pytest.fixture(scope="module")
def run_project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("project")
    url = f"sqlite:///{(folder / 'target.db').as_posix()}"
    write_project(folder, "sample_legacy", SAMPLE, target_url=url)
    result = dry_run(load_project(folder))
    assert result.status == "reconciled"
    return folder, result.run_id, url


def test_no_real_serial_survives_and_each_keeps_its_shape(run_project, tmp_path):
    folder, run_id, source_url = run_project
    real = legacy_serials()
    source = dict(query(source_url, "SELECT id, serial FROM meter"))
    assert set(source.values()) <= real and len(source) > 500  # the comparison finds them where they are
    urls = [f"sqlite:///{(tmp_path / f'demo{n}.db').as_posix()}" for n in range(2)]
    for url in urls:
        result = cutover(folder, "demo", "--from-run", run_id, "--target", url, "--seed", "11")
        assert result.exit_code == 0, result.output
    demo = dict(query(urls[0], "SELECT id, serial FROM meter"))
    assert set(demo) == set(source)
    assert not set(demo.values()) & real
    assert len(set(demo.values())) == len(set(source.values()))  # distinct where the originals were
    for meter_id, serial in source.items():
        assert len(demo[meter_id]) == len(serial) and shape(demo[meter_id]) == shape(serial), (serial, demo[meter_id])
    assert dict(query(urls[1], "SELECT id, serial FROM meter")) == demo  # the same seed, the same serials


def test_the_privacy_check_counts_real_serials_where_they_are(run_project):
    from cutover.demo.privacy import check_privacy, real_identities
    from cutover.target import db

    _, _, source_url = run_project
    engine = db.create_target_engine(source_url)
    try:
        with engine.connect() as connection:
            report = check_privacy(connection, real_identities(connection))
    finally:
        engine.dispose()
    (meters,), = query(source_url, "SELECT COUNT(*) FROM meter")
    assert report.serials == meters and f", {meters} real meter serials in " in report.describe()
