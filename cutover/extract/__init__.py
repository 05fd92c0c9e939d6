"""Extractors, one module per kind of source, chosen through a registry."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from cutover.extract.delimited import read_delimited

Extractor = Callable[[Path, dict, set, int], Iterator[pd.DataFrame]]

EXTRACTORS: dict[str, Extractor] = {"delimited": read_delimited}
