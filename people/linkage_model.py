"""Probabilistic person matching (Splink): is a person on a new referral someone already held?

Model design, in brief (docs/linkage.md has the long version):
- Records are prepared in Python, a column at a time, before they reach the database: names normalised as
  people.matching does, phonetic keys (Soundex), the full given names a short form may stand for
  (people/nicknames.py), the date of birth as text plus its day-and-month-swapped form and an order-free key,
  postcode history as arrays of full postcodes, sectors and districts. Doing this in Python keeps every SQL
  expression inside Splink's own comparison and blocking library, so the same model runs on DuckDB (default)
  and on Spark.
- Blocking (which pairs are scored at all) uses several rules so that one error never hides a pair:
  date of birth in either day/month order with each name's sound or first letters, the current postcode
  with a name key or the date, year of birth with both names' first letters, and both names' sounds with
  a date of birth that is missing or close.
- Six comparisons, each with levels from strongest to weakest agreement: given name (exact, names the
  other way round, known short form, Jaro-Winkler tiers), family name (likewise), other names (an alias
  matches a name on the other record; a family name appears among the other's names), date of birth
  (exact, day and month swapped, one digit wrong, same day and month), gender, postcode history.
- Training: u probabilities by random sampling, m probabilities by expectation maximisation on two
  blocking rules, starting from fixed priors. On small data EM may not reach a level; that level keeps its
  prior, so a MARAC with a few dozen people still gets a usable model. The given name's m values (like the
  gender's) are never trained: on family data EM cannot tell twins from one person recorded twice
  (_M_NOT_TRAINED). EM's proportion of matches is kept only while it agrees roughly with the exact rules'
  (plausible_proportion_of_matches).
- Suggestions (find_matches, dedupe) never include two records whose given names differ completely (no short
  form, initial, shared part, close spelling, names the other way round or matching alias): brothers and
  sisters, twins included, share everything else the model reads (see _never_the_same).
- Bulk judgement (judged_same_person): pairs scored high enough, plus records joined through chains of strong
  links (connected components), for work where no person decides pair by pair.
- The model is Splink's own JSON dict, plus an "openmarac" entry carrying MODEL_FORMAT_VERSION.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import count
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.splink_dataframe import SplinkDataFrame

from people.matching import normalise_name
from people.nicknames import NICKNAMES

MODEL_FORMAT_VERSION = 2

# Splink logs every SQL step at INFO; names never reach these logs, but the volume drowns everything else.
_SPLINK_LOG_LEVEL = logging.WARNING
_table_names = count(1)
# Below this many records, pairs are too few to estimate how often people agree by chance or when the same:
# the priors in build_settings stand.
MIN_RECORDS_TO_TRAIN = 300
# Below this many, EM sees too few pairs sharing a date of birth to say how many pairs are matches.
EM_PRIOR_MIN_RECORDS = 10_000
# The share of true pairs assumed found by the exact rules (same given name, date of birth, and family name or
# postcode) when estimating the proportion of matches from them; and the least share EM's own estimate may
# imply (see plausible_proportion_of_matches). On the 1,000,000-record bench they find about 60%.
EXACT_RULES_RECALL = 0.7
EXACT_RULES_LEAST_RECALL = 0.2

# How many records' worth of belief in the priors a name's observed frequency must outweigh: a MARAC holding
# fifty people cannot say how common a name is, a million records can.
_FREQUENCY_PSEUDO_RECORDS = 1000
NAME_FREQUENCY_PRIOR = {"given_name": 0.008, "family_name": 0.005}


@dataclass(frozen=True)
class PersonRecord:
    unique_id: str
    given_name: str
    family_name: str
    other_names: tuple[tuple[str, str], ...] = ()
    date_of_birth: date | None = None
    gender: str = "not_known"
    postcodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldComparison:
    field: str
    agreed: bool | None
    words: str
    # Not the same, but near enough for a slip (a date of birth one digit out): shown as "Close", never "Agrees".
    close: bool = False


@dataclass(frozen=True)
class Suggestion:
    new_id: str
    held_id: str
    probability: float
    comparisons: tuple[FieldComparison, ...]


# --- Preparing records -------------------------------------------------------------------------------

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


# Names and postcodes repeat a great deal; remembering the work done on each makes bulk preparation fast.
_normal = lru_cache(maxsize=500_000)(normalise_name)


@lru_cache(maxsize=500_000)
def soundex(name: str) -> str | None:
    """The classic four-character sound code: "Fakesby" and "Faksbey" both give F212."""
    letters = _normal(name)
    if not letters:
        return None
    code, previous = letters[0].upper(), _SOUNDEX_CODES.get(letters[0], "")
    for letter in letters[1:]:
        digit = _SOUNDEX_CODES.get(letter, "")
        if digit and digit != previous:
            code += digit
        if letter not in "hw":  # h and w do not separate two letters with the same code
            previous = digit
    return (code + "000")[:4]


def name_roots(name: str, nicknames: Mapping[str, Iterable[str]] = NICKNAMES) -> list[str]:
    """The name itself and every full name it may be a short form of."""
    return sorted({name, *nicknames.get(name, ())})


_NOT_IN_POSTCODE = re.compile(r"[^A-Z0-9]")


@lru_cache(maxsize=500_000)
def normalise_postcode(postcode: str) -> str | None:
    letters = _NOT_IN_POSTCODE.sub("", postcode.upper())
    return letters if len(letters) >= 5 else None


@lru_cache(maxsize=100_000)
def _date_keys(day: date | None) -> tuple[str | None, str | None, str | None]:
    """The date as text, with day and month swapped (when that is a different valid date), and a key
    equal for both orders, so one blocking rule finds a swapped date whichever record has it."""
    if day is None:
        return None, None, None
    low, high = sorted((day.day, day.month))
    swapped = None
    if day.day <= 12 and day.day != day.month:
        swapped = f"{day.year:04d}-{day.day:02d}-{day.month:02d}"
    return day.isoformat(), swapped, f"{day.year:04d}{low:02d}{high:02d}"


def _none_if_empty(values: list[str]) -> list[str] | None:
    return values or None


@dataclass(frozen=True)
class _Name:
    """What the model reads from one given or family name as written."""

    normal: str | None
    sound: str | None
    prefix: str | None


@lru_cache(maxsize=500_000)
def _name_parts(written: str | None) -> _Name:
    normal = _normal(written) or None if written else None
    return _Name(normal, soundex(normal or ""), normal[:3] if normal else None)


def _postcode_columns(written: Sequence[str] | None) -> tuple[list[str] | None, list[str] | None, list[str] | None]:
    """Postcode history (current first, each once), and its sectors and districts."""
    postcodes = list(dict.fromkeys(p for p in map(normalise_postcode, written or ()) if p))
    if not postcodes:
        return None, None, None
    return postcodes, sorted({p[:-2] for p in postcodes}), sorted({p[:-3] for p in postcodes})


def _alias_columns(
    given: str | None, family: str | None, other_names: Sequence[tuple[str, str]]
) -> tuple[list[str], list[str] | None, list[str] | None]:
    main_name = f"{given or ''} {family or ''}"
    aliases = [(_normal(g), _normal(f)) for g, f in other_names]
    aliases = [alias for alias in aliases if any(alias)]
    if not aliases:
        return [main_name], None, [family] if family else None
    aliases_full = [f"{g} {f}" for g, f in aliases]
    return (
        list(dict.fromkeys([main_name, *aliases_full])),
        aliases_full,
        _none_if_empty(sorted({name for name in [family, *(f for _, f in aliases)] if name})),
    )


@dataclass
class RawColumns:
    """Records as columns, in the order of their ids: what prepare_columns reads."""

    unique_id: list[str]
    given_name: list[str | None]
    family_name: list[str | None]
    other_names: list[Sequence[tuple[str, str]]]
    date_of_birth: list[date | None]
    gender: list[str | None]
    postcodes: list[Sequence[str] | None]

    @classmethod
    def from_records(cls, records: Iterable[PersonRecord]) -> RawColumns:
        people = list(records)
        return cls(
            [p.unique_id for p in people],
            [p.given_name for p in people],
            [p.family_name for p in people],
            [p.other_names for p in people],
            [p.date_of_birth for p in people],
            [p.gender for p in people],
            [p.postcodes for p in people],
        )

    @classmethod
    def from_arrow(cls, table: pa.Table) -> RawColumns:
        """A table with PersonRecord's columns; other names as a list of {given, family} structs."""
        return cls(
            table.column("unique_id").to_pylist(),
            table.column("given_name").to_pylist(),
            table.column("family_name").to_pylist(),
            [
                [(name["given"] or "", name["family"] or "") for name in names] if names else ()
                for names in table.column("other_names").to_pylist()
            ],
            table.column("date_of_birth").to_pylist(),
            table.column("gender").to_pylist(),
            table.column("postcodes").to_pylist(),
        )


