"""Street and settlement types as data: what the address parser accepts and what it writes.

The street types are the ГАР (ФИАС) list of types of road-network elements
(элементы улично-дорожной сети) with their official abbreviations, as in the
rules of address abbreviations (Приказ Минфина России от 05.11.2015 № 171н),
and the planning-structure types a street may be (микрорайон, квартал,
территория, ...). The settlement types are the usual ones of the same list.
Each type has:

* ``full``: the full name (``проспект``);
* ``official``: the official short form (``пр-кт``);
* ``canonical``: what cutover writes by default; for the types the parser read
  before the official list came in, the form it wrote then (``пр-т``), so that
  premise keys stay as they were; otherwise the official form;
* ``also``: more spellings operators typed (``просп``, ``пр``).

Spellings are matched in any letter case, with or without a dot after them;
``ё`` may be written ``е``. A spelling belongs to one type only.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AddressType", "SETTLEMENT_TYPES", "STREET_TYPES", "spellings"]


@dataclass(frozen=True)
class AddressType:
    """One street or settlement type."""

    full: str
    official: str
    canonical: str
    also: tuple[str, ...] = ()
    #: A name of digits alone is a name of this type (``мкр 5``, ``кв-л 12``);
    #: after other types a number is more likely a misplaced house number.
    numbered: bool = False
    #: Settlements: a house may have no street (``с. Ивановка, д. 3``).
    village: bool = False
    #: Spellings accepted only after the name: ``Дубки д`` is a деревня, but
    #: ``д. Дубки`` is a house marker without a number.
    after_only: tuple[str, ...] = ()
    #: The full name is also a usual name (``Набережная``): where a part reads both ways, this
    #: word is rather the name (``Набережная ул`` is ``ул. Набережная``).
    also_a_name: bool = False


def spellings(kind: AddressType) -> tuple[str, ...]:
    """Every spelling of ``kind`` accepted before or after a name, lower case, without a final dot.

    The full name (if it is one word), the official and the canonical form, the others in ``also``,
    and each of them with ``ё`` written ``е``; not the spellings accepted only after the name.
    """
    found: list[str] = []
    words = [kind.full] if " " not in kind.full else []
    for spelling in (*words, kind.official, kind.canonical, *kind.also):
        for variant in (spelling.rstrip("."), spelling.rstrip(".").replace("ё", "е")):
            if variant not in found and variant not in kind.after_only:
                found.append(variant)
    return tuple(found)


# The street type whose full name is also a usual street name: "ул. Набережная".
_ALSO_A_NAME = {"набережная"}


def _street(full, official, canonical=None, *also, numbered=False):
    return AddressType(full, official, canonical or official, tuple(also), numbered=numbered,
                       also_a_name=full in _ALSO_A_NAME)


#: Street types: the ГАР road-network list (Приказ 171н), in its order, then the
#: planning-structure types a street may be.
STREET_TYPES: tuple[AddressType, ...] = (
    _street("аллея", "ал.", None, "ал"),
    _street("бульвар", "б-р", None, "бул", "бульв"),
    _street("взвоз", "взв."),
    _street("въезд", "взд."),
    _street("дорога", "дор."),
    _street("заезд", "ззд."),
    _street("километр", "км", None, numbered=True),
    _street("кольцо", "к-цо"),
    _street("коса", "коса"),
    _street("линия", "лн.", None, numbered=True),
    _street("магистраль", "мгстр."),
    _street("набережная", "наб.", None, "набер"),
    _street("переезд", "пер-д"),
    _street("переулок", "пер.", None, "переул"),
    _street("площадка", "пл-ка"),
    _street("площадь", "пл.", None, "пл-дь", "площ"),
    _street("проезд", "пр-д", None, "пр-зд"),
    _street("просек", "пр-к"),
    _street("просека", "пр-ка"),
    _street("просёлок", "пр-лок"),
    _street("проспект", "пр-кт", "пр-т", "пркт", "просп", "пр"),
    _street("проулок", "проул."),
    _street("разъезд", "рзд."),
    _street("ряд", "ряд", None, "ряды"),
    _street("сквер", "с-р"),
    _street("спуск", "с-к", None, "сп"),
    _street("съезд", "сзд."),
    _street("тракт", "тракт", None, "тр-т"),
    _street("тупик", "туп."),
    _street("улица", "ул."),
    _street("шоссе", "ш.", None, "шос"),
    # planning structure
    _street("микрорайон", "мкр.", "мкр", "мкрн", "мкр-н", "мк-н", numbered=True),
    _street("квартал", "кв-л", None, "кварт", numbered=True),
    _street("территория", "тер.", None, "терр"),
    _street("жилой район", "жилрайон", None, "ж/р"),
    _street("промышленная зона", "промзона"),
)


def _settlement(full, official, canonical=None, *also, village=False, after_only=()):
    return AddressType(full, official, canonical or official, tuple(also), village=village,
                       after_only=after_only)


#: Settlement types. The canonical forms of г, пос, пгт, с, дер are the ones
#: cutover wrote before.
SETTLEMENT_TYPES: tuple[AddressType, ...] = (
    _settlement("город", "г.", None, "гор"),
    _settlement("посёлок городского типа", "пгт"),
    _settlement("рабочий посёлок", "рп"),
    _settlement("курортный посёлок", "кп"),
    _settlement("дачный посёлок", "дп"),
    _settlement("посёлок", "п.", "пос."),
    _settlement("село", "с.", village=True),
    _settlement("деревня", "д.", "дер.", village=True, after_only=("д",)),
    _settlement("хутор", "х.", village=True),
    _settlement("станица", "ст-ца"),
    _settlement("аул", "аул", village=True),
    _settlement("слобода", "сл."),
    _settlement("населённый пункт", "нп"),
)
