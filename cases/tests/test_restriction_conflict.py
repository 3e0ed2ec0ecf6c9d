"""Two coordinators on the same restriction page: a choice made from an older page never silently undoes the one
saved meanwhile, and is never dropped without a word (through the real pages, /cases/<id>/restriction/)."""

import re
import threading

import pytest
from django.db import connection, connections

from accounts.models import Role
from cases.models import CaseRestriction, CaseStatus
from cases.restriction_services import StaleRestriction, case_restrict, restriction_state
from testing.factories import CaseFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_coordinator(marac):
    return grant(UserFactory(full_name="Cole Second"), marac, Role.COORDINATOR)


@pytest.fixture
def named_idva(marac):
    return grant(UserFactory(full_name="Nadia Named"), marac, Role.IDVA)


def _url(case):
    return f"/cases/{case.pk}/restriction/"


def _hidden(page):
    html = page.content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1).replace("&quot;", '"')
        for name in ("version", "based_on")
    }


def _give_reason(client, case):
    client.post(f"/cases/{case.pk}/reason/", {"reason": "Checking who is named", "next": f"/cases/{case.pk}/"})


def _named(case):
    return set(CaseRestriction.objects.filter(case=case).values_list("user_id", flat=True))


def test_a_change_from_an_older_page_is_refused_and_shows_who_is_named_now(
    client_for, marac, coordinator, second_coordinator, chair, named_idva
):
    case = case_restrict(case=CaseFactory(marac=marac), named_users=[second_coordinator], by=coordinator)
    a, b = client_for(coordinator), client_for(second_coordinator)
    _give_reason(a, case)
    _give_reason(b, case)
    page_a, page_b = a.get(_url(case)), b.get(_url(case))

    saved = a.post(
        _url(case), _hidden(page_a) | {"named_users": [second_coordinator.pk, chair.pk], "restricted": "yes"}
    )
    assert saved.status_code == 302
    refused = b.post(
        _url(case), _hidden(page_b) | {"named_users": [coordinator.pk, named_idva.pk], "restricted": "yes"}
    )

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else changed who may see this case while you had this page open" in page
    assert "Your choice has not been saved" in page
    saved_now = re.search(r'data-testid="saved-now">(.*?)</div>', page, re.S).group(1)
    assert "Chad Chairington" in saved_now and "Nadia Named" not in saved_now
    assert "Nadia Named" in re.search(r'data-testid="your-choice">(.*?)</p>', page, re.S).group(1)
    assert _named(case) == {coordinator.pk, second_coordinator.pk, chair.pk}  # the chair is still named
    # Saving again from the conflict page is a choice made with both on screen: it goes through.
    again = b.post(_url(case), _hidden(refused) | {"named_users": [coordinator.pk, named_idva.pk], "restricted": "yes"})
    assert again.status_code == 302
    assert _named(case) == {coordinator.pk, second_coordinator.pk, named_idva.pk}


def test_lifting_from_an_older_page_after_someone_changed_who_is_named_is_refused(
    client_for, marac, coordinator, second_coordinator, chair
):
    case = case_restrict(case=CaseFactory(marac=marac), named_users=[second_coordinator], by=coordinator)
    a, b = client_for(coordinator), client_for(second_coordinator)
    _give_reason(a, case)
    _give_reason(b, case)
    page_b = b.get(_url(case))
    a.post(_url(case), _hidden(a.get(_url(case))) | {"named_users": [second_coordinator.pk, chair.pk]})
    refused = b.post(_url(case), _hidden(page_b) | {"restricted": "no"})
    assert refused.status_code == 409
    choice = re.search(r'data-testid="your-choice">(.*?)</p>', refused.content.decode()).group(1)
    assert "Lift the restriction" in choice
    case.refresh_from_db()
    assert case.restricted and chair.pk in _named(case)


