"""A national possible match the two coordinators found not the same person (docs/national-linkage.md, "Not the
same person"). Tokens and pair references are new in every run, but this installation holds both MARACs and both
halves of a pair carry the same reference, so the decision is kept as the pair of people: neither MARAC is shown
that pair again, in this run or a later one. Returns are written here as linkage_spark.write_returns lays them out
(one folder per MARAC, both halves of a pair with one reference), without Spark."""

import datetime
import io
import itertools

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from audit.models import AuditEvent
from cases.models import CaseRestriction
from governance.retention_services import retention_apply
from people import linkage_spark, national
from people.models import NationalPossibleMatch, NationalRejection
from testing.browser import PASSWORD, assert_accessible, sign_in
from testing.factories import TEST_TOTP_SECRET, CaseFactory, PersonFactory, Role, UserFactory, grant

pytestmark = pytest.mark.django_db

FIRST, SECOND = "run0000000000101", "run0000000000102"


@pytest.fixture
def people(marac, other_marac):
    """Two pairs a national run finds across Northbrook and Southmere. The coordinators will find the first pair
    (Fictoria at Northbrook, Fictoria at Southmere) not the same person; the second pair is not looked at."""
    return {
        "north": PersonFactory(marac=marac, given_name="Fictoria", family_name="Testworth"),
        "south": PersonFactory(marac=other_marac, given_name="Fictoria", family_name="Testwurth"),
        "north_other": PersonFactory(marac=marac, given_name="Imagina", family_name="Madeupson"),
        "south_other": PersonFactory(marac=other_marac, given_name="Imagina", family_name="Madeupsen"),
    }


def token(run, person):
    return linkage_spark.person_token(national.export_key(run, person.marac_id), str(person.pk))


def write_returns(root, run, pairs):
    """Both MARACs' returns of one run: for each pair (person at Northbrook, person at Southmere, reference), a row
    in each MARAC's folder with its own person's token and the same reference. Returns the folders by MARAC id."""
    rows: dict[int, list[dict[str, object]]] = {}
    for north, south, reference in pairs:
        for mine, theirs in ((north, south), (south, north)):
            rows.setdefault(mine.marac_id, []).append(
                {
                    "token": token(run, mine),
                    "other_marac": str(theirs.marac_id),
                    "pair_reference": reference,
                    "match_probability": 0.96,
                }
            )
    folders = {}
    for marac_id, marac_rows in rows.items():
        folder = root / run / f"marac={marac_id}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(marac_rows), folder / "part-0.parquet")
        folders[marac_id] = folder
    return folders


def runs(tmp_path, people):
    """The two runs: the same two pairs, new references each time (the tokens are new)."""
    return tuple(
        write_returns(
            tmp_path,
            run,
            [
                (people["north"], people["south"], rejected),
                (people["north_other"], people["south_other"], other),
            ],
        )
        for run, rejected, other in (
            (FIRST, "aaaa000011112222", "bbbb000011112222"),
            (SECOND, "cccc000011112222", "dddd000011112222"),
        )
    )


def load(folder, run, marac):
    return national.load_return(str(folder), run=run, marac=marac)


def command(*args):
    out = io.StringIO()
    call_command("national_linkage_return", *args, stdout=out)
    return out.getvalue()


def match_of(person, reference):
    return NationalPossibleMatch.objects.get(person=person, pair_reference=reference)


def shown(person):
    return [reference for place in national.possible_matches_elsewhere(person) for reference in place.references]


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- The worked example across two runs ----------------------------------------------------------------------


