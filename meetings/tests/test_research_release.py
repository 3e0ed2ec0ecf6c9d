"""Research follows the case list's release (BD MARAC List; BD Research): a representative sees none of a meeting's
listings, anywhere, until the coordinator has released its case list; once released, the research page names whom
to search for, as the case list does."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts.models import Role
from api.tests.conftest import bearer, issue_token  # noqa: F401 - fixtures shared with the API's own tests
from audit.models import AuditEvent
from cases.models import CaseParty, CaseRestriction, PartyRole
from meetings.models import Listing, Meeting, MeetingState, Research, VictimVoice
from meetings.research_selectors import listings_to_research
from referrals.calendar import WorkingCalendar, format_day, is_working_day
from testing.factories import AddressFactory, CaseFactory, MaracFactory, PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
ENGLAND = WorkingCalendar()


def _meeting(marac, *, starts_at=None, released=False):
    starts_at = starts_at or (timezone.now() + datetime.timedelta(days=14)).replace(second=0, microsecond=0)
    meeting = Meeting.objects.create(marac=marac, starts_at=starts_at)
    if released:
        MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    return meeting


def _listed(meeting, reference):
    marac = meeting.marac
    victim = PersonFactory(
        marac=marac, given_name="Fictionalia", family_name="Testperson", date_of_birth=datetime.date(1991, 3, 14)
    )
    return Listing.objects.create(meeting=meeting, case=CaseFactory(marac=marac, reference=reference, victim=victim))


def _party(listing, role, given_name, date_of_birth=None):
    person = PersonFactory(
        marac=listing.case.marac, given_name=given_name, family_name="Testworth", date_of_birth=date_of_birth
    )
    CaseParty.objects.create(case=listing.case, person=person, role=role)
    return person


def _research_url(listing):
    return reverse("meetings_research:research", args=[listing.pk])


def _release(meeting):
    MeetingState.objects.update_or_create(meeting=meeting, defaults={"case_list_released_at": timezone.now()})


@pytest.fixture
def unreleased(marac):
    return _meeting(marac)


@pytest.fixture
def waiting(unreleased):
    return _listed(unreleased, "NB-07001")


@pytest.fixture
def police(marac, police_rep, bearer, issue_token):  # noqa: F811
    return bearer(issue_token(marac, Role.AGENCY_REPRESENTATIVE, agency=police_rep.agency))


# --- Before the case list is released -------------------------------------------------------------------------------


def test_the_home_page_lists_no_case_of_a_meeting_whose_list_is_not_released(client_for, police_rep, idva, waiting):
    for user in (police_rep, idva):
        page = client_for(user).get("/").content.decode()
        assert "Cases to research" in page
        assert "NB-07001" not in page
        assert _research_url(waiting) not in page
        assert "No cases are listed for the coming meetings yet." in page


def test_the_home_page_lists_the_case_once_the_list_is_released(client_for, police_rep, idva, waiting):
    _release(waiting.meeting)
    for user in (police_rep, idva):
        page = client_for(user).get("/").content.decode()
        assert _research_url(waiting) in page
        assert "NB-07001" in page


def test_the_research_form_is_404_before_release_and_saves_nothing(client_for, police_rep, idva, waiting):
    for user in (police_rep, idva):
        client = client_for(user)
        assert client.get(_research_url(waiting)).status_code == 404
        response = client.post(_research_url(waiting), {"known_to_agency": "yes", "about_victim": "x", "version": 0})
        assert response.status_code == 404
    assert not Research.objects.exists()
    victim_voice = reverse("meetings_research:victim_voice", args=[waiting.pk])
    assert client_for(idva).get(victim_voice).status_code == 404
    assert client_for(idva).post(victim_voice, {"victim_views": "x", "version": 0}).status_code == 404
    assert not VictimVoice.objects.exists()
    # A 404 reads nothing of the case, so nothing is recorded as read.
    assert not AuditEvent.objects.filter(object_type="cases.case", object_id=str(waiting.case_id)).exists()


def test_the_research_form_opens_once_the_list_is_released(client_for, police_rep, waiting):
    _release(waiting.meeting)
    client = client_for(police_rep)
    assert client.get(_research_url(waiting)).status_code == 200
    response = client.post(_research_url(waiting), {"known_to_agency": "no", "version": 0})
    assert response.status_code == 302
    assert Research.objects.filter(listing=waiting, agency=police_rep.agency).exists()


def test_the_coordinator_researches_and_the_chair_sees_the_grid_before_release(client_for, coordinator, chair, waiting):
    assert client_for(coordinator).get(_research_url(waiting)).status_code == 200
    grid = reverse("meetings_research:grid", args=[waiting.meeting_id])
    for user in (coordinator, chair):
        page = client_for(user).get(grid)
        assert page.status_code == 200
        assert "NB-07001" in page.content.decode()


def test_representatives_never_see_the_research_grid(client_for, police_rep, idva, waiting):
    _release(waiting.meeting)
    for user in (police_rep, idva):
        assert client_for(user).get(reverse("meetings_research:grid", args=[waiting.meeting_id])).status_code == 404


def test_the_api_follows_the_same_rule(police, coordinator, bearer, issue_token, marac, waiting):  # noqa: F811
    research = f"/api/v1/meetings/{waiting.meeting_id}/listings/{waiting.pk}/research"
    agenda = f"/api/v1/meetings/{waiting.meeting_id}/agenda"
    assert police.get("/api/v1/research").json()["count"] == 0
    assert police.get(research).status_code == 404
    body = {"version": 0, "known_to_agency": False, "is_written_submission": False}
    assert police.put(research, body, content_type="application/json").status_code == 404
    assert police.get(agenda).json()["listings"] == []
    assert not Research.objects.exists()

    coordination = bearer(issue_token(marac, Role.COORDINATOR, agency=coordinator.agency))
    assert coordination.get("/api/v1/research").json()["count"] == 1

    _release(waiting.meeting)
    assert [item["listing_id"] for item in police.get("/api/v1/research").json()["items"]] == [waiting.pk]
    assert police.get(research).status_code == 200
    assert [item["case_reference"] for item in police.get(agenda).json()["listings"]] == ["NB-07001"]


def test_only_the_released_meeting_s_cases_are_listed_when_both_are_coming(client_for, marac, police_rep, waiting):
    released = _listed(_meeting(marac, starts_at=waiting.meeting.starts_at + datetime.timedelta(days=7), released=True),
                       "NB-07002")  # fmt: skip
    page = client_for(police_rep).get("/").content.decode()
    assert _research_url(released) in page
    assert _research_url(waiting) not in page


class TestTheListToResearch(HypothesisTestCase):
    """Whatever meetings are coming, released or not, a representative's list holds exactly the listings of the
    released ones, and the coordinator's holds them all."""

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=2)), min_size=0, max_size=4))
    def test_a_representative_gets_exactly_the_released_meetings_listings(self, meetings):
        marac = MaracFactory()
        rep = grant(UserFactory(), marac, Role.AGENCY_REPRESENTATIVE)
        coordinator = grant(UserFactory(), marac, Role.COORDINATOR)
        expected, every = set(), set()
        for day, (released, cases) in enumerate(meetings, start=1):
            meeting = _meeting(marac, starts_at=timezone.now() + datetime.timedelta(days=day), released=released)
            for number in range(cases):
                listing = _listed(meeting, f"NB-{day}{number}")
                every.add(listing.pk)
                if released:
                    expected.add(listing.pk)
        assert {item.listing.pk for item in listings_to_research(user=rep, marac_id=marac.pk)} == expected
        assert {item.listing.pk for item in listings_to_research(user=coordinator, marac_id=marac.pk)} == every


