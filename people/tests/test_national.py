"""A national person-matching run, the Django side, without Spark: what a MARAC's export holds (never a
confidential postcode, never an id of its own, an owner-only file), and a return loaded as "a possible match exists
at MARAC X; contact its coordinator" and nothing about the other MARAC's person. The run through Spark, export to
return, is test_national_spark.py."""

import datetime
import io
import os
import stat

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from cases.models import CaseRestriction
from people import linkage_spark, national
from people.models import NationalPossibleMatch
from testing.factories import AddressFactory, CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

RUN = "run0000000000001"
CONFIDENTIAL = "QX9 9ZZ"  # a refuge's postcode (fictional: no postcode area starts with QX)
ALSO_CONFIDENTIAL = "QW7 7QQ"
OPEN = "NB1 2XY"


def run_command(name, *args):
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def every_value(table):
    """Every value in the file as text, lists flattened: what a reader of the file could see."""
    values = set()
    for column in table.to_pydict().values():
        for value in column:
            for item in value if isinstance(value, list) else [value]:
                if item is not None:
                    values.add(str(item))
    return values


def postcode_forms(postcode):
    """The postcode as the model prepares it: full, sector and district ("QX99ZZ", "QX99", "QX9")."""
    compact = postcode.replace(" ", "")
    return {compact, compact[:-2], compact[:-3], postcode}


@pytest.fixture
def held(marac):
    """Two people at Northbrook: one who moved to a refuge (confidential) from an ordinary address, one whose only
    address is a refuge."""
    moved = PersonFactory(marac=marac, given_name="Fictiona", family_name="Testworth")
    AddressFactory(
        person=moved, postcode=OPEN, lived_from=datetime.date(2019, 1, 1), lived_to=datetime.date(2025, 1, 1)
    )
    AddressFactory(person=moved, postcode=CONFIDENTIAL, lived_from=datetime.date(2025, 1, 2), confidential=True)
    hidden = PersonFactory(marac=marac, given_name="Madeupa", family_name="Nonesuch")
    AddressFactory(person=hidden, postcode=ALSO_CONFIDENTIAL, confidential=True)
    return moved, hidden


def test_a_confidential_postcode_never_leaves_the_marac(marac, held, tmp_path):
    output = run_command("national_linkage_export", "--marac", str(marac.pk), "--out", str(tmp_path), "--run", RUN)

    [path] = tmp_path.iterdir()
    table = pq.read_table(path)
    values = every_value(table)
    for refuge in (CONFIDENTIAL, ALSO_CONFIDENTIAL):
        assert not postcode_forms(refuge) & values, "a confidential postcode, sector or district was exported"
    rows = {row["given_name"]: row for row in table.to_pylist()}
    assert rows["fictiona"]["postcode"] == "NB12XY"  # the ordinary address still counts, as the current one
    assert rows["madeupa"]["postcode"] is None and rows["madeupa"]["postcodes"] is None
    # Not even decrypted into the records the export is built from.
    records = national.national_records(marac.people.all())
    assert [record.postcodes for record in records] == [(OPEN,), ()]
    assert "2 people" in output and "2 confidential addresses left out" in output


def test_the_export_is_owner_only_named_by_run_and_marac_and_holds_no_id_of_the_marac(marac, held, tmp_path):
    moved, hidden = held
    out = tmp_path / "exports"
    output = run_command("national_linkage_export", "--marac", str(marac.pk), "--out", str(out), "--run", RUN)

    [path] = out.iterdir()
    assert path.name == f"national-{RUN}-marac-{marac.pk}.parquet"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    table = pq.read_table(path)
    assert table.column_names == linkage_spark.EXPORT_SCHEMA.names
    ids = table["unique_id"].to_pylist()
    assert all(uid.startswith(f"{marac.pk}:") and len(uid.split(":")[1]) == 32 for uid in ids)
    assert not {str(moved.pk), str(hidden.pk)} & {uid.split(":")[1] for uid in ids}
    assert national.run_of(str(path)) == RUN
    for name in ("Fictiona", "Testworth", "Madeupa", "Nonesuch", CONFIDENTIAL, OPEN):
        assert name.lower() not in output.lower()
    audit = AuditEvent.objects.get(summary__startswith="Exported 2 people for national person-matching run")
    assert audit.marac_id == marac.pk and audit.action == "export"
    assert audit.changes == {"run": RUN, "people": 2, "confidential_addresses_left_out": 2}


