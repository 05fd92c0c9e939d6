"""Guess the encoding of a legacy text export: what ``encoding = "auto"`` does.

Legacy exports come in cp1251, cp866 (DOS), KOI8-R or UTF-8 with or without a BOM. A
UTF-8 BOM or text that decodes as UTF-8 settles it. Among the single-byte encodings every
byte decodes, so the guess is the one that reads most like Russian: the non-ASCII
characters it gives should form words (two or more Cyrillic letters, in one case or
Capitalised) made of frequent letters. Read in the wrong table, the same bytes give
pseudographics, words of mixed case, rare letters, or single letters among digits (a
no-break space thousands separator read as cp866 is "а").
"""

from __future__ import annotations

from pathlib import Path

import re

SAMPLE_BYTES = 256 * 1024
SINGLE_BYTE = ("cp1251", "cp866", "koi8-r")
# Letter frequencies of Russian text, per cent.
_FREQUENCY = dict(zip(
    "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
    (10.97, 8.45, 8.01, 7.35, 6.70, 6.26, 5.47, 4.73, 4.54, 4.40, 3.49, 3.21, 2.98, 2.81, 2.62, 2.01, 1.90,
     1.74, 1.70, 1.65, 1.59, 1.44, 1.21, 0.97, 0.94, 0.73, 0.64, 0.48, 0.36, 0.32, 0.26, 0.04, 0.04),
))
_WORD = re.compile(r"[\u0400-\u04ff]{2,}")


def _plausible(word: str) -> bool:
    return word.isupper() or word.islower() or (word[0].isupper() and word[1:].islower())


def _russian_score(text: str) -> float:
    """Frequency-weighted letters of plausible Russian words per non-ASCII character."""
    non_ascii = sum(ord(ch) > 127 for ch in text)
    if not non_ascii:
        return 0.0
    weight = sum(_FREQUENCY.get(ch, 0.0) for word in _WORD.findall(text) if _plausible(word) for ch in word.lower())
    return weight / non_ascii


def _is_utf8(sample: bytes, complete: bool) -> bool:
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of a partial sample is not a failure.
        return not complete and exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"


def detect_encoding(path: Path) -> str:
    """The most likely encoding of a text file: utf-8-sig, utf-8, cp1251, cp866 or koi8-r."""
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
        complete = not raw.read(1)
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if _is_utf8(sample, complete):
        return "utf-8"
    return max(SINGLE_BYTE, key=lambda encoding: _russian_score(sample.decode(encoding, errors="replace")))
