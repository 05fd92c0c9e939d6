"""RecordTally: the account of every physical record of a source, and how a run records it.

``saldo_tally()`` is the tally of the report line "saldo.csv: 10,721 records: 10,719 read,
2 blank (rows 57, 10723)", for a file with a title line above its header (row 2), so its
records are rows 3-10723. Each extractor's own test file checks the tally it fills.
"""

from __future__ import annotations

import doctest
import inspect
import json

import pytest

import cutover.extract
from cutover.extract import REGISTRY, ROW_NUMBERS_KEPT, RecordTally


def saldo_tally() -> RecordTally:
    tally = RecordTally()
    tally.add_read(54)  # rows 3-56
    tally.add_blank(57)
    tally.add_read(10_665)  # rows 58-10722
    tally.add_blank(10_723)
    return tally


def test_every_kind_of_record_adds_to_the_records():
    tally = saldo_tally()
    assert (tally.records, tally.read, tally.blank, tally.deleted, tally.comments) == (10_721, 10_719, 2, 0, 0)
    tally.add_comment()
    tally.add_deleted(10_725)
    assert (tally.records, tally.read, tally.blank, tally.deleted, tally.comments) == (10_723, 10_719, 2, 1, 1)
    assert tally.blank_rows == [57, 10_723] and tally.deleted_rows == [10_725]
    assert tally.records == tally.read + tally.blank + tally.deleted + tally.comments


def test_to_dict_is_plain_json_ready_data():
    assert saldo_tally().to_dict() == {"records": 10_721, "read": 10_719, "blank": 2, "blank_rows": [57, 10_723],
                                       "deleted": 0, "deleted_rows": [], "comments": 0}


def test_from_dict_reads_back_what_to_dict_gave_through_json():
    tally = saldo_tally()
    tally.add_deleted(10_724)
    tally.add_comment()
    assert RecordTally.from_dict(json.loads(json.dumps(tally.to_dict()))) == tally


def test_from_dict_takes_a_source_of_summary_json_with_its_other_keys():
    summary_source = {"location": "saldo.csv", "rows": 10_719, "sha256": "ab" * 32, "encoding": "cp1251",
                      **saldo_tally().to_dict()}
    assert RecordTally.from_dict(summary_source) == saldo_tally()


@pytest.mark.parametrize("recorded", [
    {"location": "saldo.csv", "rows": 10_719, "sha256": "ab" * 32, "encoding": "cp1251"},
    {},
    {"records": 10_721, "read": 10_719, "blank": 2, "comments": 0},  # a partial tally: some counts unknown
], ids=["summary-before-tallies", "empty", "partial"])
def test_from_dict_of_a_summary_without_a_tally_is_none_not_zeros(recorded):
    assert RecordTally.from_dict(recorded) is None


def test_row_numbers_are_kept_up_to_the_limit_and_the_counts_stay_exact():
    tally = RecordTally()
    for row in range(2, 2 + ROW_NUMBERS_KEPT + 5):
        tally.add_blank(row)
        tally.add_deleted(row)
    assert ROW_NUMBERS_KEPT == 1000
    assert (tally.blank, tally.deleted, tally.records, tally.read) == (1005, 1005, 2010, 0)
    assert tally.blank_rows == list(range(2, 1002)) and tally.deleted_rows == list(range(2, 1002))


def test_to_dict_hands_out_copies_of_the_row_lists():
    tally = saldo_tally()
    tally.to_dict()["blank_rows"].append(1)
    assert tally.blank_rows == [57, 10_723]


@pytest.mark.parametrize("extractor", sorted(REGISTRY))
def test_every_extractor_takes_an_optional_keyword_tally(extractor):
    tally = inspect.signature(REGISTRY[extractor].read).parameters["tally"]
    assert tally.kind is inspect.Parameter.KEYWORD_ONLY and tally.default is None


def test_the_examples_in_the_docstrings_hold():
    results = doctest.testmod(cutover.extract)
    assert results.attempted >= 3 and results.failed == 0
