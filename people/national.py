"""A national person-matching run, the Django side (docs/national-linkage.md): what a MARAC exports for it, the
scoring over the exports (Spark, people.linkage_spark), and loading what comes back as "a possible match exists
at MARAC X; contact its coordinator", the words of the region's check (people.linkage).

What leaves a MARAC: the model's prepared columns of the people it holds (names, date of birth, gender, the
postcodes of addresses that are NOT confidential), under a token that only this installation can turn back into
a person, made with a key derived for that run and MARAC alone. A refuge or other confidential address never
leaves, not even its postcode. Files are written readable by their owner only; nothing here logs or prints a
person's details, only counts and ids.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

import pyarrow.parquet as pq  # type: ignore[import-untyped]
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit.models import AuditAction
from audit.services import audit_record
from marac.models import Marac
from people import linkage, linkage_model, linkage_spark
from people.models import Address, NationalPossibleMatch, NationalRejection, Person

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

RUN_PATTERN = re.compile(r"[a-z0-9]{8,32}")
KEY_SALT = "openmarac.people.national-linkage"
# Where a MARAC's return sits in the returns folder (linkage_spark.write_returns): returns/marac=<code>/.
RETURN_FOLDER = re.compile(r"marac=(?P<code>[^/\\]+)")
RETURN_COLUMNS = frozenset({"token", "other_marac", "pair_reference", "match_probability"})
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


class NationalLinkageError(Exception):
    """A national run's files or options are not what they should be; the message names no person."""


# --- Runs, codes and keys -----------------------------------------------------------------------------


def new_run() -> str:
    """A run's id: random, so that nothing about the run (or its keys) can be guessed from it."""
    return secrets.token_hex(8)


def checked_run(run: str) -> str:
    if not RUN_PATTERN.fullmatch(run):
        raise NationalLinkageError("A run id is 8 to 32 lower-case letters and digits")
    return run


def marac_code(marac_id: int) -> str:
    """The MARAC's code in a national run's files: its id in this installation (not secret)."""
    return str(marac_id)


def export_key(run: str, marac_id: int) -> bytes:
    """The key of one MARAC's tokens in one run: derived from the installation's SECRET_KEY, so it is never
    stored or sent, and a new one for every run, so that tokens of two runs cannot be linked. A return must be
    loaded before SECRET_KEY is changed (the old key in SECRET_KEY_FALLBACKS is not tried)."""
    return salted_hmac(KEY_SALT, f"{checked_run(run)}:{marac_id}", algorithm="sha256").digest()


# --- Export -------------------------------------------------------------------------------------------


def national_records(people: QuerySet[Person]) -> list[linkage_model.PersonRecord]:
    """The people as exported: addresses marked confidential (a refuge, the place a victim has fled to) are not
    read at all, so their postcodes can never be exported. Someone whose only address is confidential is
    exported with no postcode."""
    return linkage.person_records(people, with_confidential_addresses=False)


@dataclass(frozen=True)
class Exported:
    marac_id: int
    path: str
    people: int
    confidential_addresses_left_out: int


def export_file_name(run: str, marac_id: int) -> str:
    """The run and the MARAC's code only: never a person, never the MARAC's name."""
    return f"national-{run}-marac-{marac_code(marac_id)}.parquet"


def export_marac(marac: Marac, *, run: str, out_dir: str) -> Exported:
    """Write one MARAC's people for a national run (owner-only file), and audit it with counts."""
    run = checked_run(run)
    people = linkage.held_at([marac.pk])
    records = national_records(people)
    left_out = Address.objects.filter(person__in=people.values("pk"), confidential=True).count()
    table = linkage_spark.national_export(records, marac_code=marac_code(marac.pk), key=export_key(run, marac.pk))
    table = table.replace_schema_metadata({b"openmarac.run": run.encode(), b"openmarac.marac": str(marac.pk).encode()})
    private_folder(out_dir)
    path = os.path.join(out_dir, export_file_name(run, marac.pk))
    with private_file(path) as out:
        pq.write_table(table, out)
    audit_record(
        action=AuditAction.EXPORT,
        obj=marac,
        summary=f"Exported {len(records)} people for national person-matching run {run}; "
        f"{left_out} confidential addresses left out",
        changes={"run": run, "people": len(records), "confidential_addresses_left_out": left_out},
    )
    return Exported(marac.pk, path, len(records), left_out)