def test_a_pair_found_not_the_same_is_not_shown_to_either_marac_in_a_later_run(
    client_for, marac, other_marac, coordinator, outsider, people, tmp_path
):
    north, south = people["north"], people["south"]
    runs(tmp_path, people)
    command("--file", str(tmp_path / FIRST), "--run", FIRST)
    assert shown(north) == ["aaaa000011112222"] and shown(south) == ["aaaa000011112222"]
    northbrook = client_for(coordinator)

    # Northbrook's coordinator has spoken to Southmere's: not the same person.
    detail = html(northbrook, f"/people/{north.pk}/")
    url = f"/people/national/{match_of(north, 'aaaa000011112222').pk}/not-the-same/"
    assert f'href="{url}"' in detail
    response = northbrook.post(url, {"agreed": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/people/{north.pk}/"
    assert "Recorded as not the same person: neither MARAC will be shown this possible match again" in (
        response.content.decode()
    )

    rejection = NationalRejection.objects.get()
    assert (rejection.person, rejection.other_person, rejection.other_marac) == (north, south, other_marac)
    # Neither coordinator sees the pair any more; each can still see that it was checked.
    assert shown(north) == [] and shown(south) == []
    assert shown(people["north_other"]) == ["bbbb000011112222"]
    detail = html(northbrook, f"/people/{north.pk}/")
    assert "A possible match exists at Southmere MARAC" not in detail
    assert (
        "A national person-matching run also found a possible match that a coordinator checked with the other MARAC "
        "and found not to be the same person: Southmere MARAC, reference aaaa000011112222. It is not shown again."
    ) in detail
    southmere = client_for(outsider)
    assert "A possible match exists at Northbrook MARAC" not in html(southmere, f"/people/{south.pk}/")
    for client in (northbrook, southmere):
        matching = html(client, "/people/matching/")
        assert "aaaa000011112222" not in matching.split('data-testid="national-matches"')[-1].split("</ul>")[0]
        assert "bbbb000011112222" in matching
        assert "1 possible match at other MARACs was already checked and found not the same person" in matching

    # The next run: new tokens, new references, the same two people. Not shown to either MARAC.
    output = command("--file", str(tmp_path / SECOND), "--run", SECOND)
    # Northbrook's return is loaded first: until Southmere's is, its half of a new pair cannot be told from any
    # other. Southmere's, loaded next, finds the pair and marks both halves.
    _, southmere_line = output.splitlines()
    assert southmere_line.startswith(f"MARAC {other_marac.pk}: 1 people may be held at another MARAC (2 new")
    assert "; 1 pairs already found not the same person;" in southmere_line
    assert shown(north) == [] and shown(south) == []
    assert shown(people["north_other"]) == ["dddd000011112222"] and shown(people["south_other"]) == ["dddd000011112222"]
    assert match_of(north, "cccc000011112222").not_same_person and match_of(south, "cccc000011112222").not_same_person
    assert "A possible match exists at Southmere MARAC" not in html(northbrook, f"/people/{north.pk}/")
    assert "A possible match exists at Northbrook MARAC" not in html(southmere, f"/people/{south.pk}/")
    assert "1 possible match at other MARACs was already checked" in html(northbrook, "/people/matching/")

    # Loading the second run again changes nothing.
    before = list(NationalPossibleMatch.objects.order_by("pk").values())
    again = command("--file", str(tmp_path / SECOND), "--run", SECOND)
    assert list(NationalPossibleMatch.objects.order_by("pk").values()) == before
    assert again.count("(0 new, 0 changed, 0 no longer found)") == 2


def test_it_remembers_the_pair_whichever_marac_s_return_of_the_next_run_is_loaded_first(
    marac, other_marac, coordinator, people, tmp_path
):
    north, south = people["north"], people["south"]
    first, second = runs(tmp_path, people)
    load(first[marac.pk], FIRST, marac)
    load(first[other_marac.pk], FIRST, other_marac)
    national.national_match_reject(match=match_of(north, "aaaa000011112222"), by=coordinator)

    # Southmere's return first: Northbrook's half of the new pair is not loaded yet, so the pair cannot be told
    # from any other of Southmere's person's pairs, and it is shown until Northbrook's return is loaded.
    loaded = load(second[other_marac.pk], SECOND, other_marac)
    assert loaded.not_same_person == 0 and shown(south) == ["cccc000011112222"]
    loaded = load(second[marac.pk], SECOND, marac)
    assert loaded.not_same_person == 1 and loaded.people == 1
    assert shown(north) == [] and shown(south) == []
    assert shown(people["south_other"]) == ["dddd000011112222"]


# --- Decided before the other MARAC's return is loaded -------------------------------------------------------


def test_a_decision_made_before_the_other_marac_s_return_is_loaded_is_completed_when_it_is(
    client_for, marac, other_marac, coordinator, outsider, people, tmp_path
):
    north, south = people["north"], people["south"]
    first, second = runs(tmp_path, people)
    load(first[marac.pk], FIRST, marac)
    response = client_for(coordinator).post(
        f"/people/national/{match_of(north, 'aaaa000011112222').pk}/not-the-same/", {"agreed": "on"}
    )
    assert response.status_code == 302

    rejection = NationalRejection.objects.get()
    assert rejection.other_person is None  # Southmere's half is not loaded: who it is is not known yet
    assert (rejection.run, rejection.pair_reference, rejection.other_marac) == (FIRST, "aaaa000011112222", other_marac)

    loaded = load(first[other_marac.pk], FIRST, other_marac)
    rejection.refresh_from_db()
    assert rejection.other_person == south
    assert loaded.not_same_person == 1 and loaded.people == 1 and loaded.created == 2
    assert match_of(south, "aaaa000011112222").not_same_person
    assert "A possible match exists at Northbrook MARAC" not in html(client_for(outsider), f"/people/{south.pk}/")
    audit = AuditEvent.objects.filter(marac=other_marac, summary__startswith="Loaded the return").get()
    assert audit.changes["decisions_completed"] == [rejection.pk] and audit.changes["not_same_person"] == 1
    assert audit.changes["people"] == [people["south_other"].pk]

    load(second[marac.pk], SECOND, marac)
    load(second[other_marac.pk], SECOND, other_marac)
    assert shown(north) == [] and shown(south) == []


def test_any_order_of_loading_and_deciding_ends_with_the_pair_hidden_at_both_maracs(
    marac, other_marac, coordinator, outsider, people, tmp_path
):
    """Every order of the four loads (each MARAC's return of each run; both returns of a run before either of the
    next, as the command loads a run's returns folder) and the decision, taken by either MARAC's coordinator on the
    pair as their MARAC holds it at that moment: once everything is loaded, the pair is hidden on both sides and
    the decision knows both people; the other pair is still shown."""
    first, second = runs(tmp_path, people)
    loads = {
        "N1": (first[marac.pk], FIRST, marac),
        "S1": (first[other_marac.pk], FIRST, other_marac),
        "N2": (second[marac.pk], SECOND, marac),
        "S2": (second[other_marac.pk], SECOND, other_marac),
    }
    deciders = {"N": (people["north"], coordinator), "S": (people["south"], outsider)}
    tried = 0
    for order in itertools.permutations([*loads, "D"]):
        if max(order.index("N1"), order.index("S1")) > min(order.index("N2"), order.index("S2")):
            continue
        for side, (person, user) in deciders.items():
            if order.index(f"{side}1") > order.index("D"):
                continue  # nothing loaded yet on the deciding side: nothing to decide on
            with transaction.atomic():
                for step in order:
                    if step == "D":
                        [match] = NationalPossibleMatch.objects.filter(person=person)
                        if not match.not_same_person:
                            national.national_match_reject(match=match, by=user)
                    else:
                        load(*loads[step])
                assert shown(people["north"]) == [] and shown(people["south"]) == [], (order, side)
                assert shown(people["north_other"]) == ["dddd000011112222"], (order, side)
                assert shown(people["south_other"]) == ["dddd000011112222"], (order, side)
                assert NationalRejection.objects.get().other_person_id is not None, (order, side)
                transaction.set_rollback(True)
            tried += 1
    assert tried == 28


# --- Who may record it ---------------------------------------------------------------------------------------


def test_only_a_coordinator_of_the_person_s_marac_may_record_it(
    client_for, marac, other_marac, coordinator, outsider, police_rep, chair, no_role_user, people, tmp_path
):
    first, _ = runs(tmp_path, people)
    load(first[marac.pk], FIRST, marac)
    load(first[other_marac.pk], FIRST, other_marac)
    url = f"/people/national/{match_of(people['north'], 'aaaa000011112222').pk}/not-the-same/"
    # Southmere's coordinator (who reviews matches at Southmere, not Northbrook), Northbrook's police representative
    # and chair (who do not review matches), and someone with no role: the same 404 as for no such match.
    for user in (outsider, police_rep, chair, no_role_user):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"agreed": "on"}).status_code == 404
    assert client_for(coordinator).get("/people/national/999999/not-the-same/").status_code == 404
    assert not NationalRejection.objects.exists()
    assert not NationalPossibleMatch.objects.filter(not_same_person=True).exists()
    assert Client().get(url).status_code == 302  # not signed in: to the sign-in page


