"""The text tools of the mapping language (issue 17, item 3): concat, split, replace and
regex_extract. Separators and replaced text are literal; a pattern is data that RE2 compiles,
checked when the mapping is loaded (``Transform.check``), and a value too long is not matched."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from cutover.errors import MappingError
from cutover.extract.snapshot import ExtractedSource, ExtractResult
from cutover.mapping.apply.mapstage import map_entity
from cutover.mapping.apply.rejects import RejectLog
from cutover.mapping.apply.shape import shape_rows
from cutover.mapping.model import ANY_NUMBER_OF_COLUMNS, load_mapping
from cutover.mapping.transforms import REGISTRY, concat, regex_extract, replace, split
from cutover.schema.definition import target_schema

INDEX = [40, 10, 30, 20, 50, 60]  # not 0..n-1: every result must keep the rows' own index


def text(*values, index=None) -> pd.Series:
    return pd.Series(values, dtype="str", index=index if index is not None else INDEX[:len(values)])


def as_list(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


def check(name: str, **params) -> str | None:
    """What the mapping loader is told about these parameters of ``name`` (None: they are fine)."""
    return REGISTRY[name].check(params)


# concat

def test_concat_joins_trimmed_parts_and_leaves_blank_ones_out():
    columns = pd.DataFrame({"ТипУл": ["ул.", "", None, " пр-т\u00a0", "  ", "\u00a0"],
                            "Улица": ["Ленина", "Ленина", None, "\u00a0Мира ", "Садовая", ""]},
                           index=INDEX, dtype="str")
    result = concat(columns)
    assert as_list(result.values) == ["ул. Ленина", "Ленина", None, "пр-т Мира", "Садовая", None]
    assert list(result.values.index) == INDEX and list(result.errors.index) == INDEX
    assert as_list(result.errors) == [None] * 6


def test_concat_separator_and_three_columns_without_double_separators():
    columns = pd.DataFrame({"a": ["Энск", "Энск", ""], "b": ["", "ул. Мира", ""], "c": ["д. 5", "д. 7", "д. 9"]},
                           index=[7, 3, 5], dtype="str")
    result = concat(columns, separator=", ")
    assert as_list(result.values) == ["Энск, д. 5", "Энск, ул. Мира, д. 7", "д. 9"]
    assert as_list(concat(columns, separator="").values) == ["Энскд. 5", "Энскул. Мирад. 7", "д. 9"]


def test_concat_reads_any_number_of_columns_two_or_more():
    transform = REGISTRY["concat"]
    assert (transform.takes, transform.gives, transform.reads, transform.rule) == (
        "columns", "text", ANY_NUMBER_OF_COLUMNS, "BAD_VALUE")
    assert transform.params == {"separator": str} and not transform.required_params


# split

def test_split_takes_part_n_counting_from_one_or_from_the_end():
    values = text("Ленина, 5, кв. 12", " a ,b", "x,", "Мира", "  ", None)
    assert as_list(split(values, ",", 1).values) == ["Ленина", "a", "x", "Мира", None, None]
    assert as_list(split(values, ",", -1).values) == ["кв. 12", "b", None, "Мира", None, None]
    second = split(values, ",", 2)
    assert as_list(second.values) == ["5", "b", None, None, None, None]  # "x," has an empty second part
    assert as_list(second.errors) == [None, None, None, "'Мира' has 1 part split by ',', not 2", None, None]
    assert list(second.values.index) == INDEX[:6] and list(second.errors.index) == INDEX[:6]


def test_a_value_with_fewer_parts_is_an_error_naming_value_separator_and_part():
    result = split(text("Ленина", "а; б", "а; б; в"), "; ", -3)
    assert as_list(result.values) == [None, None, "а"]
    assert as_list(result.errors) == [
        "'Ленина' has 1 part split by '; ', not 3 (part -3 counts from the end)",
        "'а; б' has 2 parts split by '; ', not 3 (part -3 counts from the end)",
        None,
    ]
    assert REGISTRY["split"].rule == "BAD_TEXT"


def test_split_separator_is_literal_text_not_a_pattern():
    values = text("a.b|c", "1\u00a02")
    assert as_list(split(values, ".", 2).values) == ["b|c", None]
    assert as_list(split(values, "|", 1).values) == ["a.b", "1\u00a02"]
    assert as_list(split(values, "\u00a0", 2).values) == [None, "2"]
    assert as_list(split(values, "\u00a0", 2).errors) == ["'a.b|c' has 1 part split by '\\xa0', not 2", None]


def test_split_parameters_are_checked_when_the_mapping_loads():
    assert check("split", separator=",", part=2) is None
    assert check("split", separator=",", part=-1) is None
    assert check("split", separator="", part=1) == \
        "transform 'split' needs a separator that is not empty, e.g. separator = \",\""
    assert check("split", separator=",", part=0) == \
        "transform 'split' counts parts from 1 (the first) or from -1 (the last), not part = 0"
    assert check("split", separator=",", part=True) == \
        "transform 'split' counts parts from 1 (the first) or from -1 (the last), not part = True"
    assert REGISTRY["split"].required_params == {"separator", "part"}


def test_split_called_with_parameters_the_loader_refuses_is_a_mapping_error():
    with pytest.raises(MappingError, match="^transform 'split' needs a separator that is not empty"):
        split(text("a"), "", 1)


# replace

def test_replace_every_literal_occurrence():
    values = text("пр-т Мира, пр-т Победы", "ул.Ленина", "a.b.c", " ", None, "Ёлка")
    assert as_list(replace(values, "пр-т", "проспект").values) == [
        "проспект Мира, проспект Победы", "ул.Ленина", "a.b.c", None, None, "Ёлка"]
    assert as_list(replace(values, ".", "$1").values) == [  # "." is no pattern, "$1" no reference
        "пр-т Мира, пр-т Победы", "ул$1Ленина", "a$1b$1c", None, None, "Ёлка"]
    removed = replace(values, "ул.")
    assert as_list(removed.values) == ["пр-т Мира, пр-т Победы", "Ленина", "a.b.c", None, None, "Ёлка"]
    assert as_list(removed.errors) == [None] * 6
    assert list(removed.values.index) == INDEX


def test_replace_does_not_trim_and_matches_no_break_spaces_exactly():
    values = text(" ул.\u00a0Мира ", "ул. Мира")
    assert as_list(replace(values, "\u00a0", " ").values) == [" ул. Мира ", "ул. Мира"]


def test_replace_needs_old_text():
    assert check("replace", old="пр-т", new="проспект") is None
    assert check("replace", old="") == "transform 'replace' needs old text that is not empty, e.g. old = \"пр-т\""
    assert REGISTRY["replace"].required_params == {"old"}


# regex_extract

HOUSE = r"д\.\s*(?P<house>[0-9]+[а-я]?)(?:/(?P<building>[0-9]+))?"


def test_regex_extract_gives_the_named_group_of_the_first_match():
    values = text("ул. Ленина, д. 5а", "Мира д.12/3 д.14", "нет дома", "", None, "Д. 7")
    result = regex_extract(values, HOUSE, "house")
    assert as_list(result.values) == ["5а", "12", None, None, None, None]
    assert as_list(result.errors) == [
        None, None, r"'нет дома' does not match the pattern 'д\.\s*(?P<house>[0-9]+[а-я]?)(?:/(?P<building>[0-9]+))?'",
        None, None, r"'Д. 7' does not match the pattern 'д\.\s*(?P<house>[0-9]+[а-я]?)(?:/(?P<building>[0-9]+))?'",
    ]
    assert list(result.values.index) == INDEX and list(result.errors.index) == INDEX
    assert as_list(regex_extract(text("д. 12/3", "д. 5"), HOUSE, "building").values) == ["3", None]
    assert as_list(regex_extract(text("Д. 7"), "(?i)" + HOUSE, "house").values) == ["7"]


def test_an_empty_group_is_missing_without_an_error():
    result = regex_extract(text("кв. ", "кв. 12", "кв.  \u00a0"), r"кв\.(?P<flat>[\s\x{00a0}]*[0-9]*)", "flat")
    assert as_list(result.values) == [None, "12", None]
    assert as_list(result.errors) == [None, None, None]


def test_digit_classes_are_ascii_so_other_scripts_digits_do_not_match():
    values = text("д. ١٢", "д. １２", "д. 12")
    assert as_list(regex_extract(values, r"д\. (?P<n>\d+)", "n").values) == [None, None, "12"]
    assert as_list(regex_extract(values, r"д\. (?P<n>[0-9]+)", "n").errors) == [
        r"'д. ١٢' does not match the pattern 'д\. (?P<n>[0-9]+)'",
        r"'д. １２' does not match the pattern 'д\. (?P<n>[0-9]+)'",
        None,
    ]
    assert as_list(regex_extract(text("Ленина 5"), r"(?P<name>\p{Cyrillic}+)", "name").values) == ["Ленина"]


def test_a_value_over_1000_characters_is_not_matched():
    values = text("д. 1" + "x" * 996, "д. 1" + "x" * 997, " " * 2000)
    result = regex_extract(values, r"д\. (?P<n>[0-9]+)", "n")
    assert as_list(result.values) == ["1", None, None]
    assert as_list(result.errors) == [
        None,
        r"a value of 1001 characters is longer than 1000 characters: not matched against the pattern 'д\. (?P<n>[0-9]+)'",
        None,  # blank
    ]


def test_a_pattern_that_backtracks_exponentially_in_python_runs_in_linear_time():
    values = text(*(["a" * 999 + "!"] * 5))  # 1000 characters: matched
    started = time.perf_counter()
    result = regex_extract(values, r"(?P<a>(?:a+)+)$", "a")
    assert time.perf_counter() - started < 5  # Python's re would not finish: 2**999 ways to try
    assert as_list(result.errors)[0] == "'" + "a" * 999 + "!' does not match the pattern '(?P<a>(?:a+)+)$'"


@pytest.mark.parametrize(("pattern", "group", "problem"), [
    (HOUSE, "house", None),
    ("x" * 200 + "(?P<g>y)", "g", "the pattern has 208 characters, more than 200"),
    ("(?P<g>a", "g", "the pattern '(?P<g>a' is not a regular expression RE2 reads: missing ): (?P<g>a"),
    (r"(?<=д\.)(?P<g>[0-9]+)", "g",
     r"the pattern '(?<=д\.)(?P<g>[0-9]+)' is not a regular expression RE2 reads: invalid perl operator: (?<="),
    (r"(?P<g>a)\1", "g", r"the pattern '(?P<g>a)\1' is not a regular expression RE2 reads: invalid escape sequence: \1"),
    ("(д)(?P<g>[0-9]+)", "g",
     "every group of the pattern '(д)(?P<g>[0-9]+)' must be named, (?P<name>...), or not capture, (?:...)"),
    ("(?P<house>[0-9]+)", "flat", "the pattern '(?P<house>[0-9]+)' has no group (?P<flat>...); its groups are ['house']"),
    ("[0-9]+", "n", "the pattern '[0-9]+' has no group (?P<n>...); its groups are []"),
    ("(?P<n>a)|(?P<n>b)", "n", "the pattern '(?P<n>a)|(?P<n>b)' names the group 'n' twice"),
])
def test_regex_extract_parameters_are_checked_when_the_mapping_loads(pattern, group, problem):
    expected = None if problem is None else f"transform 'regex_extract': {problem}"
    assert check("regex_extract", pattern=pattern, group=group) == expected


def test_regex_extract_called_with_a_pattern_the_loader_refuses_is_a_mapping_error():
    with pytest.raises(MappingError, match=r"^transform 'regex_extract': the pattern '\[0-9\]\+' has no group"):
        regex_extract(text("1"), "[0-9]+", "n")


@pytest.mark.parametrize("name, rule", [("split", "BAD_TEXT"), ("replace", "BAD_VALUE"), ("regex_extract", "BAD_TEXT")])
def test_the_text_tools_read_text_give_text_and_reject_as_bad_text(name, rule):
    transform = REGISTRY[name]
    assert (transform.takes, transform.gives, transform.rule, transform.reads) == ("text", "text", rule, 1)


# a mapping end to end: loaded from TOML, rows mapped by the map stage

SYSTEM = """
[system]
name = "streets"
[sources.adr]
file = "adr.csv"
"""

PREMISE = r"""
[entity]
name = "premise"
source = "adr"
key = ["ID"]
[[columns]]
to = "settlement"
from = "GOROD"
transforms = [{ name = "replace", old = "г.", new = "" }, "trim"]
[[columns]]
to = "street"
from = ["ТипУл", "Улица"]
transforms = ["concat"]
[[columns]]
to = "house"
from = "DOM"
transforms = [{ name = "regex_extract", pattern = 'д\.\s*(?P<house>[0-9]+[а-я]?)', group = "house" }]
[[columns]]
to = "building"
from = "DOM"
transforms = [{ name = "split", separator = "/", part = 2 }]
"""

ROWS = pd.DataFrame({
    "_row": [2, 3, 4, 5],
    "ID": ["1", "2", "3", "4"],
    "GOROD": ["г.Энск", "г. Энск", "Энск", "г.Энск"],
    "ТипУл": ["ул.", "", "пр-т", "ул."],
    "Улица": ["Ленина", "Мира\u00a0", "Победы", "Садовая"],
    "DOM": ["д. 5а/1", "д.7/2", "дом 9/3", "д. 3"],
}, dtype="str").astype({"_row": "int64"})


def write_mapping(folder, premise: str = PREMISE):
    (folder / "entities").mkdir(parents=True)
    (folder / "system.toml").write_text(SYSTEM, encoding="utf-8")
    (folder / "entities" / "premise.toml").write_text(premise, encoding="utf-8")
    return folder


def test_a_mapping_with_the_text_tools_loads_and_maps_rows(tmp_path):
    mapping = load_mapping(write_mapping(tmp_path / "streets"))
    premise = mapping.entity("premise")
    street = next(rule for rule in premise.columns if rule.targets == ("street",))
    assert (street.inputs, street.kind) == (("ТипУл", "Улица"), "text")
    extracted = ExtractResult({"adr": ExtractedSource(name="adr", location="adr.csv", held=ROWS, sha256=None,
                                                      details={}, snapshot=None)})
    rejects = RejectLog()
    mapped = map_entity(premise, target_schema().table("premise"), "adr.csv", shape_rows(premise, extracted).frame,
                        rejects)
    frame = mapped.frame
    assert [as_list(frame[c]) for c in ("settlement", "street", "house", "building")] == [
        ["Энск", "Энск", "Энск", "Энск"],
        ["ул. Ленина", "Мира", "пр-т Победы", "ул. Садовая"],
        ["5а", "7", None, "3"],
        ["1", "2", "3", None],
    ]
    assert as_list(frame["_failed"]) == [False, False, True, True]
    found = rejects.frame("premise")[["row_number", "rule", "column_name", "raw_value", "message"]]
    assert found.values.tolist() == [
        [4, "BAD_TEXT", "DOM", "дом 9/3", r"'дом 9/3' does not match the pattern 'д\.\s*(?P<house>[0-9]+[а-я]?)'"],
        [5, "BAD_TEXT", "DOM", "д. 3", "'д. 3' has 1 part split by '/', not 2"],
    ]


def test_concat_of_one_column_is_refused_when_the_mapping_loads(tmp_path):
    folder = write_mapping(tmp_path / "streets", PREMISE.replace('from = ["ТипУл", "Улица"]', 'from = "Улица"'))
    with pytest.raises(MappingError) as caught:
        load_mapping(folder)
    assert str(caught.value) == (f"{folder / 'entities' / 'premise.toml'}: columns[1].transforms[0]: 'concat' reads "
                                 f"several columns: check from = ... of this column")


def test_concat_of_three_columns_loads(tmp_path):
    folder = write_mapping(tmp_path / "streets",
                           PREMISE.replace('from = ["ТипУл", "Улица"]\ntransforms = ["concat"]',
                                           'from = ["GOROD", "ТипУл", "Улица"]\n'
                                           'transforms = [{ name = "concat", separator = ", " }]'))
    street = next(rule for rule in load_mapping(folder).entity("premise").columns if rule.targets == ("street",))
    assert street.inputs == ("GOROD", "ТипУл", "Улица")
    assert street.steps[0].params == {"separator": ", "}