_KNOWN_GENDERS = frozenset({"female", "male", "non_binary", "other"})


def prepare_columns(raw: RawColumns, nicknames: Mapping[str, Iterable[str]] = NICKNAMES) -> pa.Table:
    """The records as the columns the model reads, worked out a column at a time (a million records in
    seconds: names, dates and postcodes repeat, and each distinct one is worked out once)."""
    given = [_name_parts(name) for name in raw.given_name]
    family = [_name_parts(name) for name in raw.family_name]
    roots_of = {g.normal: name_roots(g.normal, nicknames) for g in set(given) if g.normal}
    given_roots = [roots_of[g.normal] if g.normal else None for g in given]
    names = [
        _alias_columns(g.normal, f.normal, others) for g, f, others in zip(given, family, raw.other_names, strict=True)
    ]
    dates = [_date_keys(day) for day in raw.date_of_birth]
    postcodes = [_postcode_columns(written) for written in raw.postcodes]
    columns: dict[str, list[Any]] = {
        "unique_id": raw.unique_id,
        "given_name": [g.normal for g in given],
        "family_name": [f.normal for f in family],
        "full_name": [
            f"{g.normal} {f.normal}" if g.normal and f.normal else None for g, f in zip(given, family, strict=True)
        ],
        "given_sound": [g.sound for g in given],
        "family_sound": [f.sound for f in family],
        "name_sounds": [
            "".join(sorted((g.sound, f.sound))) if g.sound and f.sound else None
            for g, f in zip(given, family, strict=True)
        ],
        "given_prefix": [g.prefix for g in given],
        "family_prefix": [f.prefix for f in family],
        "given_roots": given_roots,
        "names_full": [n[0] for n in names],
        "aliases_full": [n[1] for n in names],
        "family_names_all": [n[2] for n in names],
        "dob": [d[0] for d in dates],
        "dob_swapped": [d[1] for d in dates],
        "dob_key": [d[2] for d in dates],
        "dob_year": [d[0][:4] if d[0] else None for d in dates],
        "gender": [gender if gender in _KNOWN_GENDERS else None for gender in raw.gender],
        "postcode": [p[0][0] if p[0] else None for p in postcodes],
        "postcodes": [p[0] for p in postcodes],
        "postcode_sectors": [p[1] for p in postcodes],
        "postcode_districts": [p[2] for p in postcodes],
    }
    return pa.table({name: pa.array(columns[name], PREPARED_SCHEMA.field(name).type) for name in PREPARED_SCHEMA.names})


_TEXT_LIST = pa.list_(pa.string())
PREPARED_SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("given_name", pa.string()),
        ("family_name", pa.string()),
        ("full_name", pa.string()),
        ("given_sound", pa.string()),
        ("family_sound", pa.string()),
        ("name_sounds", pa.string()),
        ("given_prefix", pa.string()),
        ("family_prefix", pa.string()),
        ("given_roots", _TEXT_LIST),
        ("names_full", _TEXT_LIST),
        ("aliases_full", _TEXT_LIST),
        ("family_names_all", _TEXT_LIST),
        ("dob", pa.string()),
        ("dob_swapped", pa.string()),
        ("dob_key", pa.string()),
        ("dob_year", pa.string()),
        ("gender", pa.string()),
        ("postcode", pa.string()),
        ("postcodes", _TEXT_LIST),
        ("postcode_sectors", _TEXT_LIST),
        ("postcode_districts", _TEXT_LIST),
    ]
)


def prepare_table(records: Iterable[PersonRecord], nicknames: Mapping[str, Iterable[str]] = NICKNAMES) -> pa.Table:
    """The records as the columns the model reads; pass this (or a parquet file of it) to train_model."""
    return prepare_columns(RawColumns.from_records(records), nicknames)


# --- The model ----------------------------------------------------------------------------------------


def _level(level: ComparisonLevelCreator, label: str, m: float, u: float) -> ComparisonLevelCreator:
    return level.configure(label_for_charts=label, m_probability=m, u_probability=u)


