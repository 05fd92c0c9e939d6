"""Guess the encoding of a legacy text export (what ``encoding = "auto"`` does), and tell when
text declared in one code page reads as another (``misread``).

Legacy exports come in cp1251, cp866 (DOS), KOI8-R or UTF-8 with or without a BOM. A
UTF-8 BOM or text that decodes as UTF-8 settles it. Among the single-byte encodings every
byte decodes, so the guess is the one that reads most like Russian: the non-ASCII
characters it gives should form words (two or more Cyrillic letters, in one case or
Capitalised) made of frequent letters. Read in the wrong table, the same bytes give
pseudographics, words of mixed case, rare letters, or single letters among digits (a
no-break space thousands separator read as cp866 is "а").
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

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


# --- Text that decodes in the code page it is declared in, but reads as another ---------------
#
# A cp866 table re-encoded to UTF-8 or cp1251 while its header still says cp866 decodes without
# an error (every byte is a cp866 character) into pseudographics and rare letters, and a run
# would reject every person and replace the previous dry run's data. ``misread`` reads each
# text value holding non-ASCII bytes in every candidate code page, and says so when most of
# those that read as Russian anywhere read as Russian in another code page than the declared.
#
# A value reads as Russian when nearly all its non-ASCII characters are letters of the Russian
# alphabet in words of one case or Capitalised. Read in the wrong table, the same bytes give
# pseudographics (UTF-8 lead bytes as cp866 are half of the text), punctuation, letters of other
# alphabets (Ђ, ў, і), words of mixed case; a lone letter between digits (a no-break space read
# as cp866 is "а") is no evidence. Between two readings that both give Russian letters (cp1251
# and KOI8-R, case swapped), the letters' frequency in Russian text decides, by a wide margin.

CANDIDATES = ("utf-8", "cp1251", "cp866", "koi8-r")
MIN_VALUES = 20  # values reading as Russian somewhere needed before a judgement (little Cyrillic: none)
SAMPLE_VALUES = 3000  # values with non-ASCII bytes judged at most
CLEAN = 0.9  # share of a value's non-ASCII characters that must be letters of Russian words
BETTER = 1.5  # how much more frequent the letters of another clean reading must be to win
_RUN = re.compile(r"[\u0400-\u04ff]+")


@dataclass(frozen=True)
class Misread:
    """The text of a source reads as another code page than the one it is declared in."""

    declared: str  # as the mapping or the header names it
    reads_as: str  # the code page most of the text reads as Russian in
    values: int  # sampled values that read as Russian in some code page
    as_read: int  # of them, those reading as Russian in ``reads_as`` rather than in ``declared``
    as_declared: int  # those reading as Russian in ``declared``

    def evidence(self) -> str:
        """The counts behind the judgement, for a message."""
        return (f"{self.as_read} of {self.values} sampled text values read as Russian in {self.reads_as}, "
                f"{self.as_declared} in {self.declared}")


def _family(encoding: str) -> str:
    """One name per code page: ``windows-1251`` -> ``cp1251``, ``utf-8-sig`` -> ``utf-8``."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    return "utf-8" if name == "utf-8-sig" else name


def _reading(text: str) -> float:
    """How well ``text`` reads as Russian: 0 unless at least ``CLEAN`` of its non-ASCII characters
    are letters of plausible Russian words, else the mean frequency of those letters (per cent)."""
    non_ascii = sum(ord(ch) > 127 for ch in text)
    letters, weight = 0, 0.0
    for match in _RUN.finditer(text):
        word = match.group()
        if not _plausible(word) if len(word) > 1 else _between_digits(text, match.start(), match.end()):
            continue
        frequencies = [_FREQUENCY.get(ch, 0.0) for ch in word.lower()]
        if all(frequencies):  # letters of the Russian alphabet only
            letters += len(word)
            weight += sum(frequencies)
    return weight / letters if letters and letters >= CLEAN * non_ascii else 0.0


def _between_digits(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit())


def misread(values: Iterable[bytes], declared: str) -> Misread | None:
    """Whether text ``values`` (raw bytes of fields or lines) read as another code page than ``declared``.

    Each value holding a non-ASCII byte (the first ``SAMPLE_VALUES`` of them) is decoded in
    ``declared`` and in each of ``CANDIDATES``. A value that reads as Russian in ``declared``
    stays with it, unless another reading's letters are ``BETTER`` times more frequent; one that
    does not goes to the other reading with the most frequent letters (and to those within
    ``BETTER`` of it). A value ``declared`` cannot decode does not read as Russian in it.

    Returns
    -------
    Misread or None
        A ``Misread`` when at least ``MIN_VALUES`` values read as Russian in some code page and
        more than half of them went to one other code page; None otherwise (numbers-only or Latin
        text, or too little Cyrillic to tell).
    """
    others = [c for c in CANDIDATES if c != _family(declared)]
    readable, as_declared, votes, sampled = 0, 0, dict.fromkeys(others, 0), 0
    for value in values:
        if value.isascii():
            continue
        sampled += 1
        if sampled > SAMPLE_VALUES:
            break
        own = _reading(value.decode(declared, errors="replace"))
        scores = {candidate: _reading(value.decode(candidate, errors="replace")) for candidate in others}
        best = max(others, key=scores.__getitem__)
        if not own and not scores[best]:
            continue  # Russian in no code page: no evidence (a no-break space, a "№")
        readable += 1
        as_declared += own > 0
        if scores[best] > own * BETTER:
            for candidate in others:  # readings nearly as good share the vote (cp1251 and KOI8-R of "ЭМ")
                if scores[candidate] * BETTER >= scores[best] and scores[candidate] > own * BETTER:
                    votes[candidate] += 1
    reads_as = max(others, key=votes.__getitem__)  # a tie goes to the earlier, more common candidate
    if readable < MIN_VALUES or votes[reads_as] * 2 <= readable:
        return None
    return Misread(declared, reads_as, readable, votes[reads_as], as_declared)
