"""Truth-labelled synthetic people for the person-matching bench: every name is made up and looks it.

Each true person gets 1-4 records, as if referred to MARAC more than once or recorded by several agencies;
each record is a copy of the person with the errors real records carry, drawn independently at the rates in
CORRUPTION below (chosen before the model was tuned, from what MARAC coordinators report, and not changed
to flatter the results). The `cluster` column says which records are truly the same person.

Names are built from invented stems and endings in the style of demo/fictional.py ("Fictorella",
"Mockridgeworth"), so no record can be mistaken for a real person. Postcode areas start with Q, which Royal
Mail does not use. Deterministic for a given seed.
"""

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from demo.fictional import generated_postcode_area
from people.linkage_model import PersonRecord

GIVEN_STEMS = (
    "Fict", "Imag", "Pret", "Dumm", "Mock", "Sampl", "Fabr", "Invent", "Mak", "Faux", "Figm", "Dream", "Stor",
    "Fabl", "Phant", "Illus", "Myth", "Legend", "Fanc", "Chimer", "Novell", "Parab", "Alleg", "Rumour", "Hoax",
    "Spoof", "Bluff", "Pseud", "Whims", "Bogus", "Shamw", "Ruse", "Guis", "Fibb", "Tall", "Yarn", "Wheez",
    "Fudg", "Glimm", "Mirag",
)  # fmt: skip
FEMALE_ENDINGS = ("oria", "ina", "ella", "elle", "ia", "essa", "anna", "etta", "ine", "elda", "ara", "issa")
MALE_ENDINGS = ("or", "ald", "rick", "ond", "well", "bert", "an", "us", "win", "ton", "mund", "ias")
SHORT_ENDINGS = ("ie", "y", "o")

FAMILY_STEMS = (
    "Fakes", "Test", "Madeup", "Notreal", "Pretend", "Fiction", "Mock", "Sample", "Dummy", "Placeholder",
    "Imaginary", "Nonesuch", "Faux", "Bogus", "Fabricat", "Hypothet", "Exampl", "Fibb", "Figment", "Unreal",
    "Makebeliev", "Pseudonym", "Sham", "Hoax", "Spoof", "Bluff", "Counterfeit", "Phantom", "Inkwell", "Storyf",
    "Whimsy", "Daydream", "Nowhere", "Faraway", "Fable", "Mirage", "Tallstor", "Yarnspin", "Humbug", "Flimflam",
    "Hokum", "Balon", "Codswall", "Poppycock", "Tommyrot", "Gobbledy", "Fiddlefad", "Hogwash", "Moonshin",
    "Claptr", "Blarney", "Bunkum", "Malarkey", "Twaddle", "Piffle", "Drivel", "Bosh", "Tosh", "Guff", "Flapdoodl",
)  # fmt: skip
FAMILY_ENDINGS = (
    "sby", "worth", "son", "ton", "field", "ridge", "wood", "ington", "ley", "ford", "well", "bury", "stead",
    "wick", "dale", "more", "ham", "by", "ett", "ower", "shaw", "croft", "thorpe", "hurst", "combe",
)  # fmt: skip

CLUSTER_SIZES = (1, 2, 3, 4)
CLUSTER_SIZE_WEIGHTS = (0.45, 0.30, 0.15, 0.10)

# Share of records carrying each error, independently.
CORRUPTION = {
    "given_typo": 0.08,
    "given_short_form": 0.06,  # a short form; one in five is a form the nickname table does not know
    "family_typo": 0.08,
    "family_changed": 0.05,  # e.g. on marriage; half of these records list the old name as another name
    "names_reversed": 0.01,
    "dob_swapped": 0.04,  # day and month swapped, where that makes a valid date
    "dob_digit": 0.03,  # one digit mistyped
    "dob_year": 0.015,  # year one out
    "dob_missing": 0.04,
    "postcode_missing": 0.15,
    "gender_not_known": 0.03,
    "gender_different": 0.005,
}
HAS_ALIAS = 0.10  # people known by another name; each of their records lists it with probability one half
KNOWN_SHORT_FORM = 0.8


def _zipf_weights(count: int, rng: random.Random) -> list[float]:
    weights = [1 / (rank + 1) ** 0.9 for rank in range(count)]
    rng.shuffle(weights)
    return list(accumulate(weights))