def _fixed(level: ComparisonLevelCreator, label: str, m: float, u: float) -> ComparisonLevelCreator:
    """A level whose m and u training leaves alone."""
    return _level(level, label, m, u).configure(fix_m_probability=True, fix_u_probability=True)


def _null(column: str) -> ComparisonLevelCreator:
    return cll.NullLevel(column).configure(label_for_charts="missing")


# How often the same person's two records carry completely different names, when training cannot say. A family
# name changes with marriage (an alias usually records the old one); a given name that is not a short form,
# an initial or a slip of the pen almost never does, while brothers and sisters, who share a family name, an
# address and often a date of birth a digit or two away, always differ in it. At 0.04 a MARAC holding no
# duplicates to learn from suggested siblings as the same person (family name, address and a date of birth
# one digit out outweighed it); at 0.002 those three alone stay well below the suggestion threshold.
_DIFFERENT_NAME_M = {"given_name": 0.002, "family_name": 0.04}

# The given name's m values are never trained (_M_NOT_TRAINED): they are the shares of the same person's pairs
# of records that the recording errors of bench/linkage/generate.py put on each level (a record's given name
# mistyped 8 times in 100, a short form 6, names the other way round 1; so in a pair both names are right about
# 72 times in 100, and one is a short form or mistyped about 12 times each). EM on 20,000 of its records
# found 0.745, 0.009, 0.077, 0.122, 0.035 and 0.012 (docs/linkage.md).
_GIVEN_NAME_M = {
    "exact": 0.75,
    "reversed": 0.01,
    "short form": 0.08,
    "nearly the same": 0.12,
    "similar": 0.038,
    "different": _DIFFERENT_NAME_M["given_name"],
}
# Starting values for the family name, which training estimates.
_FAMILY_NAME_M = {
    "exact": 0.84 - _DIFFERENT_NAME_M["family_name"],
    "reversed": 0.01,
    "nearly the same": 0.07,
    "similar": 0.03,
    "different": _DIFFERENT_NAME_M["family_name"],
}

# The comparisons whose m values training leaves alone (u is still estimated from random pairs). Only the given
# name tells twins apart: they share a family name, a date of birth, an address and often a gender, so on data
# holding many of them EM cannot tell "the same person" from "the same family" (both are pairs agreeing on
# everything but the given name) and learns whichever is commoner. A MARAC with many twins taught the model that
# the same person's records carry different given names nine times in ten (m of an exact given name 0.07), and
# a duplicate with the same name and date of birth that had moved scored 0.30. How often a given name is
# mistyped or shortened is a fact about recording, not about a MARAC's families.
_M_NOT_TRAINED = frozenset({"given_name"})


def _name_comparison(column: str, other: str, *, roots: str | None) -> ComparisonCreator:
    # Priors: what share of true pairs (m) and of different people (u) land on each level.
    m = _GIVEN_NAME_M if column == "given_name" else _FAMILY_NAME_M
    levels: list[ComparisonLevelCreator] = [
        _level(cll.ExactMatchLevel(column), "exact", m["exact"], NAME_FREQUENCY_PRIOR[column]).configure(
            tf_adjustment_column=column, tf_adjustment_weight=1.0
        ),
        _level(cll.ColumnsReversedLevel(column, other, symmetrical=True), "reversed", m["reversed"], 0.0001),
    ]
    if roots:
        levels.append(_level(cll.ArrayIntersectLevel(roots, 1), "short form", m["short form"], 0.001))
    levels += [
        _level(cll.JaroWinklerLevel(column, 0.92), "nearly the same", m["nearly the same"], 0.004),
        _level(cll.JaroWinklerLevel(column, 0.80), "similar", m["similar"], 0.05),
        _level(cll.ElseLevel(), "different", m["different"], 0.94),
    ]
    if column in _M_NOT_TRAINED:
        levels = [level.configure(fix_m_probability=True) for level in levels]
    return cl.CustomComparison(comparison_levels=[_null(column), *levels], output_column_name=column)


def _date_of_birth_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        comparison_levels=[
            _null("dob"),
            _level(cll.ExactMatchLevel("dob"), "exact", 0.88, 0.00005),
            _level(
                cll.CustomLevel("dob_swapped_l = dob_r", base_dialect_str="duckdb"),
                "day and month swapped",
                0.03,
                0.00003,
            ),
            _level(cll.LevenshteinLevel("dob", 1), "one digit", 0.05, 0.0015),
            _level(
                cll.CustomLevel("substr(dob_l, 6, 5) = substr(dob_r, 6, 5)", base_dialect_str="duckdb"),
                "same day and month",
                0.02,
                0.003,
            ),
            _level(cll.ElseLevel(), "different", 0.02, 0.995),
        ],
        output_column_name="dob",
    )


def _gender_comparison() -> ComparisonCreator:
    # A given name nearly always says the gender, so a shared gender adds nothing to given names that agree
    # (m = u: no evidence either way). Training would estimate each level's share of all pairs, which here
    # depends on the given names, so the levels keep these fixed values: among people whose given names
    # differ, the same person's records share a gender 97 times in 100, different people's about half the time.
    return cl.CustomComparison(
        comparison_levels=[
            _null("gender"),
            _fixed(
                cll.And(
                    cll.ExactMatchLevel("gender"),
                    cll.Or(
                        cll.ExactMatchLevel("given_name"),
                        cll.ArrayIntersectLevel("given_roots", 1),
                        cll.JaroWinklerLevel("given_name", 0.92),
                    ),
                ),
                "exact, names alike",
                0.5,
                0.5,
            ),
            _fixed(cll.ExactMatchLevel("gender"), "exact", 0.97, 0.5),
            _fixed(cll.ElseLevel(), "different", 0.03, 0.5),
        ],
        output_column_name="gender",
    )


def _postcode_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        comparison_levels=[
            _null("postcodes"),
            _level(cll.ExactMatchLevel("postcode"), "current", 0.55, 0.0001),
            _level(cll.ArrayIntersectLevel("postcodes", 1), "shared", 0.15, 0.0001),
            _level(cll.ArrayIntersectLevel("postcode_sectors", 1), "sector", 0.05, 0.002),
            _level(cll.ArrayIntersectLevel("postcode_districts", 1), "district", 0.08, 0.01),
            _level(cll.ElseLevel(), "different", 0.17, 0.99),
        ],
        output_column_name="postcode",
    )


