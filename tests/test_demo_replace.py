"""Tests for replacing personal data in the training database (cutover.demo)."""

import datetime
import re
import uuid

import pytest

from cutover.demo.names import FEMALE_NAMES, MALE_NAMES, SURNAMES, female_surname
from cutover.demo.replace import Person, Replacements, gender, normal

PEOPLE = [
    Person("Петрова", "Анна", "Сергеевна", datetime.date(1961, 3, 14)),
    Person("Иванов", "Иван", "Иванович", datetime.date(1975, 12, 31)),
    Person("Покровская", "Ольга", None, None),
    Person("Черных", "Илья", "Ильич", datetime.date(2000, 2, 29)),
    Person("Шевченко", "Мария", "Никитична", datetime.date(1948, 1, 1)),
    Person("Ким", "Виктор", "Олегович", datetime.date(1990, 7, 7)),
]


def _replacements(seed=7, names=(), addresses=(), accounts=()):
    return Replacements(seed, set(names), set(addresses), set(accounts))


def _luhn_valid(number):
    """The whole number, check digit included, passes the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(number)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def test_normal_ignores_case_spaces_and_yo():
    assert normal("  ФЁДОРОВ  Пётр ") == "федоров петр"
    assert normal(None) == ""


@pytest.mark.parametrize(("male", "female"), [
    ("Петров", "Петрова"), ("Фёдоров", "Фёдорова"), ("Соловьёв", "Соловьёва"), ("Ильин", "Ильина"),
    ("Синицын", "Синицына"), ("Покровский", "Покровская"), ("Белецкий", "Белецкая"),
    ("Трубецкой", "Трубецкая"), ("Черных", "Черных"), ("Шевченко", "Шевченко"), ("Ким", "Ким"),
    ("Римский-Корсаков", "Римская-Корсакова"), ("ПЕТРОВ", "ПЕТРОВА"),
])
def test_female_surname(male, female):
    assert female_surname(male) == female


def test_name_material_is_consistent():
    assert len(SURNAMES) == len(set(SURNAMES)) >= 80
    assert len(FEMALE_NAMES) == len(set(FEMALE_NAMES)) >= 40
    assert len({name for name, _, _ in MALE_NAMES}) == len(MALE_NAMES) >= 40
    for name, son, daughter in MALE_NAMES:
        assert son.endswith("ич") and daughter.endswith("на"), name
        assert gender("Ким", name, None) == "m"
    assert all(gender("Ким", name, None) == "f" for name in FEMALE_NAMES)


@pytest.mark.parametrize(("last", "first", "patronymic", "expected"), [
    ("Петрова", "Анна", "Сергеевна", "f"),
    ("Иванов", "Иван", "Иванович", "m"),
    ("Черных", "Саша", "Ильинична", "f"),  # the patronymic decides first
    ("Черных", "Саша", "Ильич", "m"),
    ("Ким", "Саша", "Никитична", "f"),
    ("ЛЕБЕДЁВА", "Саша", None, "f"),  # then the surname
    ("Покровская", "Саша", None, "f"),
    ("Толстая", "Саша", "", "f"),
    ("Шевченко", "ЛЮБОВЬ", None, "f"),  # then the first name
    ("Шевченко", "Никита", None, "m"),
    ("Шевченко", "Саша", None, "m"),  # told by nothing: male
    ("Алиев", "Мамед", "Гейдар оглы", "m"),
    ("Алиева", "Айгюн", "Гейдар кызы", "f"),
])
def test_gender(last, first, patronymic, expected):
    assert gender(last, first, patronymic) == expected


def test_person_is_the_same_whatever_the_order_and_object():
    first = [_replacements().person(person) for person in PEOPLE]
    second_object = _replacements()
    second = [second_object.person(person) for person in reversed(PEOPLE)][::-1]
    assert first == second
    assert all(new != real for new, real in zip(first, PEOPLE))


def test_person_ignores_case_spaces_and_yo():
    replacements = _replacements()
    born = datetime.date(1970, 5, 5)
    assert (replacements.person(Person("ФЁДОРОВ", "ПЁТР", "СЕМЁНОВИЧ", born))
            == replacements.person(Person(" федоров", "Петр ", "Семенович", born)))


def test_another_seed_gives_other_people():
    assert [_replacements(1).person(p) for p in PEOPLE] != [_replacements(2).person(p) for p in PEOPLE]
    born = datetime.date(1970, 5, 5)
    names = {_replacements(seed).person(Person("Иванов", "Иван", "Иванович", born)).last_name for seed in range(20)}
    assert len(names) > 10


def test_a_woman_gets_female_name_forms():
    for seed in range(30):
        new = _replacements(seed).person(Person("Петрова", "Анна", "Сергеевна", datetime.date(1961, 3, 14)))
        assert new.first_name in FEMALE_NAMES
        assert new.patronymic.endswith(("вна", "чна", "ична")), new
        assert new.last_name.endswith(("а", "ая")) or new.last_name in {"Черных", "Седых", "Шевченко"}, new
        assert gender(new.last_name, new.first_name, new.patronymic) == "f"


def test_a_man_gets_male_name_forms():
    for seed in range(30):
        new = _replacements(seed).person(Person("Иванов", "Иван", "Иванович", None))
        assert new.last_name in SURNAMES
        assert new.first_name in {name for name, _, _ in MALE_NAMES}
        assert new.patronymic.endswith("ич")
        assert new.birth_date is None


def test_missing_patronymic_stays_missing():
    replacements = _replacements()
    assert replacements.person(Person("Покровская", "Ольга", None, None)).patronymic is None
    assert replacements.person(Person("Петров", "Олег", None, None)).patronymic is None
    assert replacements.person(Person("Петров", "Олег", "", None)).patronymic == ""


def test_birth_date_moves_by_30_to_730_days():
    born = datetime.date(1980, 6, 15)
    shifts = set()
    for seed in range(200):
        new = _replacements(seed).person(Person("Иванов", "Иван", "Иванович", born))
        shift = (new.birth_date - born).days
        assert 30 <= abs(shift) <= 730
        shifts.add(shift)
    assert min(shifts) < 0 < max(shifts)


def test_birth_date_next_to_the_calendar_edge():
    new = _replacements().person(Person("Иванов", "Иван", "Иванович", datetime.date.max))
    assert 30 <= (datetime.date.max - new.birth_date).days <= 730


def test_a_real_name_is_redrawn():
    real = Person("Петрова", "Анна", "Сергеевна", datetime.date(1961, 3, 14))
    candidate = _replacements().person(real)
    taken = {(candidate.last_name.upper().replace("Ё", "Е"), candidate.first_name, candidate.patronymic)}
    redrawn = _replacements(names=taken).person(real)
    assert (normal(redrawn.last_name), normal(redrawn.first_name), normal(redrawn.patronymic)) not in {
        tuple(normal(part) for part in name) for name in taken}
    assert redrawn.birth_date == candidate.birth_date
    assert redrawn == _replacements(names=taken).person(real)  # the redraw is deterministic too


def test_no_free_name_is_an_error():
    every_name = {(surname, name, None) for surname in SURNAMES for name, _, _ in MALE_NAMES}
    with pytest.raises(RuntimeError):
        _replacements(names=every_name).person(Person("Иванов", "Иван", None, None))


def test_flats_of_one_house_share_the_new_house():
    replacements = _replacements()
    house, first_flat = replacements.premise("г. Тверь", "ул. Ленина", "5", None, "1")
    same_house, _ = replacements.premise(" Г. ТВЕРЬ", "УЛ. ЛЕНИНА", "5 ", None, "2")
    assert house == same_house
    assert replacements.premise("г. Тверь", "ул. Ленина", "5", None, "1") == (house, first_flat)
    other_building = {replacements.premise("г. Тверь", "ул. Ленина", "5", str(b), "1")[0] for b in range(1, 20)}
    assert len(other_building) > 1  # корпус is part of the house


def test_premise_shape_and_order_independence():
    addresses = [("Тверь", f"ул. {n}", str(n), None, str(n * 3) if n % 4 else None) for n in range(1, 2001)]
    forward = [_replacements().premise(*address) for address in addresses]
    backward_object = _replacements()
    backward = [backward_object.premise(*address) for address in reversed(addresses)][::-1]
    assert forward == backward
    assert forward != [_replacements(8).premise(*address) for address in addresses]
    lettered = 0
    for (_, _, _, _, apartment), (house, new_apartment) in zip(addresses, forward):
        number, letter = re.fullmatch(r"(\d+)([аб]?)", house).groups()
        assert 1 <= int(number) <= 150
        lettered += bool(letter)
        if apartment is None:
            assert new_apartment is None
        else:
            assert 1 <= int(new_apartment) <= 300
    assert 0.05 < lettered / len(addresses) < 0.15


def test_a_real_address_is_redrawn():
    house, apartment = _replacements().premise("Тверь", "ул. Ленина", "5", None, "1")
    taken = {("УЛ. ЛЕНИНА", house.upper(), apartment)}
    new_house, new_apartment = _replacements(addresses=taken).premise("Тверь", "ул. Ленина", "5", None, "1")
    assert new_house == house and new_apartment != apartment  # the flat is redrawn, not the house

    whole_house, none = _replacements().premise("Тверь", None, "5", None, None)
    assert none is None
    redrawn, _ = _replacements(addresses={(None, whole_house, None)}).premise("Тверь", None, "5", None, None)
    assert redrawn != whole_house


def test_fias_guid():
    real = "0c5b2444-70a0-4932-980c-b4dc0d3f02b5"
    guid = _replacements().fias_guid(real)
    assert guid == _replacements().fias_guid(real.upper())
    assert guid != real and str(uuid.UUID(guid)) == guid
    assert guid != _replacements(8).fias_guid(real)
    assert _replacements().fias_guid(None) is None


def test_account_numbers_are_a_shuffled_luhn_valid_series():
    ids = list(range(1, 201))
    numbers = _replacements().account_numbers(ids)
    assert set(numbers) == set(ids)
    assert numbers == _replacements().account_numbers(list(reversed(ids)))
    assert numbers != _replacements(8).account_numbers(ids)
    accounts = [numbers[i][0] for i in ids]
    legacy = [numbers[i][1] for i in ids]
    assert len(set(accounts)) == len(set(legacy)) == len(ids)
    assert all(re.fullmatch(r"99\d{9}", number) and _luhn_valid(number) for number in accounts)
    assert all(re.fullmatch(r"Д\d{6}", number) for number in legacy)
    assert accounts != sorted(accounts)  # not in the order of the real ids
    assert sorted(legacy) == [f"Д{rank:06d}" for rank in range(1, 201)]
    assert _replacements().account_numbers([5], prefix="7", width=4)[5][0][:5] == "70001"


def test_account_numbers_skip_real_ones():
    ids = list(range(1, 51))
    first = _replacements().account_numbers(ids)
    real = {first[1][0], first[2][1], first[3][0], "Д000004"}
    numbers = _replacements(accounts=real).account_numbers(ids)
    assert len({pair for pair in numbers.values()}) == len(ids)
    assert not real & {number for pair in numbers.values() for number in pair}
    assert all(_luhn_valid(account) for account, _ in numbers.values())
