"""A child, perpetrator or event keeps its identity while the list changes in another window: a page opened for one
item never saves over, or removes, a different one. Two windows are one browser (one session) whose pages are
fetched and posted in turn, each posting the form it was shown, as a browser does."""

import json

import lxml.html
import pytest

from accounts.tests.test_kept_form_after_timeout import _sign_in, _time_out
from referrals.models import Referral
from referrals.tests.test_referral_pages import CHILD, PERPETRATOR

pytestmark = pytest.mark.django_db

NAMES = ["Alfa", "Bravo", "Charlie"]
REMOVED = "was removed in another window since you opened this page"
NOT_REMOVED = "removed or moved in another window since you opened this page. Nothing was removed"


@pytest.fixture
def client(client_for, referrer):
    return client_for(referrer)


@pytest.fixture
def referral(client, referrer):
    client.post("/referrals/start/")
    return Referral.objects.get(referrer=referrer)


class Window:
    """A browser window: the last page it was shown, and its form as the browser would post it."""

    def __init__(self, client, url):
        self.client = client
        self.open(url)

    def open(self, url):
        self.url = url
        self.show(self.client.get(url))

    def show(self, response):
        assert response.status_code == 200, response.status_code
        self.response = response
        self.page = response.content.decode()

    def post(self, **changes):
        """Posts the page's form, with what the user typed changed, as "Save and continue" does."""
        form = lxml.html.fromstring(self.page).xpath("//form[@method='post'][.//input[@name='version']]")[0]
        data = dict(form.form_values()) | {"action": "continue"} | changes
        return self.client.post(form.get("action") or self.url, data)

    def conflict(self):
        found = lxml.html.fromstring(self.page).xpath("//*[@data-testid='conflict']")
        return found[0].text_content() if found else ""


def _add(client, referral, slug, items):
    for item in items:
        referral.refresh_from_db()
        response = client.post(f"/referrals/{referral.pk}/{slug}/new/", {**item, "version": referral.version})
        assert response.status_code == 302


def _children(client, referral):
    _add(client, referral, "children", [{**CHILD, "given_name": name} for name in NAMES])


def _saved(referral, slug, field):
    referral.refresh_from_db()
    return [item[field] for item in referral.content[slug]]


def test_saving_twice_from_a_page_opened_before_a_removal_never_replaces_another_child(client, referral):
    # The reviewer's steps: Bravo's page open, Alfa removed in another window, then "Save and continue" twice.
    _children(client, referral)
    window_a = Window(client, f"/referrals/{referral.pk}/children/1/")
    Window(client, f"/referrals/{referral.pk}/children/0/remove/").post()

    window_a.show(window_a.post(school_or_setting="Bravo's new school"))
    window_a.post()

    assert _saved(referral, "children", "given_name") == ["Bravo", "Charlie"]
    assert _saved(referral, "children", "school_or_setting") == ["Bravo's new school", CHILD["school_or_setting"]]


def test_saving_a_child_whose_place_changed_shows_that_child_and_saves_it(client, referral):
    _children(client, referral)
    window_a = Window(client, f"/referrals/{referral.pk}/children/1/")  # Bravo
    window_b = Window(client, f"/referrals/{referral.pk}/children/0/remove/")
    assert window_b.post().status_code == 302  # Alfa removed: Bravo is child 1, Charlie child 2

    refused = window_a.post(school_or_setting="Bravo's new school")

    window_a.show(refused)
    assert "This child is now child 1" in window_a.page and "Nothing here has been saved yet" in window_a.page
    assert "Bravo" in window_a.conflict() and "Charlie" not in window_a.conflict()
    assert "Bravo&#x27;s new school" in window_a.page  # what they typed is kept, unsaved
    assert _saved(referral, "children", "school_or_setting") == [CHILD["school_or_setting"]] * 2

    assert window_a.post().status_code == 302  # saving again, with both on screen, saves Bravo
    assert _saved(referral, "children", "given_name") == ["Bravo", "Charlie"]
    assert _saved(referral, "children", "school_or_setting") == ["Bravo's new school", CHILD["school_or_setting"]]


def test_saving_again_from_a_conflict_page_of_a_child_removed_since_never_overwrites_another(client, referral):
    _children(client, referral)
    window_a = Window(client, f"/referrals/{referral.pk}/children/1/")  # Bravo
    window_b = Window(client, f"/referrals/{referral.pk}/children/0/")  # Alfa
    window_b.post(school_or_setting="Alfa's new school")
    window_a.show(window_a.post(school_or_setting="Bravo's new school"))  # the ordinary conflict, for Bravo
    assert "Bravo" in window_a.conflict()
    window_b.open(f"/referrals/{referral.pk}/children/1/remove/")
    assert "Bravo" in window_b.page
    window_b.post()  # Bravo removed: Charlie is child 2 now

    refused = window_a.post()

    window_a.show(refused)
    assert f"This child {REMOVED}" in window_a.page
    assert "Bravo&#x27;s new school" in window_a.page and 'value="Bravo"' in window_a.page
    assert "replaces what is saved now" not in window_a.page
    assert _saved(referral, "children", "given_name") == ["Alfa", "Charlie"]
    assert _saved(referral, "children", "school_or_setting")[1] == CHILD["school_or_setting"]