def _other_names_comparison() -> ComparisonCreator:
    # An alias only counts when it adds something the main names have not already shown.
    neither_has_aliases = cll.CustomLevel(
        "aliases_full_l IS NULL AND aliases_full_r IS NULL", base_dialect_str="duckdb"
    )
    return cl.CustomComparison(
        comparison_levels=[
            neither_has_aliases.configure(is_null_level=True, label_for_charts="missing"),
            _level(
                cll.And(cll.ArrayIntersectLevel("names_full", 1), cll.Not(cll.ExactMatchLevel("full_name"))),
                "alias matches",
                0.30,
                0.00005,
            ),
            _level(
                cll.And(cll.ArrayIntersectLevel("family_names_all", 1), cll.Not(cll.ExactMatchLevel("family_name"))),
                "family name among other names",
                0.20,
                0.001,
            ),
            _level(cll.ElseLevel(), "different", 0.50, 0.999),
        ],
        output_column_name="other_names",
    )


# Dates of birth close enough for a slip of the pen: one missing, same year, or same day and month.
_PLAUSIBLE_DATES = (
    "(l.dob is null or r.dob is null or l.dob_year = r.dob_year or substr(l.dob, 6, 5) = substr(r.dob, 6, 5))"
)


def blocking_rules() -> list[BlockingRuleCreator | dict[str, Any]]:
    """Which pairs are scored at all. A true pair is lost only if it fails every rule, so the rules are
    chosen so that an error in any one field (a name, the date, the postcode) leaves a rule that finds it."""
    return [
        block_on("dob_key", "family_sound"),
        block_on("dob_key", "given_sound"),
        block_on("dob_key", "given_prefix"),
        block_on("dob_key", "family_prefix"),
        block_on("dob_key", "name_sounds"),
        block_on("postcode", "given_sound"),
        block_on("postcode", "family_sound"),
        block_on("postcode", "given_prefix"),
        block_on("postcode", "family_prefix"),
        block_on("postcode", "dob_key"),
        block_on("postcode", "name_sounds"),
        block_on("dob_year", "given_prefix", "family_prefix"),
        CustomRule(
            f"l.given_sound = r.given_sound and l.family_sound = r.family_sound and {_PLAUSIBLE_DATES}", "duckdb"
        ),
    ]