def test_a_person_in_a_restricted_case_the_coordinator_is_not_named_on_is_404(
    client_for, marac, other_marac, coordinator, chair, outsider, people, tmp_path
):
    north = people["north"]
    case = CaseFactory(marac=marac, victim=north, restricted=True)
    CaseRestriction.objects.create(case=case, user=chair, added_by=chair)
    first, _ = runs(tmp_path, people)
    load(first[marac.pk], FIRST, marac)
    load(first[other_marac.pk], FIRST, other_marac)
    url = f"/people/national/{match_of(north, 'aaaa000011112222').pk}/not-the-same/"

    client = client_for(coordinator)
    assert client.get(url).status_code == 404
    assert client.post(url, {"agreed": "on"}).status_code == 404
    assert not NationalRejection.objects.exists()

    # Decided by Southmere's coordinator instead: Northbrook's follow-up list does not count it either, since
    # it is about someone hidden from this coordinator.
    national.national_match_reject(match=match_of(people["south"], "aaaa000011112222"), by=outsider)
    matching = html(client, "/people/matching/")
    assert "already checked" not in matching and "Fictoria" not in matching


def test_the_page_asks_the_coordinator_to_confirm_they_have_spoken_and_saves_nothing_until_then(
    client_for, marac, other_marac, coordinator, outsider, people, tmp_path
):
    north, south = people["north"], people["south"]
    first, _ = runs(tmp_path, people)
    load(first[marac.pk], FIRST, marac)
    load(first[other_marac.pk], FIRST, other_marac)
    match = match_of(north, "aaaa000011112222")
    url = f"/people/national/{match.pk}/not-the-same/"
    client = client_for(coordinator)

    form = html(client, url)
    assert "Is Fictoria Testworth the person at Southmere MARAC?" in form
    assert "quote national match reference <strong>aaaa000011112222</strong>: Otto Outsider" in form
    assert "I have spoken to a coordinator at Southmere MARAC and we agree they are not the same person" in form
    # A plain form: it works without JavaScript.
    assert '<form method="post" novalidate><input type="hidden" name="csrfmiddlewaretoken"' in form
    assert 'type="checkbox" name="agreed"' in form
    # Nothing about Southmere's person, not even their record's number.
    assert "Testwurth" not in form and f"person record {south.pk}" not in form

    refused = client.post(url, {})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "There is no problem" not in text and "There is a problem" in text
    assert "Confirm that you have spoken to the other MARAC&#x27;s coordinator and you agree" in text
    assert "<title>Error: " in text
    assert not NationalRejection.objects.exists() and not match_of(north, match.pair_reference).not_same_person

    # Without a CSRF token, refused.
    strict = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    strict.force_login(coordinator)
    assert strict.post(url, {"agreed": "on"}).status_code == 403
    assert not NationalRejection.objects.exists()

    assert client.post(url, {"agreed": "on"}).status_code == 302
    # Again (a second tab): nothing more is recorded, and the coordinator is told it was already recorded.
    again = client.post(url, {"agreed": "on"}, follow=True)
    assert "This possible match was already recorded as not the same person" in again.content.decode()
    assert NationalRejection.objects.count() == 1
    # Southmere's coordinator cannot record it a second time either: their half is no longer a possible match.
    theirs = f"/people/national/{match_of(south, 'aaaa000011112222').pk}/not-the-same/"
    assert client_for(outsider).post(theirs, {"agreed": "on"}, follow=True).redirect_chain[-1][0] == (
        f"/people/{south.pk}/"
    )
    assert NationalRejection.objects.count() == 1