def test_a_child_removed_since_the_page_was_opened_is_not_saved_over_the_next_one(client, referral):
    _children(client, referral)
    window_a = Window(client, f"/referrals/{referral.pk}/children/1/")  # Bravo
    Window(client, f"/referrals/{referral.pk}/children/1/remove/").post()

    window_a.show(window_a.post(school_or_setting="Bravo's new school"))

    assert f"This child {REMOVED}" in window_a.page
    assert "Bravo&#x27;s new school" in window_a.page
    # Saving from here adds the child back as a new one; it never replaces Charlie.
    assert window_a.post().status_code == 302
    assert _saved(referral, "children", "given_name") == ["Alfa", "Charlie", "Bravo"]


def test_the_last_child_removed_since_the_page_was_opened_says_so_and_keeps_the_typing(client, referral):
    _children(client, referral)
    window_a = Window(client, f"/referrals/{referral.pk}/children/2/")  # Charlie
    Window(client, f"/referrals/{referral.pk}/children/2/remove/").post()

    refused = window_a.post(school_or_setting="Charlie's new school")

    assert refused.status_code == 200
    window_a.show(refused)
    assert f"This child {REMOVED}" in window_a.page and "Charlie&#x27;s new school" in window_a.page
    assert _saved(referral, "children", "given_name") == ["Alfa", "Bravo"]


def test_a_perpetrator_whose_place_changed_is_saved_as_itself(client, referral):
    names = ["Madeup", "Fakeo", "Inventa"]
    _add(client, referral, "perpetrators", [{**PERPETRATOR, "given_name": name} for name in names])
    window_a = Window(client, f"/referrals/{referral.pk}/perpetrators/2/")  # Inventa
    Window(client, f"/referrals/{referral.pk}/perpetrators/0/remove/").post()

    window_a.show(window_a.post(family_name="Changedson"))
    assert "This perpetrator is now perpetrator 2" in window_a.page and "Inventa" in window_a.conflict()
    window_a.post()

    assert _saved(referral, "perpetrators", "given_name") == ["Fakeo", "Inventa"]
    assert _saved(referral, "perpetrators", "family_name") == [PERPETRATOR["family_name"], "Changedson"]


def test_a_stale_remove_page_never_removes_another_item(client, referral):
    _children(client, referral)
    window_a = Window(client, f"/referrals/{referral.pk}/children/1/remove/")  # Bravo
    Window(client, f"/referrals/{referral.pk}/children/0/remove/").post()

    refused = window_a.post()

    assert refused.status_code == 302
    assert NOT_REMOVED in client.get(refused["Location"]).content.decode()
    assert _saved(referral, "children", "given_name") == ["Bravo", "Charlie"]


def test_a_draft_saved_before_items_had_keys_keeps_each_item_apart(client, referral):
    _children(client, referral)
    referral.refresh_from_db()
    referral.content = {key: value for key, value in referral.content.items() if key != "item_keys"}
    referral.save()  # as a draft saved before this change holds them
    window_a = Window(client, f"/referrals/{referral.pk}/children/1/")  # Bravo
    Window(client, f"/referrals/{referral.pk}/children/0/remove/").post()

    window_a.show(window_a.post(school_or_setting="Bravo's new school"))
    assert "This child is now child 1" in window_a.page and "Bravo" in window_a.conflict()
    window_a.post()

    assert _saved(referral, "children", "school_or_setting") == ["Bravo's new school", CHILD["school_or_setting"]]


def test_typing_kept_over_a_timeout_comes_back_on_the_page_of_the_same_child(client_for, referrer, client, referral):
    _children(client, referral)
    window_a = Window(client, f"/referrals/{referral.pk}/children/1/")  # Bravo
    Window(client_for(referrer), f"/referrals/{referral.pk}/children/0/remove/").post()  # on another device
    _time_out(client)
    assert window_a.post(school_or_setting="Bravo's new school")["Location"].startswith("/accounts/login/")

    back = _sign_in(client, referrer.email)
    window_a.open(back["Location"])

    assert "This child is now child 1" in window_a.page and "Bravo" in window_a.conflict()
    assert "Bravo&#x27;s new school" in window_a.page
    window_a.post()
    assert _saved(referral, "children", "school_or_setting") == ["Bravo's new school", CHILD["school_or_setting"]]


def test_an_item_edited_on_its_page_reads_back_through_the_api_as_typed(client, referral):
    _children(client, referral)
    Window(client, f"/referrals/{referral.pk}/children/1/").post(school_or_setting="Bravo's new school")

    read = client.get(f"/api/v1/referrals/{referral.pk}").json()
    document = read["document"]

    assert set(document) == {"children"}  # the keys are the pages' own, not part of the referral
    assert document["children"][1] == {**CHILD, "given_name": "Bravo", "school_or_setting": "Bravo's new school"}
    response = client.put(
        f"/api/v1/referrals/{referral.pk}/sections/children", json.dumps(document["children"][::-1]),
        content_type="application/json", headers={"If-Match": f'"{read["version"]}"'},
    )  # fmt: skip
    assert response.status_code == 200  # what the API gave back is taken back as it is