def build_settings(*, probability_two_random_records_match: float = 0.0001) -> SettingsCreator:
    """The one definition of blocking rules and comparisons."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=probability_two_random_records_match,
        blocking_rules_to_generate_predictions=blocking_rules(),
        comparisons=[
            _name_comparison("given_name", "family_name", roots="given_roots"),
            _name_comparison("family_name", "given_name", roots=None),
            _other_names_comparison(),
            _date_of_birth_comparison(),
            _gender_comparison(),
            _postcode_comparison(),
        ],
        retain_matching_columns=True,  # needed for the gamma (level) columns behind the words
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=[],
    )


# --- Training -----------------------------------------------------------------------------------------

type TrainingInput = Sequence[PersonRecord] | pa.Table | str


def _as_table(data: TrainingInput, nicknames: Mapping[str, Iterable[str]]) -> pa.Table:
    if isinstance(data, str):  # a parquet file of prepared rows (the bench)
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        return pq.read_table(data, columns=PREPARED_SCHEMA.names)
    if isinstance(data, pa.Table):
        return data.select(PREPARED_SCHEMA.names)
    return prepare_table(data, nicknames)


def name_frequency_tables(reference: pa.Table) -> dict[str, pa.Table]:
    """How common each given and family name is among the reference records (the people held), smoothed
    towards the prior, so a shared rare name counts for more than a shared common one (term frequencies)."""
    tables = {}
    for column, prior in NAME_FREQUENCY_PRIOR.items():
        counts = Counter(name for name in reference.column(column).to_pylist() if name is not None)
        total = reference.num_rows + _FREQUENCY_PSEUDO_RECORDS
        names = list(counts)
        frequencies = [(counts[name] + _FREQUENCY_PSEUDO_RECORDS * prior) / total for name in names]
        tables[column] = pa.table({column: pa.array(names, pa.string()), f"tf_{column}": pa.array(frequencies)})
    return tables


def _use_name_frequencies(linker: Linker, db_api: DatabaseAPISubClass, reference: pa.Table) -> None:
    for column, table in name_frequency_tables(reference).items():
        frequencies = _register(db_api, table, f"tf_{column}")
        linker.table_management.register_term_frequency_lookup(frequencies, column)


def _register(db_api: DatabaseAPISubClass, table: pa.Table, role: str) -> SplinkDataFrame:
    return db_api.register(table, table_name=f"openmarac_{role}_{next(_table_names)}")


def _count_rows(table: pa.Table) -> int:
    return int(table.num_rows)


def _train_step(linker: Linker, people: SplinkDataFrame, step: str, action: Callable[[Linker], object]) -> Linker:
    """Run one training step; if the data are too small or too uniform for it, keep what was learnt so far.

    A failed Splink step can leave the linker's settings half-changed (EM drops the comparisons its blocking
    rule uses), so on failure training carries on from a linker rebuilt from the last good model."""
    before = linker.misc.save_model_to_json()
    try:
        action(linker)
    except Exception as error:  # Splink raises many kinds of error on degenerate data
        logging.getLogger(__name__).warning("Person-matching training step %s skipped: %s", step, type(error).__name__)
        return Linker(people, before, _SPLINK_LOG_LEVEL)
    return linker


def plausible_proportion_of_matches(from_em: float, from_exact_rules: float) -> float:
    """EM's proportion of matches, unless it is so far above the exact rules' that EM must have counted some other
    kind of pair as the same person; then the exact rules' estimate.

    The exact rules (same given name, date of birth, and family name or postcode) find every true pair recorded
    without a slip in those fields: most true pairs on any real data (about 60% on the benchmark, where EM's
    1.54 in a million against their 1.10 says 50%). EM on pairs sharing a date of birth counts as matches
    whatever group of pairs agrees on most else: on a MARAC with many twins (one family name, date of birth and
    address), the twins, which the exact rules never find. EM's estimate stands only while it says the exact
    rules found at least EXACT_RULES_LEAST_RECALL of the true pairs."""
    if from_em * EXACT_RULES_LEAST_RECALL <= from_exact_rules * EXACT_RULES_RECALL:
        return from_em
    return from_exact_rules


def _proportion_of_matches(linker: Linker) -> float:
    return float(linker.misc.save_model_to_json()["probability_two_random_records_match"])


def _keep_proportion_of_matches_plausible(linker: Linker, people: SplinkDataFrame, from_exact_rules: float) -> Linker:
    from_em = _proportion_of_matches(linker)
    kept = plausible_proportion_of_matches(from_em, from_exact_rules)
    if kept == from_em:
        return linker
    # Numbers only: nothing about any person reaches the logs.
    logging.getLogger(__name__).warning(
        "Person-matching training: EM's proportion of matches (%.3g) would mean the exact rules found %.2g%% of "
        "true pairs; kept the exact rules' estimate (%.3g)",
        from_em,
        100 * from_exact_rules * EXACT_RULES_RECALL / from_em,
        from_exact_rules,
    )
    model = linker.misc.save_model_to_json()
    model["probability_two_random_records_match"] = kept
    return Linker(people, model, _SPLINK_LOG_LEVEL)


def train_model(
    records: TrainingInput,
    *,
    db_api: DatabaseAPISubClass | None = None,
    seed: int = 1,
    nicknames: Mapping[str, Iterable[str]] = NICKNAMES,
    em_max_pairs: float = 2_000_000,
) -> dict[str, Any]:
    """Estimate the model's parameters from the MARAC's own records (no labels needed)."""
    db_api = db_api or DuckDBAPI()
    table = _as_table(records, nicknames)
    size = _count_rows(table)
    people = _register(db_api, table, "training")
    linker = Linker(people, build_settings(probability_two_random_records_match=1 / max(size, 2)), _SPLINK_LOG_LEVEL)
    _use_name_frequencies(linker, db_api, table)
    sure_matches: list[str | BlockingRuleCreator] = [
        block_on("given_name", "family_name", "dob"),
        block_on("given_name", "dob", "postcode"),
    ]
    linker = _train_step(
        linker,
        people,
        "proportion of matches",
        lambda linker: linker.training.estimate_probability_two_random_records_match(
            sure_matches, recall=EXACT_RULES_RECALL
        ),
    )
    from_exact_rules = _proportion_of_matches(linker)
    if size >= MIN_RECORDS_TO_TRAIN:
        max_pairs = min(5e6, size * (size - 1) / 2)
        linker = _train_step(
            linker,
            people,
            "u",
            lambda linker: linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed),
        )
        # Each rule's pairs grow with the square of the records (a million records share a date of birth in
        # some 20 million pairs, and common names in a hundred million): EM reads a sample of about
        # em_max_pairs of them, enough to estimate every level, and ignores name frequencies while iterating.
        # With enough records, the proportion of matches is taken from EM on pairs sharing a date of birth,
        # which assumes nothing about how many true pairs the exact rules above find (on the 1,000,000-record
        # bench: 1.54e-6 against the truth's 1.42e-6, where the exact rules' assumed 70% gave 1.10e-6).
        for rule, sets_prior in (
            (block_on("dob"), size >= EM_PRIOR_MIN_RECORDS),
            (block_on("given_name", "family_name"), False),
        ):

            def expectation_maximisation(
                linker: Linker, rule: BlockingRuleCreator = rule, sets_prior: bool = sets_prior
            ) -> object:
                return linker.training.estimate_parameters_using_expectation_maximisation(
                    rule,
                    estimate_without_term_frequencies=True,
                    populate_probability_two_random_records_match_from_trained_values=sets_prior,
                    max_pairs=em_max_pairs,
                    record_sample_proportion=min(1.0, max(0.01, 100_000 / size)),
                )

            linker = _train_step(linker, people, "m", expectation_maximisation)
            if sets_prior:
                linker = _keep_proportion_of_matches_plausible(linker, people, from_exact_rules)
    model = _with_priors_where_untrained(linker.misc.save_model_to_json())
    model["openmarac"] = {"format_version": MODEL_FORMAT_VERSION}
    return model


def _priors() -> dict[tuple[str, str], tuple[float, float]]:
    settings = build_settings().get_settings("duckdb").as_dict()  # type: ignore[no-untyped-call]
    return {
        (comparison["output_column_name"], level["label_for_charts"]): (level["m_probability"], level["u_probability"])
        for comparison in settings["comparisons"]
        for level in comparison["comparison_levels"]
        if not level.get("is_null_level")
    }


def _usable(probability: Any) -> bool:
    return isinstance(probability, float | int) and 1e-9 < probability <= 1 and math.isfinite(probability)


def _with_priors_where_untrained(model: dict[str, Any]) -> dict[str, Any]:
    priors = _priors()
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = priors[(comparison["output_column_name"], level["label_for_charts"])]
            if not _usable(level.get("m_probability")):
                level["m_probability"] = m
            if not _usable(level.get("u_probability")):
                level["u_probability"] = u
    if not _usable(model.get("probability_two_random_records_match")):
        model["probability_two_random_records_match"] = 0.0001
    return model


def splink_settings(model: dict[str, Any]) -> dict[str, Any]:
    """The model as Splink reads it (without OpenMARAC's own entries)."""
    version = model.get("openmarac", {}).get("format_version")
    if version != MODEL_FORMAT_VERSION:
        raise ValueError(f"Person-matching model format {version} is not {MODEL_FORMAT_VERSION}; train it again")
    return {key: value for key, value in model.items() if key != "openmarac"}


# --- Using the model ----------------------------------------------------------------------------------


def _scored_pairs(sdf: SplinkDataFrame) -> list[dict[str, Any]]:
    return sdf.as_record_list()


def find_matches(
    model: dict[str, Any],
    held: Sequence[PersonRecord],
    new: Sequence[PersonRecord],
    *,
    threshold: float = 0.5,
    limit: int = 5,
    db_api: DatabaseAPISubClass | None = None,
    nicknames: Mapping[str, Iterable[str]] = NICKNAMES,
) -> list[Suggestion]:
    """For each new record (in the order given), the held records likely to be the same person, best first."""
    if not held or not new:
        return []
    db_api = db_api or DuckDBAPI()
    held_table = prepare_table(held, nicknames)
    held_people = _register(db_api, held_table, "held")
    new_people = _register(db_api, prepare_table(new, nicknames), "new")
    linker = Linker(held_people, splink_settings(model), _SPLINK_LOG_LEVEL)
    _use_name_frequencies(linker, db_api, held_table)
    scored = linker.inference.predict_between(
        new_people, held_people, threshold_match_probability=threshold, warning_mode="never"
    )
    new_ids = {record.unique_id for record in new}
    by_id = {record.unique_id: record for record in (*held, *new)}
    suggestions = [
        _suggestion(pair, new_ids, by_id) for pair in _scored_pairs(scored) if not _never_the_same(pair, by_id)
    ]
    order = {record.unique_id: position for position, record in enumerate(new)}
    suggestions.sort(key=lambda suggestion: (order[suggestion.new_id], -suggestion.probability, suggestion.held_id))
    kept: dict[str, int] = {}
    ranked = []
    for suggestion in suggestions:
        kept[suggestion.new_id] = kept.get(suggestion.new_id, 0) + 1
        if kept[suggestion.new_id] <= limit:
            ranked.append(suggestion)
    return ranked


def weighed_from(probability: float, *, prior: float, new_prior: float) -> float:
    """The same evidence weighed from another starting point: a pair scored `probability` by a model whose prior
    (probability_two_random_records_match) is `prior`, had the two records been `new_prior` likely to be one person
    before any field was compared. The fields' Bayes factor is unchanged; only the starting odds differ."""
    if not 0.0 < prior < 1.0 or not 0.0 < new_prior < 1.0:
        raise ValueError("Priors are probabilities strictly between 0 and 1")
    if probability <= 0.0 or probability >= 1.0:
        return probability
    bayes_factor = (probability / (1 - probability)) / (prior / (1 - prior))
    odds = bayes_factor * new_prior / (1 - new_prior)
    return odds / (1 + odds)


def dedupe(
    model: dict[str, Any],
    records: Sequence[PersonRecord],
    *,
    threshold: float = 0.5,
    db_api: DatabaseAPISubClass | None = None,
    nicknames: Mapping[str, Iterable[str]] = NICKNAMES,
) -> list[Suggestion]:
    """Pairs of held records likely to be the same person, most likely first (new_id is the later id)."""
    if len(records) < 2:
        return []
    db_api = db_api or DuckDBAPI()
    table = prepare_table(records, nicknames)
    people = _register(db_api, table, "held")
    linker = Linker(people, splink_settings(model), _SPLINK_LOG_LEVEL)
    _use_name_frequencies(linker, db_api, table)
    scored = linker.inference.predict_within(people, threshold_match_probability=threshold, warning_mode="never")
    by_id = {record.unique_id: record for record in records}
    suggestions = [
        _suggestion(pair, set(), by_id) for pair in _scored_pairs(scored) if not _never_the_same(pair, by_id)
    ]
    return sorted(suggestions, key=lambda suggestion: (-suggestion.probability, suggestion.new_id, suggestion.held_id))


def score_within(
    model: dict[str, Any],
    data: pa.Table | str,
    *,
    threshold: float = 0.5,
    db_api: DatabaseAPISubClass | None = None,
) -> SplinkDataFrame:
    """Every blocked pair of prepared records (prepare_table, or a parquet file of it) scored, for bulk runs
    such as the bench or a national linkage; the caller reads or writes the result where it is."""
    db_api = db_api or DuckDBAPI()
    table = _as_table(data, NICKNAMES)
    people = _register(db_api, table, "bulk")
    linker = Linker(people, splink_settings(model), _SPLINK_LOG_LEVEL)
    _use_name_frequencies(linker, db_api, table)
    return linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")


# Records joined by a chain of pairs each scored at least LINK_THRESHOLD are one person, even where two of
# them alone do not say so (each record carries its own errors; the chain between them does not). Errors
# build up along long chains, so a group of more than LARGEST_GROUP records is split again, keeping only
# links of STRICT_LINK_THRESHOLD or more.
# With no person deciding, a pair on its own is judged the same person from SAME_PERSON_THRESHOLD, a little
# above "more likely than not" (the suggestions a coordinator checks start at 0.5). These four values were
# chosen on the 1,000,000-record bench (docs/linkage.md), as the point that best balances its two targets.
SAME_PERSON_THRESHOLD = 0.55
LINK_THRESHOLD = 0.9
STRICT_LINK_THRESHOLD = 0.99
LARGEST_GROUP = 6


def judged_same_person(
    scored: SplinkDataFrame,
    db_api: DuckDBAPI,
    *,
    threshold: float = SAME_PERSON_THRESHOLD,
    link_threshold: float = LINK_THRESHOLD,
    strict_link_threshold: float = STRICT_LINK_THRESHOLD,
    largest_group: int = LARGEST_GROUP,
) -> str:
    """The pairs judged to be the same person from a bulk scoring (score_within): every pair scored at
    `threshold` or more, and every pair in the same group of records joined through chains of strong links
    (Splink's connected components). Returns a DuckDB table of unique_id_l, unique_id_r (l < r) and
    match_probability (the pair's own score, or the link threshold for a pair joined only through a chain).

    Brothers and sisters are never joined, as on the pages (_never_the_same): a pair whose given names differ
    completely is neither judged the same person nor a link in a chain (twins share everything else it reads)."""
    edges = f"(select * from {scored.physical_name} where not ({never_the_same_sql()}))"  # noqa: S608
    groups = _linked_groups(db_api, f"select * from {edges}", link_threshold)  # noqa: S608 - our own tables
    large = f"select cluster_id from {groups} group by cluster_id having count(*) > {int(largest_group)}"  # noqa: S608
    in_large = f"select unique_id from {groups} where cluster_id in ({large})"  # noqa: S608
    regrouped = _linked_groups(
        db_api,
        f"select * from {edges} where unique_id_l in ({in_large}) and unique_id_r in ({in_large})",  # noqa: S608
        strict_link_threshold,
    )
    name = f"openmarac_same_person_{next(_table_names)}"
    db_api._con.sql(
        f"""create table {name} as
        with membership as (
            select unique_id, 'a' || cluster_id as grouped, {link_threshold} as link from {groups}
            where unique_id not in ({in_large})
            union all
            select unique_id, 'b' || cluster_id, {strict_link_threshold} from {regrouped}
        )
        select least(l, r) as unique_id_l, greatest(l, r) as unique_id_r, max(p) as match_probability from (
            select unique_id_l as l, unique_id_r as r, match_probability as p from {edges}
            where match_probability >= {threshold}
            union all
            select a.unique_id, b.unique_id, a.link
            from membership a join membership b on a.grouped = b.grouped and a.unique_id < b.unique_id
        ) group by all"""  # noqa: S608 - our own tables
    )
    return name


# The bulk rule (never_the_same_sql): given names that begin with the same letter may be one name and a short form
# the nickname table does not know, mistyped ("Fitwell" and "Fictie"). With no person deciding, the bulk path leaves
# those to the model, and applies the rule to names that begin differently (twins "Tiddlet" and "Wispet"): on
# 200,000 bench records (no twins), the rule for every different name dropped 411 true pairs scored 0.55 or more
# and no false one; for names that begin differently, 3 true pairs (names the other way round, each mistyped and one
# a short form).


def never_the_same_sql() -> str:
    """_never_the_same as a condition on a bulk scoring's pairs (score_within), which hold the given and family
    names normalised, their parts run together ("Mary Ann" is "maryann"): a part is told by where one name ends the
    other ("jane" and "fictoriajane"); names that begin with the same letter (an initial, a first part, a short form)
    are left to the model (see above)."""
    given, other = "given_name_l", "given_name_r"
    shares = f"left({given}, 1) = left({other}, 1) or ends_with({given}, {other}) or ends_with({other}, {given})"
    reversed_nearly = (
        "family_name_l is distinct from family_name_r and ("
        f"{_nearly_sql(given, 'family_name_r')} or {_nearly_sql('family_name_l', other)})"
    )
    return (
        f"gamma_given_name = 0 and gamma_other_names != {_ALIAS_MATCHES} "
        f"and coalesce({given}, '') != '' and coalesce({other}, '') != '' "
        f"and not ({shares}) and not coalesce({reversed_nearly}, false)"
    )


def _nearly_sql(first: str, second: str) -> str:
    """_nearly in DuckDB's SQL: one letter in four at most, two at most."""
    return (
        f"(coalesce({first}, '') != '' and coalesce({second}, '') != '' and levenshtein({first}, {second}) <= "
        f"least(2, greatest(length({first}), length({second})) // 4))"
    )


def _linked_groups(db_api: DuckDBAPI, edges_sql: str, threshold: float) -> str:
    """Connected components of the pairs scored `threshold` or more: a table of unique_id, cluster_id."""
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    connection = db_api._con
    strong = (
        f"select unique_id_l, unique_id_r, match_probability from ({edges_sql}) where match_probability >= {threshold}"  # noqa: S608
    )
    edges = connection.sql(strong).to_arrow_table()
    ids = pa.chunked_array(
        [*edges.column("unique_id_l").chunks, *edges.column("unique_id_r").chunks],
        type=edges.schema.field("unique_id_l").type,
    )
    nodes = pa.table({"unique_id": ids.unique()})
    if nodes.num_rows == 0:
        name = f"openmarac_groups_{next(_table_names)}"
        connection.sql(f"create table {name} (unique_id varchar, cluster_id varchar)")
        return name
    return str(
        cluster_pairwise_predictions_at_threshold(
            _register(db_api, nodes, "nodes"),
            _register(db_api, edges, "strong"),
            db_api,
            "unique_id",
            threshold_match_probability=threshold,
        ).physical_name
    )


def _levels(pair: Mapping[str, Any]) -> dict[str, int]:
    return {name[len("gamma_") :]: int(value) for name, value in pair.items() if name.startswith("gamma_")}


def _suggestion(pair: dict[str, Any], new_ids: set[str], by_id: Mapping[str, PersonRecord]) -> Suggestion:
    left, right = str(pair["unique_id_l"]), str(pair["unique_id_r"])
    if right in new_ids and left not in new_ids:
        left, right = right, left
    if not new_ids:  # within the held records: call the later one "new"
        left, right = max(left, right), min(left, right)
    return Suggestion(
        new_id=left,
        held_id=right,
        probability=float(pair["match_probability"]),
        comparisons=explain(by_id[left], by_id[right], _levels(pair)),
    )


# --- Never suggested ----------------------------------------------------------------------------------

_NAME_SEPARATORS = re.compile(r"[\s\-]+")


def _given_name_parts(written: str) -> set[str]:
    return {part for part in map(_normal, _NAME_SEPARATORS.split(written)) if part}


def given_names_share_something(first: str, second: str) -> bool:
    """One given name is a part of the other ("Fictoria" in "Fictoria Jane"), or an initial of a part of it ("F")."""
    mine, theirs = _given_name_parts(first), _given_name_parts(second)
    return bool(mine & theirs) or _an_initial_of(mine, theirs) or _an_initial_of(theirs, mine)


def _an_initial_of(initials: set[str], names: set[str]) -> bool:
    return any(len(initial) == 1 and any(name.startswith(initial) for name in names) for initial in initials)


def _never_the_same(pair: Mapping[str, Any], by_id: Mapping[str, PersonRecord]) -> bool:
    """Given names that differ completely (the model's "different" level: not the same, not the other way round,
    not a known short form, not spelt nearly or similarly the same, nor sharing a part or an initial), with no
    other name recorded that matches: never suggested as the same person, whatever else agrees.

    Brothers and sisters share a family name and an address, and often a date of birth a digit or two apart;
    twins share the date too. Each agreement is strong evidence on its own, and together they outweigh any
    weight a different given name can carry, yet they say only that the two are one family. Merging two
    children's records is far worse than missing a duplicate whose given name was recorded as something else
    entirely (the exact checks and the coordinator still find those; an alias recorded lets the model find them)."""
    levels = _levels(pair)
    if levels.get("given_name") != 0 or levels.get("other_names") == _ALIAS_MATCHES:
        return False
    left, right = by_id[str(pair["unique_id_l"])], by_id[str(pair["unique_id_r"])]
    return not (given_names_share_something(left.given_name, right.given_name) or _names_reversed_nearly(left, right))


def _names_reversed_nearly(first: PersonRecord, second: PersonRecord) -> bool:
    """Given and family names the other way round, mistyped or one of them a short form (the model's "reversed"
    level wants both exact): "Shamwelel Fableinrgton" and "Fableington Shamwelle", or "Bluffanna
    Flapdoodlington" and "Flapdoodlington Bluffie". Never for two records with one family name (brothers and
    sisters): their names are not the other way round."""
    family, other_family = _normal(first.family_name), _normal(second.family_name)
    return family != other_family and (
        _nearly(_normal(first.given_name), other_family) or _nearly(family, _normal(second.given_name))
    )


def _nearly(first: str, second: str) -> bool:
    """Spelt the same but for a slip or two: one letter in four at most, so short names must be exact."""
    return bool(first and second) and _edits(first, second) <= min(2, max(len(first), len(second)) // 4)


def _edits(first: str, second: str) -> int:
    """Levenshtein distance: letters left out, added or changed."""
    if not first or not second:
        return max(len(first), len(second))
    row = list(range(len(second) + 1))
    for i, letter in enumerate(first, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(second, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (letter != other))
    return row[-1]


# --- Words for the coordinator ------------------------------------------------------------------------

# The labels of each comparison's levels, strongest first; Splink numbers them from (count - 1) down to 0.
_LEVEL_LABELS = {
    "given_name": ("exact", "reversed", "short form", "nearly the same", "similar", "different"),
    "family_name": ("exact", "reversed", "nearly the same", "similar", "different"),
    "other_names": ("alias matches", "family name among other names", "different"),
    "dob": ("exact", "day and month swapped", "one digit", "same day and month", "different"),
    "gender": ("exact, names alike", "exact", "different"),
    "postcode": ("current", "shared", "sector", "district", "different"),
}


_ALIAS_MATCHES = len(_LEVEL_LABELS["other_names"]) - 1 - _LEVEL_LABELS["other_names"].index("alias matches")


def level_label(comparison: str, gamma: int) -> str:
    if gamma < 0:
        return "missing"
    labels = _LEVEL_LABELS[comparison]
    return labels[len(labels) - 1 - gamma]


def _name_words(part: str, label: str, mine: str, theirs: str) -> str:
    return {
        "missing": f"{part} missing on one record",
        "exact": f"{part} the same ({mine})",
        "reversed": "Given and family names the other way round",
        "short form": f"{part} is a known short form ({mine}, {theirs})",
        "nearly the same": f"{part} spelt nearly the same ({mine}, {theirs})",
        "similar": f"{part} spelt similarly ({mine}, {theirs})",
        "different": f"{part} different ({mine}, {theirs})",
    }[label]


def _name(new: PersonRecord, held: PersonRecord, levels: Mapping[str, int]) -> FieldComparison:
    given = level_label("given_name", levels.get("given_name", -1))
    family = level_label("family_name", levels.get("family_name", -1))
    if "reversed" in (given, family):
        words = f"Given and family names the other way round ({_full(new)}, {_full(held)})"
    else:
        words = (
            _name_words("Given name", given, new.given_name, held.given_name)
            + "; "
            + _name_words("family name", family, new.family_name, held.family_name)
        )
    strong = {"exact", "reversed", "short form", "nearly the same"}
    agreed = None if "missing" in (given, family) else given in strong and family in strong
    return FieldComparison("Name", agreed, words)


def _full(record: PersonRecord) -> str:
    return f"{record.given_name} {record.family_name}"


def _other_names(new: PersonRecord, held: PersonRecord, label: str) -> FieldComparison:
    new_names = {_full(new), *(f"{g} {f}" for g, f in new.other_names)}
    held_names = {_full(held), *(f"{g} {f}" for g, f in held.other_names)}
    if label == "missing":
        return FieldComparison("Other names", None, "No other names recorded on either record")
    if label == "alias matches":
        shared = _first_shared(new_names, held_names, normalise_full_name)
        return FieldComparison("Other names", True, f"A name recorded as another name matches ({shared})")
    if label == "family name among other names":
        new_families = {new.family_name, *(f for _, f in new.other_names)}
        held_families = {held.family_name, *(f for _, f in held.other_names)}
        shared = _first_shared(new_families, held_families, normalise_name)
        return FieldComparison(
            "Other names",
            True,
            f"A family name on one record is among the other's names ({shared}), e.g. a former name",
        )
    return FieldComparison("Other names", False, "Other names recorded do not match")


def normalise_full_name(name: str) -> str:
    return " ".join(normalise_name(part) for part in name.split(" "))


def _first_shared(mine: set[str], theirs: set[str], key: Any) -> str:
    theirs_keys = {key(name) for name in theirs}
    return next((name for name in sorted(mine) if key(name) and key(name) in theirs_keys), "")


def _date_of_birth(new: PersonRecord, held: PersonRecord, label: str) -> FieldComparison:
    if label == "missing" or new.date_of_birth is None or held.date_of_birth is None:
        return FieldComparison("Date of birth", None, "Date of birth missing on one record")
    mine, theirs = _uk_date(new.date_of_birth), _uk_date(held.date_of_birth)
    words = {
        "exact": (True, f"Same date of birth ({mine})"),
        "day and month swapped": (True, f"Day and month swapped ({mine}, {theirs})"),
        "one digit": (False, f"Date of birth differs by one digit ({mine}, {theirs})"),
        "same day and month": (False, f"Same day and month, different year ({mine}, {theirs})"),
        "different": (False, f"Different date of birth ({mine}, {theirs})"),
    }[label]
    return FieldComparison("Date of birth", *words, close=label == "one digit")


def _uk_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


_GENDER_WORDS = {"female": "female", "male": "male", "non_binary": "non-binary", "other": "other"}


def _gender(new: PersonRecord, held: PersonRecord, label: str) -> FieldComparison:
    if label == "missing":
        return FieldComparison("Gender", None, "Gender not known on one record")
    if label in {"exact", "exact, names alike"}:
        return FieldComparison("Gender", True, f"Same gender ({_GENDER_WORDS[new.gender]})")
    return FieldComparison(
        "Gender", False, f"Different gender recorded ({_GENDER_WORDS[new.gender]}, {_GENDER_WORDS[held.gender]})"
    )


def _postcode(new: PersonRecord, held: PersonRecord, label: str) -> FieldComparison:
    if label == "missing":
        return FieldComparison("Postcode", None, "No postcode on one record")
    if label == "current":
        return FieldComparison("Postcode", True, f"Same current postcode ({new.postcodes[0]})")
    if label == "shared":
        shared = _first_shared(set(new.postcodes), set(held.postcodes), normalise_postcode)
        return FieldComparison("Postcode", True, f"A current or past postcode is shared ({shared})")
    if label == "sector":
        return FieldComparison(
            "Postcode", False, "Postcodes differ but are in the same neighbourhood (postcode sector)"
        )
    if label == "district":
        return FieldComparison("Postcode", False, "Postcodes differ but are in the same postcode district")
    return FieldComparison("Postcode", False, "Postcodes different")


def explain(
    new: PersonRecord,
    held: PersonRecord,
    levels: Mapping[str, int],
    nicknames: Mapping[str, Iterable[str]] = NICKNAMES,
) -> tuple[FieldComparison, ...]:
    """Which fields agreed or differed, in words a coordinator understands; levels are Splink's gamma values."""
    del nicknames  # the level already says whether the names are short forms of each other
    return (
        _name(new, held, levels),
        _other_names(new, held, level_label("other_names", levels.get("other_names", -1))),
        _date_of_birth(new, held, level_label("dob", levels.get("dob", -1))),
        _gender(new, held, level_label("gender", levels.get("gender", -1))),
        _postcode(new, held, level_label("postcode", levels.get("postcode", -1))),
    )