def test_each_run_has_its_own_tokens_and_an_export_is_never_overwritten(marac, held, tmp_path):
    run_command("national_linkage_export", "--marac", str(marac.pk), "--out", str(tmp_path / "a"), "--run", RUN)
    run_command("national_linkage_export", "--marac", str(marac.pk), "--out", str(tmp_path / "b"))
    [first], [second] = (tmp_path / "a").iterdir(), (tmp_path / "b").iterdir()
    assert not set(pq.read_table(first)["unique_id"].to_pylist()) & set(pq.read_table(second)["unique_id"].to_pylist())
    with pytest.raises(CommandError, match="already exists"):
        run_command("national_linkage_export", "--marac", str(marac.pk), "--out", str(tmp_path / "a"), "--run", RUN)
    assert pq.read_table(first).num_rows == 2  # untouched


def test_the_export_needs_maracs_chosen_that_exist(marac, tmp_path):
    with pytest.raises(CommandError, match="Choose the MARACs"):
        run_command("national_linkage_export", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="There is no MARAC 99999"):
        run_command("national_linkage_export", "--marac", "99999", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="run id"):
        run_command("national_linkage_export", "--marac", str(marac.pk), "--out", str(tmp_path), "--run", "../x")
    assert not list(tmp_path.iterdir())


# --- Returns ------------------------------------------------------------------------------------------


def write_return(root, code, rows, columns=None):
    """A MARAC's return as linkage_spark.write_returns lays it out: root/marac=<code>/part-*.parquet."""
    folder = root / f"marac={code}"
    folder.mkdir(parents=True, exist_ok=True)
    names = columns or ["token", "other_marac", "pair_reference", "match_probability"]
    pq.write_table(
        pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in rows]), folder / "part-0.parquet"
    )
    return root


def token(marac, person):
    return linkage_spark.person_token(national.export_key(RUN, marac.pk), str(person.pk))


def test_a_return_shows_the_coordinator_only_the_other_marac_and_who_to_contact(
    client_for, marac, other_marac, coordinator, outsider, police_rep, held, tmp_path
):
    moved, _ = held
    write_return(tmp_path, marac.pk, [(token(marac, moved), str(other_marac.pk), "0123abcd4567ef89", 0.97)])

    output = run_command("national_linkage_return", "--file", str(tmp_path), "--run", RUN)

    assert f"MARAC {marac.pk}: 1 people may be held at another MARAC (1 new" in output
    page = client_for(coordinator).get(f"/people/{moved.pk}/").content.decode()
    assert (
        "A possible match exists at Southmere MARAC; contact its coordinator: "
        'Otto Outsider (<a class="govuk-link" href="mailto:otto@example.invalid">otto@example.invalid</a>). '
        "Quote national match reference 0123abcd4567ef89."
    ) in page
    assert "97%" not in page and "0.97" not in page
    matching = client_for(coordinator).get("/people/matching/").content.decode()
    assert f"(person record {moved.pk}): Southmere MARAC, reference 0123abcd4567ef89" in matching
    # Not for those who do not review matches.
    assert "A possible match exists" not in client_for(police_rep).get(f"/people/{moved.pk}/").content.decode()
    audit = AuditEvent.objects.get(summary__startswith="Loaded the return of national person-matching run")
    assert audit.summary == (
        f"Loaded the return of national person-matching run {RUN}: 1 people may be held at MARAC {other_marac.pk}"
    )
    assert audit.marac_id == marac.pk
    assert audit.changes["people"] == [moved.pk] and audit.changes["other_maracs"] == [other_marac.pk]
    assert "Fictiona" not in str(audit.changes) and "Fictiona" not in output