# --- Once released: whom to research ---------------------------------------------------------------------------------


def _family_meeting_day():
    """A Tuesday at least two weeks from today whose Monday is a working day (so written submissions are due then),
    never 29 February (the children's birthdays are counted back from it): from today, as a fixed day would pass
    and the deadline with it."""
    ahead = (timezone.localdate() + datetime.timedelta(days=offset) for offset in range(14, 60))
    return next(
        day
        for day in ahead
        if day.weekday() == 1
        and is_working_day(day - datetime.timedelta(days=1), ENGLAND)
        and (day.month, day.day) != (2, 29)
    )


def _years_before(day, years):
    return day.replace(year=day.year - years)


@pytest.fixture
def family(marac):
    day = _family_meeting_day()
    starts_at = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=LONDON)
    listing = _listed(_meeting(marac, starts_at=starts_at, released=True), "NB-2026-0497")
    AddressFactory(person=listing.case.victim, line_1="7 Hidden Refuge Lane", confidential=True)
    _party(listing, PartyRole.PERPETRATOR, "Brutus", datetime.date(1988, 1, 2))
    _party(listing, PartyRole.CHILD, "Tinyona", _years_before(day, 7) + datetime.timedelta(days=1))  # 6 that day
    _party(listing, PartyRole.CHILD, "Smallwyn", _years_before(day, 4))  # 4 that very day
    return listing


def _tinyona_born(listing):
    return _years_before(timezone.localtime(listing.meeting.starts_at).date(), 7) + datetime.timedelta(days=1)


def test_the_research_page_names_whom_to_search_for_as_the_case_list_does(client_for, police_rep, idva, family):
    for user in (police_rep, idva):
        page = client_for(user).get(_research_url(family)).content.decode()
        people = page[page.index('data-testid="people-to-research"') :]
        people = people[: people.index("</dl>")]
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", people))
        assert "Fictionalia Testperson , born 14 March 1991" in text
        assert "Brutus Testworth" in text
        assert "Tinyona Testworth (aged 6)" in text
        assert "Smallwyn Testworth (aged 4)" in text
        # As the case list: a perpetrator's name but not their date of birth, the children's ages, no address.
        assert "1988" not in people and str(_tinyona_born(family).year) not in people
        assert "Hidden Refuge" not in page
        for person in CaseParty.objects.filter(case=family.case).values_list("person_id", flat=True):
            assert reverse("people:detail", args=[person]) in people
        assert reverse("cases:detail", args=[family.case_id]) in page
        assert reverse("meetings_agenda:case_list", args=[family.meeting_id]) in page


