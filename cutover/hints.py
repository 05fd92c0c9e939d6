"""The nearest of the names that exist, for a name a user mistyped ("did you mean").

Used where a mapping or a command names something that is not there (a transform, a source
column, a target column), so the message says what was probably meant instead of only listing
everything that exists.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(wrong: Iterable[str], choices: Iterable[str]) -> str:
    """``"; did you mean 'ЛицСчет' for 'ЛицСчёт'?"`` for the names of ``wrong`` close to one of
    ``choices`` (case aside), or ``""`` when none is."""
    choices = list(choices)
    by_folded = {choice.casefold(): choice for choice in choices}
    found = []
    for name in wrong:
        close = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.75)
        if close and by_folded[close[0]] != name:
            found.append(f"{by_folded[close[0]]!r} for {name!r}")
    return f"; did you mean {', '.join(found)}?" if found else ""