def test_someone_in_a_restricted_case_the_coordinator_is_not_named_on_is_not_listed(
    client_for, marac, other_marac, coordinator, chair, held, tmp_path
):
    moved, hidden = held
    case = CaseFactory(marac=marac, victim=hidden, restricted=True)
    CaseRestriction.objects.create(case=case, user=chair, added_by=chair)
    write_return(
        tmp_path,
        marac.pk,
        [
            (token(marac, moved), str(other_marac.pk), "0123abcd4567ef89", 0.97),
            (token(marac, hidden), str(other_marac.pk), "1111222233334444", 0.95),
        ],
    )
    run_command("national_linkage_return", "--file", str(tmp_path), "--run", RUN)

    matching = client_for(coordinator).get("/people/matching/").content.decode()
    assert "0123abcd4567ef89" in matching
    assert "1111222233334444" not in matching and "Madeupa" not in matching
    assert client_for(coordinator).get(f"/people/{hidden.pk}/").status_code == 404


def test_every_marac_can_be_exported_at_once(marac, other_marac, held, tmp_path):
    output = run_command("national_linkage_export", "--all", "--out", str(tmp_path), "--run", RUN)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"national-{RUN}-marac-{each.pk}.parquet" for each in (marac, other_marac)
    )
    assert f"MARAC {other_marac.pk}: 0 people written" in output


def test_loading_the_same_return_twice_changes_nothing(marac, other_marac, held, tmp_path):
    moved, hidden = held
    write_return(
        tmp_path,
        marac.pk,
        [
            (token(marac, moved), str(other_marac.pk), "0123abcd4567ef89", 0.97),
            (token(marac, moved), str(other_marac.pk), "fedcba9876543210", 0.92),
            (token(marac, hidden), str(other_marac.pk), "1111222233334444", 0.95),
        ],
    )
    run_command("national_linkage_return", "--file", str(tmp_path / f"marac={marac.pk}"), "--run", RUN)
    before = list(NationalPossibleMatch.objects.order_by("pk").values())

    again = run_command("national_linkage_return", "--file", str(tmp_path), "--run", RUN)

    assert list(NationalPossibleMatch.objects.order_by("pk").values()) == before
    assert {(row["person_id"], row["pair_reference"]) for row in before} == {
        (moved.pk, "0123abcd4567ef89"),
        (moved.pk, "fedcba9876543210"),
        (hidden.pk, "1111222233334444"),
    }
    assert "(0 new, 0 changed, 0 no longer found)" in again
    # Two people there who may be this one: one warning, with both references, the likelier first.
    [place] = national.possible_matches_elsewhere(moved)
    assert place.marac == other_marac and place.references == ("0123abcd4567ef89", "fedcba9876543210")


def test_a_later_run_replaces_what_an_earlier_one_said(marac, other_marac, held, tmp_path):
    moved, hidden = held
    write_return(tmp_path / "first", marac.pk, [(token(marac, moved), str(other_marac.pk), "0123abcd4567ef89", 0.97)])
    run_command("national_linkage_return", "--file", str(tmp_path / "first"), "--run", RUN)
    later = "run0000000000002"
    hidden_token = linkage_spark.person_token(national.export_key(later, marac.pk), str(hidden.pk))
    write_return(tmp_path / "second", marac.pk, [(hidden_token, str(other_marac.pk), "5555666677778888", 0.91)])

    output = run_command("national_linkage_return", "--file", str(tmp_path / "second"), "--run", later)

    assert list(NationalPossibleMatch.objects.values_list("person_id", "run")) == [(hidden.pk, later)]
    assert "(1 new, 0 changed, 1 no longer found)" in output