def test_the_decision_is_audited_on_each_marac_with_its_own_person_only(
    client_for, marac, other_marac, coordinator, people, tmp_path
):
    north, south = people["north"], people["south"]
    first, _ = runs(tmp_path, people)
    load(first[marac.pk], FIRST, marac)
    load(first[other_marac.pk], FIRST, other_marac)
    url = f"/people/national/{match_of(north, 'aaaa000011112222').pk}/not-the-same/"
    client = client_for(coordinator)
    client.get(url)
    client.post(url, {"agreed": "on"})

    opened = AuditEvent.objects.get(summary__startswith="Opened national possible match")
    assert (opened.object_type, opened.object_id, opened.marac_id) == ("people.person", str(north.pk), marac.pk)
    here = AuditEvent.objects.get(marac=marac, object_type="people.nationalrejection")
    there = AuditEvent.objects.get(marac=other_marac, object_type="people.nationalrejection")
    assert here.summary == (
        f"National possible match aaaa000011112222 of person {north.pk} at MARAC {other_marac.pk}: not the same person"
    )
    # Each MARAC's entry names its own person and the other MARAC, never the other MARAC's person.
    assert here.changes == {
        "person": north.pk, "other_marac": other_marac.pk, "run": FIRST, "pair_reference": "aaaa000011112222"
    }  # fmt: skip
    assert there.changes == {
        "person": south.pk, "other_marac": marac.pk, "run": FIRST, "pair_reference": "aaaa000011112222"
    }  # fmt: skip
    assert there.summary == (
        f"National possible match aaaa000011112222 of person {south.pk} at MARAC {marac.pk}: not the same person"
    )
    assert here.actor == there.actor == coordinator
    for event in (opened, here, there):
        assert "Fictoria" not in event.summary + str(event.changes)


