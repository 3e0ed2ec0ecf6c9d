"""What a screen reader hears out of context: each repeated link or button says which action or person it is for
(WCAG 2.4.4, 2.4.6), a task's hint is read with its link (1.3.1), and a wide table scrolls in its own named,
focusable region rather than push the page sideways at 320 pixels (1.4.10; test_reflow_browser checks the CSS)."""

import lxml.html
import pytest
from django.utils import timezone

from actions.tests.tracking_data import action_for, case_at, meeting_at
from meetings.models import Attendance, AttendanceCapacity, Listing, Meeting, MeetingState
from referrals.tests.test_review_answers import save, start

pytestmark = pytest.mark.django_db


def _tree(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return lxml.html.fromstring(response.content)


def _names(tree, xpath):
    return [" ".join(element.text_content().split()) for element in tree.xpath(xpath)]


def test_each_link_on_your_agencys_actions_names_its_action(client_for, marac, police_rep, coordinator):
    meeting = meeting_at(marac)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0001"))
    action_for(listing, police_rep.agency, coordinator, description="Flag the address for urgent response")
    action_for(listing, police_rep.agency, coordinator, description="Share the bail conditions")

    tree = _tree(client_for(police_rep), "/actions/mine/")

    done = _names(tree, "//a[starts-with(normalize-space(.), 'Mark done')]")
    cannot = _names(tree, "//a[starts-with(normalize-space(.), 'Cannot complete')]")
    assert len(done) == len(set(done)) == 2 and len(cannot) == len(set(cannot)) == 2
    assert all("NB-0001" in name for name in done + cannot)
    assert any("Share the bail conditions" in name for name in done)


def test_a_sections_hint_is_read_with_its_link_on_the_task_list(client_for, referrer):
    client = client_for(referrer)
    referral = start(client)
    save(client, referral, "victim", {"given_name": "Fictiona"}, "draft")

    tree = _tree(client, f"/referrals/{referral.pk}/")

    [link] = tree.xpath(f"//a[@href='/referrals/{referral.pk}/perpetrators/']")
    described = [tree.get_element_by_id(id_).text_content().strip() for id_ in link.get("aria-describedby").split()]
    assert "Add at least one perpetrator" in described[0] and described[-1] == "Not started"


def test_each_attendance_button_names_whose_attendance_it_changes(client_for, coordinator, police_rep, idva, marac):
    meeting = Meeting.objects.create(marac=marac, starts_at=timezone.now() + timezone.timedelta(hours=1))
    for user, present in ((police_rep, True), (idva, False)):
        Attendance.objects.create(
            meeting=meeting, agency=user.agency, user=user, capacity=AttendanceCapacity.REPRESENTATIVE, present=present
        )

    tree = _tree(client_for(coordinator), f"/meetings/{meeting.pk}/register/")

    assert _names(tree, "//button[starts-with(normalize-space(.), 'Mark as')]") == [
        "Mark as apologies: Pat Police-Rep, Northbrook Constabulary",
        "Mark as present: Ivy Advocate, Northbrook IDVA Service",
    ]


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("coordinator", "/cases/"),
        ("coordinator", "/audit/"),
        ("coordinator", "/actions/"),
        ("coordinator", "/settings/"),
        ("administrator", "/you/users/"),
        ("police_rep", "/actions/mine/"),
    ],
)
def test_each_table_scrolls_in_its_own_named_region(request, client_for, marac, coordinator, persona, path):
    meeting = meeting_at(marac)
    MeetingState.objects.create(meeting=meeting, case_list_released_at=timezone.now())
    listing = Listing.objects.create(meeting=meeting, case=case_at(marac, reference="NB-0001"))
    user = request.getfixturevalue(persona)
    action_for(listing, user.agency, coordinator)

    tree = _tree(client_for(user), path)

    tables = tree.xpath("//main//table")
    assert tables, path
    for table in tables:
        region = table.getparent()
        assert "app-table-scroll" in region.get("class", ""), path
        assert (region.get("role"), region.get("tabindex")) == ("region", "0") and region.get("aria-label"), path