def private_folder(path: str) -> None:
    os.makedirs(path, mode=PRIVATE_FOLDER, exist_ok=True)
    os.chmod(path, PRIVATE_FOLDER)


@contextlib.contextmanager
def private_file(path: str) -> Iterator[BinaryIO]:
    """A new file only its owner can read, never one already there; removed again if writing it fails."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        raise NationalLinkageError(f"{path} already exists; an export is never overwritten") from None
    os.fchmod(descriptor, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as out:
            yield out
    except BaseException:
        os.remove(path)
        raise


def make_private(root: str) -> None:
    """Owner-only permissions on everything under root (what Spark wrote, whatever the umask was)."""
    os.chmod(root, PRIVATE_FOLDER)
    for folder, folders, files in os.walk(root):
        for name in folders:
            os.chmod(os.path.join(folder, name), PRIVATE_FOLDER)
        for name in files:
            os.chmod(os.path.join(folder, name), PRIVATE_FILE)


# --- Scoring (what a cluster job runs; here in local Spark) -------------------------------------------


def export_paths(paths: Sequence[str]) -> list[str]:
    """The export files given, a folder standing for the .parquet files in it; all of one run."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found.extend(sorted(os.path.join(path, name) for name in os.listdir(path) if name.endswith(".parquet")))
        elif os.path.isfile(path):
            found.append(path)
        else:
            raise NationalLinkageError(f"There is no export at {path}")
    if not found:
        raise NationalLinkageError("No export files (.parquet) were given")
    runs = {run_of(path) for path in found}
    if len(runs) != 1:
        raise NationalLinkageError("The exports are of different runs; score one run's exports together")
    return found


def run_of(path: str) -> str:
    metadata = pq.read_schema(path).metadata or {}
    run = metadata.get(b"openmarac.run")
    if run is None:
        raise NationalLinkageError(f"{path} is not a national person-matching export")
    return str(run.decode())


@dataclass(frozen=True)
class Scored:
    run: str
    records: int
    pairs_by_marac: dict[str, int]


def checked_score_inputs(exports: Sequence[str], out_dir: str) -> list[str]:
    """The export files of one run, and an output folder with nothing in it: checked before Spark starts."""
    paths = export_paths(exports)
    if os.path.exists(out_dir) and (not os.path.isdir(out_dir) or os.listdir(out_dir)):
        raise NationalLinkageError(f"{out_dir} is not an empty folder; returns are written to a new one")
    return paths


def score_exports(
    model: dict[str, Any], exports: Sequence[str], out_dir: str, spark: SparkSession, *, threshold: float
) -> Scored:
    """Score one run's exports together and write each MARAC's return (linkage_spark.write_returns), owner-only."""
    paths = checked_score_inputs(exports, out_dir)
    pairs = linkage_spark.score_national(model, spark, paths, threshold=threshold)
    linkage_spark.write_returns(pairs, out_dir)
    make_private(out_dir)
    written = return_folders(out_dir) if any(RETURN_FOLDER.fullmatch(name) for name in os.listdir(out_dir)) else {}
    counts = {code: pq.read_table(path, columns=["token"]).num_rows for code, path in written.items()}
    records = sum(pq.read_metadata(path).num_rows for path in paths)
    return Scored(run_of(paths[0]), records, counts)


# --- Returns ------------------------------------------------------------------------------------------


def return_folders(path: str) -> dict[str, str]:
    """{MARAC code: its return}: path is one MARAC's return (the folder marac=<code>, or a file in it) or the
    returns folder holding one such folder per MARAC."""
    path = os.path.normpath(path)
    for candidate in (path, os.path.dirname(path)):
        found = RETURN_FOLDER.fullmatch(os.path.basename(candidate))
        if found:
            return {found["code"]: path}
    if not os.path.isdir(path):
        raise NationalLinkageError(f"There is no national person-matching return at {path}")
    folders = {}
    for name in sorted(os.listdir(path)):
        found = RETURN_FOLDER.fullmatch(name)
        if found and os.path.isdir(os.path.join(path, name)):
            folders[found["code"]] = os.path.join(path, name)
    if not folders:
        raise NationalLinkageError(f"{path} holds no MARAC's return (folders named marac=<code>)")
    return folders


@dataclass(frozen=True)
class Loaded:
    marac_id: int
    rows: int
    people: int  # this MARAC's people who may be held at another MARAC
    created: int
    changed: int
    removed: int
    unknown_people: int  # tokens matching no one held here now (left since the export, or another run's)
    unknown_maracs: int  # rows naming a MARAC that is not in this installation, or this MARAC itself
    not_same_person: int = 0  # pairs a coordinator already found not the same person: kept, not shown