# --- Retention ----------------------------------------------------------------------------------------------


def test_anonymising_or_deleting_either_person_removes_the_decision(
    marac, other_marac, coordinator, outsider, people, tmp_path
):
    first, _ = runs(tmp_path, people)
    load(first[marac.pk], FIRST, marac)
    load(first[other_marac.pk], FIRST, other_marac)
    national.national_match_reject(match=match_of(people["north"], "aaaa000011112222"), by=coordinator)
    national.national_match_reject(match=match_of(people["south_other"], "bbbb000011112222"), by=outsider)
    assert NationalRejection.objects.count() == 2

    # Northbrook anonymises (its default): Fictoria's case was referred long ago and never heard.
    CaseFactory(marac=marac, victim=people["north"], referred_on=datetime.date(2015, 1, 5))
    retention_apply(marac=marac, today=datetime.date(2027, 1, 15), by=coordinator)
    assert list(NationalRejection.objects.values_list("person_id", flat=True)) == [people["south_other"].pk]
    anonymised = AuditEvent.objects.get(summary__startswith=f"Retention: anonymised person {people['north'].pk}")
    assert "national possible matches and decisions on them" in anonymised.summary

    # Southmere deletes: Imagina's case goes, and with her the decision about her (made at Southmere).
    other_marac.retention_action = "delete"
    other_marac.save()
    CaseFactory(marac=other_marac, victim=people["south_other"], referred_on=datetime.date(2015, 1, 5))
    retention_apply(marac=other_marac, today=datetime.date(2027, 1, 15), by=outsider)
    assert not NationalRejection.objects.exists()


# --- In a browser -------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_it_works_without_javascript_and_its_pages_are_accessible(
    no_js_page, page, base_url, marac, other_marac, coordinator, people, tmp_path
):
    north = people["north"]
    first, _ = runs(tmp_path, people)
    load(first[marac.pk], FIRST, marac)
    load(first[other_marac.pk], FIRST, other_marac)

    # JavaScript switched off: the link, the error, then the decision.
    sign_in(no_js_page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    no_js_page.goto(f"{base_url}/people/{north.pk}/")
    no_js_page.get_by_role("link", name="Record that they are not the same person: reference aaaa000011112222").click()
    assert no_js_page.locator("h1").inner_text() == "Is Fictoria Testworth the person at Southmere MARAC?"
    no_js_page.get_by_role("button", name="Record as not the same person").click()
    assert "Confirm that you have spoken" in no_js_page.locator(".govuk-error-summary").inner_text()
    no_js_page.get_by_label("I have spoken to a coordinator at Southmere MARAC").check()
    no_js_page.get_by_role("button", name="Record as not the same person").click()
    assert no_js_page.url == f"{base_url}/people/{north.pk}/"
    assert "reference aaaa000011112222" in no_js_page.get_by_test_id("checked-elsewhere").inner_text()
    assert NationalRejection.objects.filter(person=north, other_person=people["south"]).exists()

    # WCAG 2.2 AA, with JavaScript: the pages with a possible match, the form with its error, and after. Another
    # coordinator, since an authenticator code is used only once.
    colleague = grant(UserFactory(full_name="Corin Ordinal", email="corin@example.invalid"), marac, Role.COORDINATOR)
    sign_in(page, base_url, colleague.email, PASSWORD, TEST_TOTP_SECRET)
    other = match_of(people["north_other"], "bbbb000011112222")
    for path in (f"/people/{other.person_id}/", "/people/matching/", f"/people/{north.pk}/"):
        page.goto(f"{base_url}{path}")
        assert_accessible(page)
    page.goto(f"{base_url}/people/national/{other.pk}/not-the-same/")
    assert_accessible(page)
    page.get_by_role("button", name="Record as not the same person").click()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