def test_the_case_list_shows_the_same_people(client_for, police_rep, family):
    case_list = client_for(police_rep).get(reverse("meetings_agenda:case_list", args=[family.meeting_id]))
    text = case_list.content.decode()
    for shown in ("Fictionalia Testperson", "14/03/1991", "Brutus Testworth", "Tinyona Testworth (6)",
                  "Smallwyn Testworth (4)"):  # fmt: skip
        assert shown in text


def test_a_case_without_perpetrator_or_children_says_so(client_for, police_rep, marac):
    listing = _listed(_meeting(marac, released=True), "NB-07003")
    page = client_for(police_rep).get(_research_url(listing)).content.decode()
    people = page[page.index('data-testid="people-to-research"') :]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", people[: people.index("</dl>")]))
    assert "Perpetrators None recorded" in text
    assert "Children None" in text


def test_a_restricted_case_stays_404_for_a_representative_not_named(client_for, police_rep, coordinator, family):
    family.case.restricted = True
    family.case.save(update_fields=["restricted"])
    CaseRestriction.objects.create(case=family.case, user=coordinator, added_by=coordinator)
    assert client_for(police_rep).get(_research_url(family)).status_code == 404
    assert "NB-2026-0497" not in client_for(police_rep).get("/").content.decode()


def test_the_outsider_gets_404(client_for, outsider, family):
    assert client_for(outsider).get(_research_url(family)).status_code == 404


def test_dates_are_written_out_and_the_deadline_is_in_the_future_tense(client_for, police_rep, coordinator, family):
    day = timezone.localtime(family.meeting.starts_at).date()
    meeting, iso = f"{format_day(day)} at 09:30", day.isoformat()  # "Tuesday 8 December 2026 at 09:30"
    page = client_for(police_rep).get(_research_url(family)).content.decode()
    assert f"Meeting on {meeting}" in page
    assert iso not in page
    # 24 hours before: 09:30 on the Monday ("09:30 on Monday 7 December 2026").
    assert f"Written submissions are due by 09:30 on {format_day(day - datetime.timedelta(days=1))}" in page
    assert "were due" not in page
    grid = client_for(coordinator).get(reverse("meetings_research:grid", args=[family.meeting_id])).content.decode()
    assert f"<title>Research for the meeting on {meeting}" in re.sub(r"\s+", " ", grid)
    assert iso not in grid
    home = client_for(police_rep).get("/").content.decode()
    assert f"meeting on {meeting}" in home and iso not in home


def test_after_the_deadline_it_says_were_due(client_for, marac, police_rep):
    soon = _meeting(marac, starts_at=timezone.now() + datetime.timedelta(hours=2), released=True)
    page = client_for(police_rep).get(_research_url(_listed(soon, "NB-07004"))).content.decode()
    assert "Written submissions were due by" in page
    assert "are due by" not in page


def test_the_people_cost_one_query_however_many_there_are(client_for, police_rep, marac, family):
    bare = _listed(_meeting(marac, released=True), "NB-07005")
    client = client_for(police_rep)
    client.get(_research_url(bare))  # the session and permissions, read once

    def queries(listing):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_research_url(listing)).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    with_family, without = queries(family), queries(bare)
    assert len(with_family) == len(without)
    assert sum('"cases_caseparty"' in sql and "people_person" in sql for sql in with_family) == 1


# Nine queries: the session, the user, their roles, the listing (with its meeting, state, case and victim), the audit
# of the case read (two, and a third on PostgreSQL: the lock on the audit chain), the research with its children's
# rows, the victim's voice, and the parties (the one query this page gained for them).
BUDGET = 9


def test_the_research_page_stays_within_its_query_budget(client_for, police_rep, family, django_assert_max_num_queries):
    client = client_for(police_rep)
    client.get(_research_url(family))
    with django_assert_max_num_queries(BUDGET + (connection.vendor == "postgresql")):
        client.get(_research_url(family))


def test_the_live_meeting_and_its_cases_are_hidden_from_a_representative_until_the_list_is_out(
    client_for, police_rep, coordinator, marac
):
    meeting = _meeting(marac)
    listing = _listed(meeting, "NB-2026-0771")
    live, live_case = f"/meetings/{meeting.pk}/live/", f"/meetings/{meeting.pk}/live/{listing.pk}/"
    representative = client_for(police_rep)
    assert representative.get(live).status_code == 404
    assert representative.get(live_case).status_code == 404
    assert not AuditEvent.objects.filter(object_type="cases.case", object_id=str(listing.case_id)).exists()
    # The coordinator prepares the meeting before the list goes out: the agreement first, then the page.
    assert client_for(coordinator).get(live).status_code in {200, 302}
    _release(meeting)
    assert representative.get(live).status_code == 302  # now to the confidentiality agreement
    assert representative.post(f"/meetings/{meeting.pk}/sign/", {"next": live_case}).status_code == 302
    assert representative.get(live_case).status_code == 200