@dataclass(frozen=True)
class Vocabulary:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    female_weights: list[float]
    male_weights: list[float]
    family_weights: list[float]

    @classmethod
    def build(cls, rng: random.Random) -> "Vocabulary":
        female = tuple(stem + ending for stem in GIVEN_STEMS for ending in FEMALE_ENDINGS)
        male = tuple(stem + ending for stem in GIVEN_STEMS for ending in MALE_ENDINGS)
        family = tuple(stem + ending for stem in FAMILY_STEMS for ending in FAMILY_ENDINGS)
        return cls(
            female,
            male,
            family,
            _zipf_weights(len(female), rng),
            _zipf_weights(len(male), rng),
            _zipf_weights(len(family), rng),
        )


def short_forms(name: str) -> list[str]:
    """Fictional short forms of a given name: its stem with a pet-name ending ("Fictoria" -> "Fictie")."""
    stem = next((stem for stem in GIVEN_STEMS if name.startswith(stem)), name[:4])
    return [stem + ending for ending in SHORT_ENDINGS]


def nickname_table() -> dict[str, tuple[str, ...]]:
    """What the bench's model is told: the first two short forms of each stem (the third is unknown to it)."""
    table: dict[str, list[str]] = {}
    for stem in GIVEN_STEMS:
        for ending in SHORT_ENDINGS[:2]:
            table[(stem + ending).lower()] = [(stem + full).lower() for full in (*FEMALE_ENDINGS, *MALE_ENDINGS)]
    return {short: tuple(full) for short, full in table.items()}


@dataclass
class Person:
    given: str
    family: str
    alias: tuple[str, str] | None
    dob: date
    gender: str
    postcodes: list[str]  # oldest first


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_INWARD = "ABDEFGHJLNPQRSTUWXYZ"


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    at = rng.randrange(1, len(word))  # first letters are mistyped less often
    kind = rng.random()
    if kind < 0.3:
        return word[:at] + rng.choice(_LETTERS) + word[at + 1 :]
    if kind < 0.55:
        return word[:at] + word[at + 1 :]
    if kind < 0.8:
        return word[:at] + rng.choice(_LETTERS) + word[at:]
    if at < len(word) - 1:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word + rng.choice(_LETTERS)


def _postcode(rng: random.Random, district: str | None = None) -> str:
    if district is None:
        district = f"{generated_postcode_area(rng.randrange(22))}{rng.randint(1, 40)}"
    return f"{district} {rng.randint(1, 9)}{rng.choice(_INWARD)}{rng.choice(_INWARD)}"


def _person(rng: random.Random, vocabulary: Vocabulary) -> Person:
    gender = "female" if rng.random() < 0.55 else "male"
    names, weights = (
        (vocabulary.female, vocabulary.female_weights)
        if gender == "female"
        else (vocabulary.male, vocabulary.male_weights)
    )
    given = rng.choices(names, cum_weights=weights)[0]
    family = rng.choices(vocabulary.family, cum_weights=vocabulary.family_weights)[0]
    alias = None
    if rng.random() < HAS_ALIAS:
        alias = (
            (given, rng.choices(vocabulary.family, cum_weights=vocabulary.family_weights)[0])
            if rng.random() < 0.7
            else (rng.choices(names, cum_weights=weights)[0], family)
        )
    dob = date(1945, 1, 1) + timedelta(days=rng.randrange(365 * 63))
    postcodes = [_postcode(rng)]
    for _ in range(rng.choices((0, 1, 2), (0.5, 0.35, 0.15))[0]):
        nearby = rng.random() < 0.6
        postcodes.append(_postcode(rng, postcodes[-1].split(" ")[0] if nearby else None))
    return Person(given, family, alias, dob, gender, postcodes)


def _corrupt_dob(dob: date, rng: random.Random) -> date | None:
    chance = rng.random
    if chance() < CORRUPTION["dob_missing"]:
        return None
    if chance() < CORRUPTION["dob_swapped"] and dob.day <= 12 and dob.day != dob.month:
        dob = date(dob.year, dob.day, dob.month)
    if chance() < CORRUPTION["dob_digit"]:
        text = dob.isoformat()
        for _ in range(5):
            at = rng.choice((2, 3, 5, 6, 8, 9))
            candidate = text[:at] + str(rng.randrange(10)) + text[at + 1 :]
            try:
                return date.fromisoformat(candidate)
            except ValueError:
                continue
    if chance() < CORRUPTION["dob_year"]:
        with contextlib.suppress(ValueError):  # 29 February
            dob = dob.replace(year=dob.year + rng.choice((-1, 1)))
    return dob