def test_a_choice_made_before_the_case_was_restricted_is_not_dropped_without_a_word(
    client_for, marac, coordinator, second_coordinator, chair, named_idva
):
    case = CaseFactory(marac=marac)
    a, b = client_for(coordinator), client_for(second_coordinator)
    page_a, page_b = a.get(_url(case)), b.get(_url(case))
    a.post(_url(case), _hidden(page_a) | {"named_users": [second_coordinator.pk, chair.pk], "restricted": "yes"})

    refused = b.post(_url(case), _hidden(page_b) | {"named_users": [named_idva.pk], "restricted": "yes"})

    assert refused.status_code == 409  # not a silent bounce to the reason page
    page = refused.content.decode()
    assert "This case was restricted while you had this page open" in page and "not been saved" in page
    assert "Nadia Named" in page  # their own choice, shown back to them
    assert "Chad Chairington" not in page  # who is named is shown only once they say why they open the case
    assert f"/cases/{case.pk}/reason/?next=%2Fcases%2F{case.pk}%2Frestriction%2F" in page
    assert _named(case) == {coordinator.pk, second_coordinator.pk, chair.pk}
    # Once they say why, the page shows who is named now, to choose again from.
    _give_reason(b, case)
    now = b.get(_url(case)).content.decode()
    assert "Who may see this restricted case" in now and "Chad Chairington" in now


def test_a_change_to_something_else_about_the_case_is_no_conflict(client_for, marac, coordinator, chair):
    case = CaseFactory(marac=marac)
    client = client_for(coordinator)
    page = client.get(_url(case))
    case.status = CaseStatus.LISTED
    case.version += 1
    case.save()
    response = client.post(_url(case), _hidden(page) | {"named_users": [chair.pk], "restricted": "yes"})
    assert response.status_code == 302
    assert _named(case) == {coordinator.pk, chair.pk}


def test_asking_for_what_is_already_saved_is_no_conflict(marac, coordinator, chair):
    case = CaseFactory(marac=marac)
    before = {"based_on_version": case.version, "based_on": restriction_state(case)}
    case_restrict(case=case, named_users=[chair], by=coordinator, **before)
    case_restrict(case=case, named_users=[chair], by=coordinator, **before)  # same choice, older page
    with pytest.raises(StaleRestriction):
        case_restrict(case=case, named_users=[], by=coordinator, **before)
    assert _named(case) == {coordinator.pk, chair.pk}


def test_the_restriction_page_is_not_found_for_an_outsider_or_someone_not_named(
    client_for, marac, outsider, coordinator, second_coordinator
):
    case = case_restrict(case=CaseFactory(marac=marac), named_users=[], by=coordinator)
    for user in (outsider, second_coordinator):
        client = client_for(user)
        assert client.get(_url(case)).status_code == 404
        posted = client.post(_url(case), {"restricted": "no", "version": case.version, "based_on": "open"})
        assert posted.status_code == 404
    case.refresh_from_db()
    assert case.restricted and _named(case) == {coordinator.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_changes_from_the_same_page_exactly_one_is_saved(
    marac, coordinator, second_coordinator, chair, named_idva
):
    case = case_restrict(case=CaseFactory(marac=marac), named_users=[second_coordinator], by=coordinator)
    before = {"based_on_version": case.version, "based_on": restriction_state(case)}
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def save(who, by, named):
        try:
            start.wait()
            case_restrict(case=case, named_users=named, by=by, **before)
            results[who] = "saved"
        except StaleRestriction:
            results[who] = "conflict"
        finally:
            connections.close_all()  # this thread's own connection

    threads = [
        threading.Thread(target=save, args=("a", coordinator, [second_coordinator, chair])),
        threading.Thread(target=save, args=("b", second_coordinator, [coordinator, named_idva])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values()) == ["conflict", "saved"]
    expected = {"a": {chair.pk}, "b": {named_idva.pk}}[next(w for w, r in results.items() if r == "saved")]
    assert expected <= _named(case)


def test_a_choice_sent_after_the_reason_expired_is_kept_on_screen_not_dropped(
    client_for, marac, coordinator, second_coordinator, named_idva
):
    case = case_restrict(case=CaseFactory(marac=marac), named_users=[second_coordinator], by=coordinator)
    client = client_for(second_coordinator)
    _give_reason(client, case)
    page = client.get(_url(case))
    session = client.session
    session.pop("openmarac_restricted_case_reasons")  # as if thirty minutes had passed
    session.save()
    response = client.post(_url(case), _hidden(page) | {"named_users": [coordinator.pk, named_idva.pk]})
    assert response.status_code == 409
    text = response.content.decode()
    assert "more than 30 minutes since you said why" in text and "Nadia Named" in text
    assert _named(case) == {coordinator.pk, second_coordinator.pk}