def test_rows_naming_this_marac_an_unknown_one_or_no_one_held_here_are_not_loaded(marac, other_marac, held, tmp_path):
    moved, _ = held
    write_return(
        tmp_path,
        marac.pk,
        [
            (token(marac, moved), str(marac.pk), "0123abcd4567ef89", 0.99),  # within one MARAC: its own business
            (token(marac, moved), "99999", "0123abcd4567ef80", 0.99),  # not in this installation
            ("0" * 32, str(other_marac.pk), "0123abcd4567ef81", 0.99),  # a token of no one here (another run's)
        ],
    )
    output = run_command("national_linkage_return", "--file", str(tmp_path), "--run", RUN)
    assert not NationalPossibleMatch.objects.exists()
    assert "1 rows matched no one held here, 2 named no other MARAC of this installation" in output


def test_a_return_saying_anything_about_the_other_marac_s_person_is_refused(marac, other_marac, held, tmp_path):
    moved, _ = held
    columns = ["token", "other_marac", "pair_reference", "match_probability", "token_r"]
    write_return(tmp_path, marac.pk, [(token(marac, moved), str(other_marac.pk), "ab", 0.97, "f" * 32)], columns)
    with pytest.raises(CommandError, match="exactly the columns"):
        run_command("national_linkage_return", "--file", str(tmp_path), "--run", RUN)
    assert not NationalPossibleMatch.objects.exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="holds no MARAC's return"):
        run_command("national_linkage_return", "--file", str(tmp_path / "empty"), "--run", RUN)


def test_a_return_for_a_marac_of_another_installation_is_left_alone(marac, tmp_path):
    write_return(tmp_path, "99999", [("a" * 32, str(marac.pk), "0123abcd4567ef89", 0.97)])
    output = run_command("national_linkage_return", "--file", str(tmp_path), "--run", RUN)
    assert "MARAC 99999: not in this installation, not loaded" in output


@settings(max_examples=25, deadline=None)
@given(run=st.text(min_size=1, max_size=40))
def test_only_plain_run_ids_are_accepted(run):
    """A run id goes into file names and audit entries: lower-case letters and digits only, 8 to 32 of them."""
    plain = run.isascii() and run.isalnum() and run == run.lower() and 8 <= len(run) <= 32
    if plain:
        assert national.checked_run(run) == run
    else:
        with pytest.raises(national.NationalLinkageError):
            national.checked_run(run)


def test_private_file_is_removed_when_writing_fails(tmp_path):
    path = tmp_path / "x.parquet"
    with pytest.raises(RuntimeError), national.private_file(str(path)) as out:
        out.write(b"partial")
        raise RuntimeError("disk full")
    assert not path.exists()
    assert not os.listdir(tmp_path)


def test_scoring_refuses_exports_of_two_runs_or_a_used_output_folder_before_spark_starts(
    marac, other_marac, held, tmp_path
):
    exports = tmp_path / "exports"
    run_command("national_linkage_export", "--marac", str(marac.pk), "--out", str(exports), "--run", RUN)
    run_command("national_linkage_export", "--marac", str(other_marac.pk), "--out", str(exports))
    model = tmp_path / "model.json"
    model.write_text("{}")
    with pytest.raises(CommandError, match="different runs"):
        run_command(
            "national_linkage_score", "--exports", str(exports), "--model", str(model), "--out", str(tmp_path / "r")
        )
    [first, _] = sorted(exports.iterdir())
    with pytest.raises(CommandError, match="not an empty folder"):
        run_command("national_linkage_score", "--exports", str(first), "--model", str(model), "--out", str(exports))
    with pytest.raises(CommandError, match="no trained matching model"):
        run_command("national_linkage_score", "--exports", str(first), "--model-of-marac", str(marac.pk), "--out", "x")