def _record(person: Person, rng: random.Random, vocabulary: Vocabulary, order: int) -> dict[str, object]:
    chance = rng.random
    given, family = person.given, person.family
    if chance() < CORRUPTION["given_short_form"]:
        forms = short_forms(given)
        given = rng.choice(forms[:2]) if chance() < KNOWN_SHORT_FORM else forms[2]
    if chance() < CORRUPTION["given_typo"]:
        given = typo(given, rng)
    other_names = []
    if person.alias and chance() < 0.5:
        other_names.append(person.alias)
    if chance() < CORRUPTION["family_changed"]:
        if chance() < 0.5:
            other_names.append((person.given, family))
        family = rng.choices(vocabulary.family, cum_weights=vocabulary.family_weights)[0]
    if chance() < CORRUPTION["family_typo"]:
        family = typo(family, rng)
    if chance() < CORRUPTION["names_reversed"]:
        given, family = family, given
    gender = person.gender
    if chance() < CORRUPTION["gender_not_known"]:
        gender = "not_known"
    elif chance() < CORRUPTION["gender_different"]:
        gender = "male" if gender == "female" else "female"
    # Later records are more likely to have a later address; some carry the one before as history.
    at = min(len(person.postcodes) - 1, order + rng.randrange(-1, 2)) if len(person.postcodes) > 1 else 0
    at = max(at, 0)
    postcodes = [person.postcodes[at]]
    if at > 0 and chance() < 0.4:
        postcodes.append(person.postcodes[at - 1])
    if chance() < CORRUPTION["postcode_missing"]:
        postcodes = []
    return {
        "given_name": given,
        "family_name": family,
        "other_names": [{"given": g, "family": f} for g, f in other_names],
        "date_of_birth": _corrupt_dob(person.dob, rng),
        "gender": gender,
        "postcodes": postcodes,
    }


RAW_SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("cluster", pa.int64()),
        ("given_name", pa.string()),
        ("family_name", pa.string()),
        ("other_names", pa.list_(pa.struct([("given", pa.string()), ("family", pa.string())]))),
        ("date_of_birth", pa.date32()),
        ("gender", pa.string()),
        ("postcodes", pa.list_(pa.string())),
    ]
)


def records(size: int, seed: int) -> Iterator[dict[str, object]]:
    """`size` records of people in clusters of 1-4, in a shuffled order (ids say nothing about clusters)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
    vocabulary = Vocabulary.build(rng)
    rows: list[tuple[int, dict[str, object]]] = []
    cluster = 0
    while len(rows) < size:
        person = _person(rng, vocabulary)
        copies = rng.choices(CLUSTER_SIZES, CLUSTER_SIZE_WEIGHTS)[0]
        for order in range(min(copies, size - len(rows))):
            rows.append((cluster, _record(person, rng, vocabulary, order)))
        cluster += 1
    rng.shuffle(rows)
    for number, (cluster_id, row) in enumerate(rows):
        yield {"unique_id": f"r{number}", "cluster": cluster_id, **row}


def write(size: int, seed: int, path: str, batch: int = 100_000) -> None:
    with pq.ParquetWriter(path, RAW_SCHEMA) as writer:
        chunk: list[dict[str, object]] = []
        for row in records(size, seed):
            chunk.append(row)
            if len(chunk) == batch:
                writer.write_table(pa.Table.from_pylist(chunk, schema=RAW_SCHEMA))
                chunk = []
        if chunk:
            writer.write_table(pa.Table.from_pylist(chunk, schema=RAW_SCHEMA))


def as_person_record(row: dict[str, Any]) -> PersonRecord:
    """A generated row (from records() or read back from the Parquet file) as the model's input."""
    return PersonRecord(
        unique_id=row["unique_id"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        other_names=tuple((name["given"], name["family"]) for name in row["other_names"]),
        date_of_birth=row["date_of_birth"],
        gender=row["gender"],
        postcodes=tuple(row["postcodes"]),
    )