def read_return(path: str) -> list[dict[str, Any]]:
    table = pq.read_table(path)
    if set(table.column_names) != RETURN_COLUMNS:
        # Anything more could be about the other MARAC's person: refused, not read.
        raise NationalLinkageError(
            f"A return has exactly the columns {', '.join(sorted(RETURN_COLUMNS))}; this one has others"
        )
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def load_return(path: str, *, run: str, marac: Marac) -> Loaded:
    """Load one MARAC's return: for each of its people the other MARACs that may hold them, shown to its
    coordinators as "a possible match exists at MARAC X". Only pairs across two MARACs of this installation;
    nothing about the other MARAC's person is in the return or shown. Once both MARACs' returns of the run are
    loaded, each half of a pair knows the other's person (never shown; for "not the same person"). The newest load
    replaces what an earlier run said; loading the same return again changes nothing. A pair a coordinator found
    not the same person (NationalRejection, in this run or an earlier one) is kept but marked, and not shown to
    either MARAC."""
    key = export_key(run, marac.pk)
    person_of = {
        linkage_spark.person_token(key, str(pk)): pk for pk in linkage.held_at([marac.pk]).values_list("pk", flat=True)
    }
    here = set(Marac.objects.values_list("pk", flat=True))
    rows = read_return(path)
    found: dict[tuple[int, str], tuple[int, float]] = {}  # (person, pair reference): (other MARAC, probability)
    unknown_people = unknown_maracs = 0
    for row in rows:
        person_id = person_of.get(str(row["token"]))
        other = _marac_id(str(row["other_marac"]))
        if other is None or other not in here or other == marac.pk:
            unknown_maracs += 1
            continue
        if person_id is None:
            unknown_people += 1
            continue
        found[(person_id, str(row["pair_reference"]))] = (other, float(row["match_probability"]))
    with transaction.atomic():
        held = NationalPossibleMatch.objects.select_for_update().filter(person__marac=marac)
        existing = {(match.person_id, match.pair_reference): match for match in held}
        stale = [match.pk for pair, match in existing.items() if pair not in found]
        NationalPossibleMatch.objects.filter(pk__in=stale).delete()
        completed = _complete_rejections(marac, run, found)
        halves = _other_halves(marac, run)
        other_person = {
            (person_id, reference): halves[(other, reference)].person_id
            if (other, reference) in halves
            else getattr(existing.get((person_id, reference)), "other_person_id", None)  # known from before
            for (person_id, reference), (other, _) in found.items()
        }
        # A mark is never taken off: the decision stands even if one of the two people has gone since.
        not_same = _found_not_same(marac, run, found, other_person) | {
            pair for pair, match in existing.items() if match.not_same_person and pair in found
        }
        created = changed = 0
        now = timezone.now()
        for (person_id, reference), (other, probability) in sorted(found.items()):
            match = existing.get((person_id, reference))
            values = {
                "other_marac_id": other,
                "run": run,
                "probability": probability,
                "other_person_id": other_person[(person_id, reference)],
                "not_same_person": (person_id, reference) in not_same,
            }
            if match is None:
                NationalPossibleMatch.objects.create(
                    person_id=person_id, pair_reference=reference, loaded_at=now, **values
                )
                created += 1
            elif any(getattr(match, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(match, name, value)
                match.loaded_at = now
                match.save(update_fields=[*(name.removesuffix("_id") for name in values), "loaded_at"])
                changed += 1
        _complete_halves(halves, found, not_same)
        shown = {pair: other for pair, (other, _) in found.items() if pair not in not_same}
        people = sorted({person_id for person_id, _ in shown})
        others = sorted(set(shown.values()))
        audit_record(
            action=AuditAction.CHANGE,
            obj=marac,
            summary=f"Loaded the return of national person-matching run {run}: {len(people)} people may be held at "
            + (f"MARAC {', '.join(map(str, others))}" if others else "no other MARAC"),
            changes={
                "run": run,
                "people": people,
                "other_maracs": others,
                "pairs": len(found),
                "created": created,
                "changed": changed,
                "removed": len(stale),
                "unknown_people": unknown_people,
                "unknown_maracs": unknown_maracs,
                "not_same_person": len(not_same),
                "decisions_completed": completed,
            },
        )
    return Loaded(
        marac.pk, len(rows), len(people), created, changed, len(stale), unknown_people, unknown_maracs, len(not_same)
    )


Found = Mapping[tuple[int, str], tuple[int, float]]  # (person, pair reference): (other MARAC, probability)


def _complete_rejections(marac: Marac, run: str, found: Found) -> list[int]:
    """Decisions made at another MARAC on a pair of this run before this MARAC's return was loaded: the other
    person was not known then, and is now. Their ids."""
    person_of_reference = {reference: person_id for person_id, reference in found}
    completed = []
    waiting = NationalRejection.objects.select_for_update().filter(other_marac=marac, run=run, other_person=None)
    for rejection in waiting.order_by("pk"):
        person_id = person_of_reference.get(rejection.pair_reference)
        if person_id is not None and person_id != rejection.person_id:
            rejection.other_person_id = person_id
            rejection.save(update_fields=["other_person"])
            completed.append(rejection.pk)
    return completed


def _other_halves(marac: Marac, run: str) -> dict[tuple[int, str], NationalPossibleMatch]:
    """{(other MARAC, pair reference): its half of the pair}, for the pairs of this run with this MARAC whose other
    MARAC's return of the run is loaded. Locked: they are completed with who this MARAC's half is."""
    halves = NationalPossibleMatch.objects.select_for_update(of=("self",)).filter(run=run, other_marac=marac)
    return {(half.person.marac_id, half.pair_reference): half for half in halves.select_related("person")}


def _complete_halves(
    halves: Mapping[tuple[int, str], NationalPossibleMatch], found: Found, not_same: set[tuple[int, str]]
) -> None:
    """The other MARACs' halves of the pairs just loaded: who this MARAC's half is, and whether the pair was found
    not the same person."""
    completed = []
    for (person_id, reference), (other, _) in found.items():
        half = halves.get((other, reference))
        if half is None:
            continue
        checked = half.not_same_person or (person_id, reference) in not_same
        if (half.other_person_id, half.not_same_person) != (person_id, checked):
            half.other_person_id, half.not_same_person = person_id, checked
            completed.append(half)
    NationalPossibleMatch.objects.bulk_update(completed, ["other_person", "not_same_person"], batch_size=500)


def _found_not_same(
    marac: Marac, run: str, found: Found, other_person: Mapping[tuple[int, str], int | None]
) -> set[tuple[int, str]]:
    """The pairs of this return that a coordinator, at either MARAC, found not the same person: in this run (by its
    reference), or in an earlier one (the same two people; the other is known once the other MARAC's half of the
    pair is loaded)."""
    decided_here = set(
        NationalRejection.objects.filter(person__marac=marac, run=run).values_list("person_id", "pair_reference")
    )
    decided_there = set(
        NationalRejection.objects.filter(other_marac=marac, run=run).values_list("pair_reference", flat=True)
    )
    pairs = {
        frozenset(pair)
        for pair in NationalRejection.objects.filter(other_person__isnull=False)
        .filter(Q(person__marac=marac) | Q(other_person__marac=marac))
        .values_list("person_id", "other_person_id")
    }
    not_same = set()
    for person_id, reference in found:
        other = other_person[(person_id, reference)]
        if (
            (person_id, reference) in decided_here
            or reference in decided_there
            or (other is not None and frozenset((person_id, other)) in pairs)
        ):
            not_same.add((person_id, reference))
    return not_same


def _marac_id(code: str) -> int | None:
    return int(code) if code.isdigit() else None


def marac_of_code(code: str) -> Marac | None:
    marac_id = _marac_id(code)
    return Marac.objects.filter(pk=marac_id).first() if marac_id is not None else None


# --- What a coordinator sees --------------------------------------------------------------------------


@dataclass(frozen=True)
class ElsewhereNationally(linkage.Elsewhere):
    """linkage.Elsewhere with the references of the pairs, which both coordinators see and quote to each other:
    they name neither person."""

    references: tuple[str, ...]
    # The possible matches themselves, one per reference in the same order: for "not the same person".
    matches: tuple[NationalPossibleMatch, ...] = ()


def possible_matches_elsewhere(person: Person) -> list[ElsewhereNationally]:
    """The other MARACs a national run says may hold this person: their names and coordinators only, as the
    region's check shows them on a referral, and the references to quote. Pairs a coordinator found not the
    same person are left out (checked_not_same lists them)."""
    matches: dict[int, list[NationalPossibleMatch]] = {}
    found = NationalPossibleMatch.objects.filter(person=person, not_same_person=False)
    for match in found.order_by("-probability", "pair_reference"):
        matches.setdefault(match.other_marac_id, []).append(match)
    return [
        ElsewhereNationally(
            marac,
            linkage.coordinators_of(marac),
            tuple(match.pair_reference for match in matches[marac.pk]),
            tuple(matches[marac.pk]),
        )
        for marac in Marac.objects.filter(pk__in=list(matches)).order_by("name")
    ]


def checked_not_same(person: Person) -> list[NationalPossibleMatch]:
    """This person's national possible matches that a coordinator, here or at the other MARAC, found not the same
    person: still named on their record, so that nothing is left off silently."""
    found = NationalPossibleMatch.objects.filter(person=person, not_same_person=True).select_related("other_marac")
    return list(found.order_by("other_marac__name", "pair_reference"))


def people_to_follow_up(marac: Marac, *, hidden: set[int]) -> list[NationalPossibleMatch]:
    """The MARAC's people a national run says may be held elsewhere, for its coordinators' matching page; people
    in a restricted case the viewer is not named on are left out, and so are pairs found not the same person."""
    found = NationalPossibleMatch.objects.filter(person__marac=marac, not_same_person=False).exclude(
        person_id__in=hidden
    )
    return list(found.select_related("person", "other_marac").order_by("other_marac__name", "person_id"))


def checked_not_same_count(marac: Marac, *, hidden: set[int]) -> int:
    """How many of the MARAC's national possible matches were checked and found not the same person."""
    found = NationalPossibleMatch.objects.filter(person__marac=marac, not_same_person=True)
    return found.exclude(person_id__in=hidden).count()


class AlreadyFoundNotSame(Exception):
    """The pair was already recorded as not the same person, by a coordinator here or at the other MARAC."""


def national_match_reject(*, match: NationalPossibleMatch, by: Any) -> NationalRejection:
    """Record, after the two coordinators have spoken, that a national possible match is not the same person.
    Kept as the pair of people when the other MARAC's return of the run has been loaded (its half of the pair
    carries the same reference); otherwise the other person is filled in when that return is loaded. Both halves are
    marked, so neither MARAC's coordinators see the pair again, in this run or a later one. Audited on each
    MARAC with its own person's id only."""
    with transaction.atomic():
        # Both halves locked, lower id first: two coordinators deciding at once make one decision.
        halves = list(
            NationalPossibleMatch.objects.select_for_update(of=("self",))
            .filter(run=match.run, pair_reference=match.pair_reference)
            .select_related("person")
            .order_by("pk")
        )
        mine = next((half for half in halves if half.pk == match.pk), None)
        if mine is None or mine.not_same_person:
            raise AlreadyFoundNotSame
        theirs = next((half for half in halves if half.person.marac_id == mine.other_marac_id), None)
        rejection = NationalRejection.objects.create(
            person=mine.person,
            other_marac_id=mine.other_marac_id,
            # Known once both halves of the pair were loaded, even if the other MARAC has loaded a later run since.
            other_person_id=theirs.person_id if theirs is not None else mine.other_person_id,
            run=mine.run,
            pair_reference=mine.pair_reference,
            decided_by=by,
            decided_at=timezone.now(),
        )
        decided = [mine] if theirs is None else [mine, theirs]
        NationalPossibleMatch.objects.filter(pk__in=[half.pk for half in decided]).update(not_same_person=True)
        for half in decided:
            _audit_rejection(rejection, half, by=by)
    return rejection


def _audit_rejection(rejection: NationalRejection, half: NationalPossibleMatch, *, by: Any) -> None:
    """One entry on the MARAC holding this half of the pair: its own person's id, never the other's."""
    audit_record(
        action=AuditAction.CREATE if half.person_id == rejection.person_id else AuditAction.CHANGE,
        obj=rejection,
        marac_id=half.person.marac_id,
        user=by,
        summary=f"National possible match {half.pair_reference} of person {half.person_id} at MARAC "
        f"{half.other_marac_id}: not the same person",
        changes={
            "person": half.person_id,
            "other_marac": half.other_marac_id,
            "run": half.run,
            "pair_reference": half.pair_reference,
        },
    )


def model_from_file(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as source:
        model: dict[str, Any] = json.load(source)
    return model


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Files made in the block (and by a JVM started in it) are owner-only."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


@contextlib.contextmanager
def scratch_folder() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="openmarac-national-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
