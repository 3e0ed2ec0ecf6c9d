"""A national person-matching run end to end on small data, through the three commands an operator runs: the
export of two MARACs, the scoring on Spark in local mode (what the cluster job runs) and each MARAC's return
loaded as "a possible match exists at MARAC X". Needs Java 17. One test, one Spark session (the scoring
command's): Spark's cost is per query, not per record, so the data stay small."""

import datetime
import io
import json
import stat

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from bench.linkage.generate import records
from people import national
from people.linkage_model import dedupe, train_model
from people.models import Address, Alias, NationalPossibleMatch, Person

pytestmark = pytest.mark.django_db

RUN = "run0000000000042"


def run_command(name, *args):
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def hold(rows, maracs):
    """The generated records (obviously fictional) held alternately at the MARACs, so that many true people are
    held at both; every fifth person has also moved to a refuge, whose postcode is confidential."""
    refuges = set()
    for index, row in enumerate(rows):
        person = Person.objects.create(
            marac=maracs[index % len(maracs)],
            given_name=row["given_name"],
            family_name=row["family_name"],
            date_of_birth=row["date_of_birth"],
            gender=row["gender"],
        )
        Alias.objects.bulk_create(
            Alias(person=person, given_name=name["given"], family_name=name["family"]) for name in row["other_names"]
        )
        for order, postcode in enumerate(row["postcodes"]):
            Address.objects.create(
                person=person,
                line_1="1 Imaginary Row",
                postcode=postcode,
                lived_from=datetime.date(2020 - order, 1, 1),
                lived_to=None if order == 0 else datetime.date(2021 - order, 1, 1),
            )
        if index % 5 == 0:
            refuge = f"QZ{index % 90 + 10} {index % 9}XX"
            refuges.add(refuge.replace(" ", ""))
            Address.objects.create(
                person=person,
                line_1="A refuge",
                postcode=refuge,
                lived_from=datetime.date(2026, 1, 1),
                confidential=True,
            )
    return refuges


def test_a_national_run_from_export_to_return_tells_each_marac_only_where_else_its_people_may_be(
    marac, other_marac, tmp_path
):
    refuges = hold(list(records(240, seed=5)), [marac, other_marac])
    exports, returns = tmp_path / "exports", tmp_path / "returns"
    everyone = national.national_records(Person.objects.all())
    model = train_model(everyone, seed=1)  # the national model, trained elsewhere; DuckDB is quicker here
    model_file = tmp_path / "model.json"
    model_file.write_text(json.dumps(model))

    exported = run_command(
        "national_linkage_export", "--marac", str(marac.pk), "--marac", str(other_marac.pk), "--out", str(exports),
        "--run", RUN,
    )  # fmt: skip
    scored = run_command(
        "national_linkage_score", "--exports", str(exports), "--model", str(model_file), "--out", str(returns)
    )
    loaded = run_command("national_linkage_return", "--file", str(returns), "--run", RUN)

    # What DuckDB finds across the two MARACs when it sees everyone's exported records at once.
    marac_of = dict(Person.objects.values_list("pk", "marac_id"))
    expected = set()
    for pair in dedupe(model, everyone, threshold=0.9):
        first, second = int(pair.new_id), int(pair.held_id)
        if marac_of[first] != marac_of[second]:
            expected |= {(first, marac_of[second]), (second, marac_of[first])}
    assert expected
    assert set(NationalPossibleMatch.objects.values_list("person_id", "other_marac_id")) == expected
    # The two halves of one pair carry the same reference, for the coordinators to quote to each other.
    halves: dict[str, list[tuple[int, int]]] = {}
    for person_id, other, reference in NationalPossibleMatch.objects.values_list(
        "person_id", "other_marac_id", "pair_reference"
    ):
        halves.setdefault(reference, []).append((marac_of[person_id], other))
    assert all(sorted(half) == [(marac.pk, other_marac.pk), (other_marac.pk, marac.pk)] for half in halves.values())

    # Nothing written is readable by anyone but its owner; no refuge's postcode left the MARACs.
    for path in [*exports.rglob("*"), *returns.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    for export in exports.iterdir():
        table = pq.read_table(export)
        postcodes = {code for row in table["postcodes"].to_pylist() if row for code in row}
        assert postcodes and not postcodes & refuges

    # Counts only, never a person, in what the commands print.
    output = exported + scored + loaded
    for row in Person.objects.all()[:20]:
        assert row.family_name.lower() not in output.lower()
    assert f"Run {RUN}: 240 records scored" in scored
    assert "0 rows matched no one held here, 0 named no other MARAC of this installation" in loaded
    assert (
        AuditEvent.objects.filter(summary__startswith="Loaded the return of national person-matching run").count() == 2
    )

    # Loaded twice: nothing changes.
    before = list(NationalPossibleMatch.objects.order_by("pk").values())
    run_command("national_linkage_return", "--file", str(returns), "--run", RUN)
    assert list(NationalPossibleMatch.objects.order_by("pk").values()) == before
