"""Who is heard first and who may be information only, through the agenda pages as the coordinator uses them.

BD MARAC List: "It has been agreed for all cases with children to be heard at first." BD Start / Finish Times: "Cases
involving children or pregnant victims will be scheduled first". BD Cases for information only: not where "they
involve a child or children, or the victim is pregnant (except where the child or children are in permanent care)".
CAM 4.3: a victim of 16 or 17 is a young person to whom children's social care "still has a safeguarding duty"."""

import datetime

import pytest
from django.utils import timezone

from cases.models import CaseParty, PartyRole
from meetings.models import Listing, ListingKind, Meeting
from referrals.models import Referral
from testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

REFERRED_ON = datetime.date(2026, 10, 1)
PROPOSE = "Propose information only"


@pytest.fixture
def soon(marac):
    day = timezone.localdate() + datetime.timedelta(days=1)
    starts_at = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=timezone.get_current_timezone())
    return Meeting.objects.create(marac=marac, starts_at=starts_at)


def _listed(meeting, reference, *, born=datetime.date(1990, 5, 17), pregnant=False):
    marac = meeting.marac
    victim = PersonFactory(marac=marac, given_name="Fictiona", family_name="Testworth", date_of_birth=born)
    case = CaseFactory(
        marac=marac, reference=reference, victim=victim, victim_pregnant=pregnant, referred_on=REFERRED_ON
    )
    return Listing.objects.create(meeting=meeting, case=case)


def _with_child_in_permanent_care(listing, referrer):
    child = PersonFactory(
        marac=listing.case.marac, given_name="Tiny", family_name="Testworth", date_of_birth=datetime.date(2019, 6, 1)
    )
    CaseParty.objects.create(case=listing.case, person=child, role=PartyRole.CHILD)
    answer = {
        "given_name": "Tiny",
        "family_name": "Testworth",
        "date_of_birth": "2019-06-01",
        "in_permanent_care": "yes",
    }
    Referral.objects.create(
        marac=listing.case.marac,
        referrer=referrer,
        referring_agency=referrer.agency,
        case=listing.case,
        content={"children": [answer]},
    )


def _agenda(client, meeting):
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _row(page, reference):
    """The agenda table's row for one case."""
    start = page.index(reference)
    return page[start : page.index("</tr>", start)]


def _propose(client, listing):
    data = {
        "referrer_view": "Spoke to the referring officer, who agrees.",
        "referrer_agrees": "yes",
        "vulnerable_adult": "no",
        "specific_actions_requested": "no",
    }
    return client.post(f"/meetings/{listing.meeting_id}/listings/{listing.pk}/information-only/", data)


def test_it_hears_a_case_whose_only_child_is_in_permanent_care_with_the_cases_with_children(
    client_for, coordinator, referrer, soon
):
    _listed(soon, "NM-2026-0101")  # listed first, no children
    in_care = _listed(soon, "NM-2026-0102")
    _with_child_in_permanent_care(in_care, referrer)

    page = _agenda(client_for(coordinator), soon)

    assert page.index("NM-2026-0102") < page.index("NM-2026-0101")
    # The permanent-care exception still lets it be information only (BD Cases for information only).
    assert "in permanent care" in _row(page, "NM-2026-0102")
    assert PROPOSE in _row(page, "NM-2026-0102")


def test_it_hears_a_victim_of_17_with_the_cases_with_children_and_never_for_information_only(
    client_for, coordinator, soon
):
    _listed(soon, "NM-2026-0111")  # an adult victim, listed first
    young = _listed(soon, "NM-2026-0112", born=datetime.date(2009, 4, 20))  # 17 on 1 October 2026
    client = client_for(coordinator)

    page = _agenda(client, soon)
    assert page.index("NM-2026-0112") < page.index("NM-2026-0111")
    reason = "The victim was 17 when referred: a child, to whom children&#x27;s social care has a safeguarding duty."
    assert PROPOSE not in _row(page, "NM-2026-0112")
    assert f"Cannot be information only: {reason}" in _row(page, "NM-2026-0112")

    response = _propose(client, young)
    assert response.status_code == 200
    assert "This case cannot be listed for information only" in response.content.decode()
    assert reason in response.content.decode()
    young.refresh_from_db()
    assert young.kind == ListingKind.FULL
    assert young.information_only_decided_by_coordinator is None


def test_a_victim_who_turned_18_before_the_referral_may_be_information_only(client_for, coordinator, soon):
    adult = _listed(soon, "NM-2026-0113", born=datetime.date(2008, 10, 1))  # 18 on the day referred
    response = _propose(client_for(coordinator), adult)
    assert response.status_code == 302
    adult.refresh_from_db()
    assert adult.information_only_decided_by_coordinator is not None


def test_a_pregnancy_not_known_refuses_information_only_and_is_heard_first(client_for, coordinator, soon):
    _listed(soon, "NM-2026-0121")  # not pregnant, listed first
    not_known = _listed(soon, "NM-2026-0122", pregnant=None)
    client = client_for(coordinator)

    page = _agenda(client, soon)
    assert page.index("NM-2026-0122") < page.index("NM-2026-0121")
    reason = (
        "It is not known whether the victim is pregnant, and a pregnant victim&#x27;s case cannot be information only."
    )
    assert PROPOSE not in _row(page, "NM-2026-0122")
    assert reason in _row(page, "NM-2026-0122")
    assert PROPOSE in _row(page, "NM-2026-0121")

    response = _propose(client, not_known)
    assert response.status_code == 200
    assert reason in response.content.decode()
    not_known.refresh_from_db()
    assert not_known.kind == ListingKind.FULL
    assert not_known.information_only_decided_by_coordinator is None


def test_the_agenda_says_why_a_case_without_children_is_heard_first(client_for, coordinator, soon):
    _listed(soon, "NB-2026-0961", born=datetime.date(2009, 3, 1))  # 17 when referred
    _listed(soon, "NB-2026-0962", pregnant=None)

    page = client_for(coordinator).get(f"/meetings/{soon.pk}/").content.decode()

    assert "Victim under 18" in page
    assert "Pregnancy not known" in page
    agenda = client_for(coordinator).get(f"/api/v1/meetings/{soon.pk}/agenda").json()
    pregnant = {listing["case_reference"]: listing["victim_pregnant"] for listing in agenda["listings"]}
    assert pregnant == {"NB-2026-0961": False, "NB-2026-0962": None}
