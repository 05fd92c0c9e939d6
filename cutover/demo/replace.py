"""Replacement of personal data for the training database.

Every replacement is a pure function of the seed and the real value (a BLAKE2b hash of
both), so two builds with one seed agree whatever order the rows come in, and another
seed gives other data. A replacement never equals a real name, address, account number
or meter serial: a draw that hits one is redrawn with an attempt counter added to the hash.
Account numbers, meter serials and premises' addresses are also unique: they are drawn for the
whole set of real values at once, in an order the seed decides, so a collision is redrawn the
same way in every build with that seed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from cutover.demo.names import FEMALE_NAMES, MALE_NAMES, SURNAMES, female_surname
from cutover.errors import ConfigError
from cutover.target.keys import luhn_digit

MAX_ATTEMPTS = 1000  # redraws before giving up on a replacement that is not real
BIRTH_SHIFT_DAYS = (30, 730)  # a birth date moves by this many days, earlier or later
HOUSES = 150  # new house numbers are 1..HOUSES
APARTMENTS = 300  # new apartment numbers are 1..APARTMENTS
HOUSE_LETTERS = ("а", "б")  # "12а": about one new house in ten has a letter
LEGACY_PREFIX = "Д"  # Cyrillic: a demo legacy number never looks like a real all-digit one

# A meter serial keeps its shape: each character is drawn from the alphabet it belongs to.
_DIGITS = "0123456789"
_LATIN_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CYRILLIC_UPPER = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
_SERIAL_ALPHABETS = (_DIGITS, _LATIN_UPPER, _LATIN_UPPER.lower(), _CYRILLIC_UPPER, _CYRILLIC_UPPER.lower())
_DRAW_BITS = 512  # one BLAKE2b digest of 64 bytes: enough for about a hundred characters

_MALE_PATRONYMIC_ENDINGS = ("ич", "оглы", "улы")
_FEMALE_PATRONYMIC_ENDINGS = ("на", "кызы", "гызы")
_FEMALE_SURNAME_ENDINGS = ("ова", "ева", "ина", "ына", "ская", "цкая", "ая")  # after ё -> е
_MALE_FIRST_NAMES = tuple(name for name, _, _ in MALE_NAMES)
_FEMALE_FIRST_NAMES = frozenset(name.casefold().replace("ё", "е") for name in FEMALE_NAMES)


@dataclass(frozen=True)
class Person:
    """A person as the target stores it."""

    last_name: str
    first_name: str
    patronymic: str | None
    birth_date: datetime.date | None


def normal(text: str | None) -> str:
    """How names and addresses are compared: spaces trimmed and collapsed, case and ё/е
    not told apart; None is the empty string."""
    if text is None:
        return ""
    return " ".join(text.split()).casefold().replace("ё", "е")


def gender(last_name: str, first_name: str, patronymic: str | None) -> str:
    """"f" or "m": by the patronymic (Сергеевич, Сергеевна), else by the surname (Петрова,
    Покровская), else by the first name (Анна); a person told by none of these is "m"."""
    patronymic_text, surname = normal(patronymic), normal(last_name)
    if patronymic_text.endswith(_MALE_PATRONYMIC_ENDINGS):
        return "m"
    if patronymic_text.endswith(_FEMALE_PATRONYMIC_ENDINGS):
        return "f"
    if surname.endswith(_FEMALE_SURNAME_ENDINGS):
        return "f"
    return "f" if normal(first_name) in _FEMALE_FIRST_NAMES else "m"


class Replacements:
    """Replacement personal data for one seed, kept clear of the real values given."""

    def __init__(self, seed: int, real_names: set[tuple[str, str, str | None]],
                 real_addresses: set[tuple[str | None, str, str | None]], real_accounts: set[str]) -> None:
        self.seed = seed
        self._real_names = {tuple(normal(part) for part in name) for name in real_names}
        self._real_addresses = {tuple(normal(part) for part in address) for address in real_addresses}
        self._real_accounts = {account.strip() for account in real_accounts}

    def _digest(self, kind: str, *parts: object, size: int = 8) -> bytes:
        """``size`` bytes drawn from the seed, the kind of draw and the (normalised) real values."""
        canonical = json.dumps([self.seed, kind, *parts], ensure_ascii=False, separators=(",", ":"))
        return hashlib.blake2b(canonical.encode("utf-8"), digest_size=size).digest()

    def _number(self, kind: str, *parts: object) -> int:
        """A 64-bit number drawn like ``_digest``."""
        return int.from_bytes(self._digest(kind, *parts), "big")

    def person(self, real: Person) -> Person:
        """Another name of the same gender, not a real one, and the birth date shifted."""
        key = (normal(real.last_name), normal(real.first_name), normal(real.patronymic),
               real.birth_date.isoformat() if real.birth_date else None)
        female = gender(real.last_name, real.first_name, real.patronymic) == "f"
        for attempt in range(MAX_ATTEMPTS):
            surname = SURNAMES[self._number("surname", *key, attempt) % len(SURNAMES)]
            father = MALE_NAMES[self._number("father", *key, attempt) % len(MALE_NAMES)]
            first_names = FEMALE_NAMES if female else _MALE_FIRST_NAMES
            first = first_names[self._number("first", *key, attempt) % len(first_names)]
            last = female_surname(surname) if female else surname
            patronymic = (father[2] if female else father[1]) if normal(real.patronymic) else real.patronymic
            if (normal(last), normal(first), normal(patronymic)) not in self._real_names:
                return Person(last, first, patronymic, self._birth_date(real.birth_date, key))
        raise RuntimeError(f"no unused demo name after {MAX_ATTEMPTS} attempts")

    def _birth_date(self, real: datetime.date | None, key: tuple[object, ...]) -> datetime.date | None:
        if real is None:
            return None
        low, high = BIRTH_SHIFT_DAYS
        drawn = self._number("birth", *key)
        days = datetime.timedelta(days=low + drawn // 2 % (high - low + 1))
        try:
            return real - days if drawn % 2 else real + days
        except OverflowError:  # next to date.min or date.max: the other way
            return real + days if drawn % 2 else real - days

    def premise(self, settlement: str, street: str | None, house: str, building: str | None,
                apartment: str | None) -> tuple[str, str | None]:
        """The new (house, apartment) of a real premise. Every flat of one real house gets
        the same new house; (street, house, apartment) is never a real address."""
        house_key = (normal(settlement), normal(street), normal(house), normal(building))
        new_house = self._house(house_key, 0)
        for attempt in range(MAX_ATTEMPTS):
            if apartment is None:
                new_house, new_apartment = self._house(house_key, attempt), None
            else:
                new_apartment = str(1 + self._number("apartment", *house_key, normal(apartment), attempt)
                                    % APARTMENTS)
            if (normal(street), normal(new_house), normal(new_apartment)) not in self._real_addresses:
                return new_house, new_apartment
        raise RuntimeError(f"no unused demo address after {MAX_ATTEMPTS} attempts")

    def premises(self, real: Iterable[tuple[str, str | None, str, str | None, str | None]]
                 ) -> dict[tuple[str, ...], tuple[str, str | None]]:
        """Every real premise's new (house, apartment), by :func:`premise_key`, each demo address
        given to one real address only.

        ``real`` holds (settlement, street, house, building, apartment) of the premises, all of
        them. Each gets what :meth:`premise` draws, unless an address already given has it (two
        flats of one house drawn the same flat number, or two houses of one street the same
        house): a flat is then drawn again in its new house, a premise without a flat gets
        another house. The premises are taken in an order the seed decides, so a build gives
        the same demo addresses whatever order the rows come in.

        Raises
        ------
        RuntimeError
            No free address after every redraw (it cannot happen: the flat numbers drawn
            from grow with the redraws).
        """
        unique = {premise_key(*address): address for address in real}
        given: set[tuple[str, ...]] = set()
        found: dict[tuple[str, ...], tuple[str, str | None]] = {}
        for key in sorted(unique, key=lambda found_key: (self._number("premise order", *found_key), found_key)):
            settlement, street, house, building, apartment = unique[key]
            house_key = key[:4]
            new_house, new_apartment = self.premise(settlement, street, house, building, apartment)
            for attempt in range(1, 10 * MAX_ATTEMPTS):
                if self._free(key, new_house, new_apartment, given):
                    break
                if apartment is None:
                    new_house = self._house(house_key, MAX_ATTEMPTS + attempt)
                else:  # the flat numbers drawn from grow, so a house of any size has room
                    flats = APARTMENTS * (1 + attempt // 50)
                    new_apartment = str(1 + self._number("apartment again", *key, attempt) % flats)
            else:
                raise RuntimeError(f"no unused demo address after {10 * MAX_ATTEMPTS} attempts")
            given.add(_demo_address(key, new_house, new_apartment))
            found[key] = (new_house, new_apartment)
        return found

    def _free(self, key: tuple[str, ...], house: str, apartment: str | None, given: set[tuple[str, ...]]) -> bool:
        street = key[1]
        return ((street, normal(house), normal(apartment)) not in self._real_addresses
                and _demo_address(key, house, apartment) not in given)

    def _house(self, house_key: tuple[str, ...], attempt: int) -> str:
        drawn = self._number("house", *house_key, attempt)
        number = str(1 + drawn % HOUSES)
        letter = drawn // HOUSES % 20  # 0 or 1 of 20: about one in ten
        return number + HOUSE_LETTERS[letter] if letter < len(HOUSE_LETTERS) else number

    def fias_guid(self, real: str | None) -> str | None:
        """A made-up FIAS house GUID in place of a real one; None stays None."""
        if real is None:
            return None
        for attempt in range(MAX_ATTEMPTS):
            guid = str(uuid.UUID(bytes=self._digest("fias", normal(real), attempt, size=16)))
            if guid != normal(real):
                return guid
        raise RuntimeError(f"no demo FIAS GUID after {MAX_ATTEMPTS} attempts")

    def account_numbers(self, ids: list[int], prefix: str = "99", width: int = 8) -> dict[int, tuple[str, str]]:
        """Account id -> (new account number, new legacy account number). The accounts are
        numbered 1..N in a seeded shuffle, so the numbers do not follow the real ids; an
        account number is prefix + rank zero-padded to ``width`` + a Luhn check digit, a
        legacy number "Д" + the rank in six digits. A rank giving a real number is skipped."""
        shuffled = sorted(set(ids), key=lambda account_id: (self._number("account", int(account_id)), account_id))
        numbers: dict[int, tuple[str, str]] = {}
        rank = 0
        for account_id in shuffled:
            while True:
                rank += 1
                if rank >= 10 ** width:
                    raise ValueError(f"{len(shuffled)} accounts do not fit in {width} digits")
                body = prefix + f"{rank:0{width}d}"
                account_number, legacy_number = body + luhn_digit(body), LEGACY_PREFIX + f"{rank:06d}"
                if account_number not in self._real_accounts and legacy_number not in self._real_accounts:
                    break
            numbers[account_id] = (account_number, legacy_number)
        return numbers

    def _serial(self, serial: str, attempt: int) -> str:
        """``serial`` with every digit and letter drawn again from its alphabet (seeded hash)."""
        drawn, left, block, kept = 0, 1, 0, []
        for char in serial:
            alphabet = serial_alphabet(char)
            if alphabet is None:
                kept.append(char)
                continue
            if left < 2 ** 64:  # too few bits left for an unbiased draw: hash a block more
                digest = self._digest("serial", serial, attempt, block, size=_DRAW_BITS // 8)
                drawn, left, block = drawn << _DRAW_BITS | int.from_bytes(digest, "big"), left << _DRAW_BITS, block + 1
            drawn, index = divmod(drawn, len(alphabet))
            left //= len(alphabet)
            kept.append(alphabet[index])
        return "".join(kept)

    def meter_serials(self, serials: Iterable[str]) -> dict[str, str]:
        """Real meter serial -> demo serial, for every serial given (the source's, all of them).

        A demo serial has the real one's length and the class of each character (see
        :func:`serial_alphabet`); it is never a real serial nor a real account number, and two
        real serials never get one demo serial. A serial with no digit and no Latin or Cyrillic
        letter (``-``) has nothing to replace and stays as it is.

        Raises
        ------
        ConfigError
            A serial's shape has no unused value left (``7`` when every one-digit serial is taken).
        """
        real = set(serials)
        taken = real | {serial.strip() for serial in real} | self._real_accounts
        found: dict[str, str] = {}
        for serial in sorted(real, key=lambda value: (self._number("serial order", value), value)):
            if not any(serial_alphabet(char) for char in serial):
                found[serial] = serial
                continue
            for attempt in range(MAX_ATTEMPTS):
                drawn = self._serial(serial, attempt)
                if drawn not in taken and drawn.strip() not in taken:
                    break
            else:
                raise ConfigError(f"meter serial {serial!r}: no demo serial of its shape is left after {MAX_ATTEMPTS} "
                                  f"draws (every one is a real serial, a real account number or given already); "
                                  f"correct or filter out such serials in the mapping")
            taken.add(drawn)
            found[serial] = drawn
        return found


def premise_key(settlement: str | None, street: str | None, house: str | None, building: str | None,
                apartment: str | None) -> tuple[str, ...]:
    """A real premise's address as replacements compare it (:func:`normal` parts)."""
    return tuple(normal(part) for part in (settlement, street, house, building, apartment))


def _demo_address(key: tuple[str, ...], house: str, apartment: str | None) -> tuple[str, ...]:
    """The address a demo premise shows: its real settlement, street and building, its new house and flat."""
    settlement, street, _, building, _ = key
    return settlement, street, normal(house), building, normal(apartment)


def serial_alphabet(char: str) -> str | None:
    """The characters a meter serial's ``char`` may become: a digit another digit, a Latin
    letter (``Ü`` too) a Latin letter A-Z of its case, a Cyrillic letter (``і`` too) a Russian
    letter of its case; None for any other character, which is kept (``-``, ``/``, a space)."""
    if "0" <= char <= "9":
        return _DIGITS
    if not char.isalpha():
        return None
    if char.isascii():
        script = "LATIN"
    else:
        script = unicodedata.name(char, "").partition(" ")[0]
    alphabet = {"LATIN": _LATIN_UPPER, "CYRILLIC": _CYRILLIC_UPPER}.get(script)
    if alphabet is None or not (char.isupper() or char.islower()):
        return None
    return alphabet if char.isupper() else alphabet.lower()
