"""Whoever may see quality assurance finds it from their home page and the figures, and a board member may read a
board report's page as well as download it."""

import pytest

from reports import quality_services
from reports.models import BoardReport
from reports.tests.helpers import QUARTER, REFERRED_ON, cases

pytestmark = pytest.mark.django_db
QUALITY = "/reports/quality/"
QUARTER_QUERY = "?period=quarter&on=2026-05-15"
OVERVIEW = "Referrals rose after the awareness campaign."


@pytest.fixture
def report(marac, coordinator):
    created = quality_services.board_report_create(
        marac=marac, period_kind=QUARTER.kind, period_start=QUARTER.start, period_end=QUARTER.end, by=coordinator
    )
    return quality_services.board_report_change(report=created, based_on_version=1, by=coordinator, overview=OVERVIEW)


def test_the_home_pages_and_the_figures_link_to_quality_assurance(client_for, coordinator, chair, board_viewer):
    for user in (coordinator, chair, board_viewer):
        client = client_for(user)
        assert f'href="{QUALITY}"' in client.get("/").content.decode(), user
        assert f'href="{QUALITY}"' in client.get("/reports/").content.decode(), user
        assert client.get(QUALITY).status_code == 200


def test_roles_that_may_not_see_it_get_no_link(client_for, police_rep, administrator):
    for user in (police_rep, administrator):
        assert f'href="{QUALITY}"' not in client_for(user).get("/").content.decode(), user
        assert client_for(user).get(QUALITY).status_code == 404


def test_a_board_member_reads_the_board_report_page_but_cannot_change_it(client_for, board_viewer, report):
    client = client_for(board_viewer)
    summary = client.get(QUALITY).content.decode()
    assert f'href="/reports/quality/board-reports/{report.pk}/"' in summary
    page = client.get(f"/reports/quality/board-reports/{report.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert OVERVIEW in html and "Save the commentary" not in html and "<textarea" not in html
    assert f"/reports/quality/board-reports/{report.pk}/report.docx" in html
    posted = client.post(
        f"/reports/quality/board-reports/{report.pk}/", {"overview": "Changed", "version": report.version}
    )
    assert posted.status_code == 404
    report.refresh_from_db()
    assert report.overview == OVERVIEW


def test_the_coordinator_still_writes_the_commentary(client_for, coordinator, report):
    html = client_for(coordinator).get(f"/reports/quality/board-reports/{report.pk}/").content.decode()
    assert "Save the commentary" in html


def test_an_outsider_gets_404_for_the_board_report_page(client_for, outsider, report):
    assert client_for(outsider).get(f"/reports/quality/board-reports/{report.pk}/").status_code == 404
    assert BoardReport.objects.count() == 1


def test_the_figures_speak_plainly_to_a_board_member(client_for, board_viewer):
    page = client_for(board_viewer).get("/reports/").content.decode()
    assert "None in the seeds" not in page
    assert "No national benchmark" in page


def test_a_change_reads_as_now_and_before_not_as_a_fraction(client_for, coordinator, marac):
    cases(marac, 9)
    cases(marac, 7, referred_on=REFERRED_ON.replace(year=REFERRED_ON.year - 1), heard_on=None)
    page = client_for(coordinator).get(f"/reports/{QUARTER_QUERY}").content.decode()
    row = page.split('data-indicator="referrals_change"')[1].split("</tr>")[0]
    assert "9 in this period, 7 in the period compared" in row
    assert "9 of 7" not in row
