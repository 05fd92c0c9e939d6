"""Frames set aside on disk while a run goes on: pickled one after another into a file of the
run's own scratch folder and read back in order. Only files this run wrote are ever read."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Iterator


class SpillFile:
    """Objects appended to one file and read back in the order appended."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, item: Any) -> None:
        with open(self.path, "ab") as file:
            pickle.dump(item, file, protocol=pickle.HIGHEST_PROTOCOL)

    def __iter__(self) -> Iterator[Any]:
        if not self.path.exists():
            return
        with open(self.path, "rb") as file:
            while True:
                try:
                    yield pickle.load(file)
                except EOFError:
                    return

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
