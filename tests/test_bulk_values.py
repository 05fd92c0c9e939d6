"""What the bulk insert hands the driver for each kind of column: plain Python values, a
missing value as None (never NaT or NA, which sqlite3 and PyMySQL cannot bind)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cutover.target.bulk import _column_values


@pytest.mark.parametrize("kind, values, expected", [
    ("date", pd.Series(pd.to_datetime(["2024-01-02", None])).astype("datetime64[us]"), [dt.date(2024, 1, 2), None]),
    ("date", pd.Series([pd.NaT, pd.NaT], dtype="datetime64[us]"), [None, None]),  # every birth date blank
    ("datetime", pd.Series([pd.NaT], dtype="datetime64[us]"), [None]),
    ("money", pd.Series(pd.array([12345, None], dtype="Int64")), [12345, None]),
    ("text", pd.Series(["Иванов", None], dtype="str"), ["Иванов", None]),
    ("decimal", pd.Series(["12.5", None], dtype="str"), ["12.5000000", None]),
])
def test_each_kind_leaves_as_python_values(kind, values, expected):
    got = _column_values(values, kind, 7 if kind == "decimal" else None, "sqlite")
    assert got == expected
    assert [type(value) for value in got] == [type(value) for value in expected]
