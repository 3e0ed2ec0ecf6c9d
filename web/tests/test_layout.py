"""The layout every page shares (templates/base.html with web/context_processors.py): its header links follow the
user's roles as they are now, its fixed addresses follow the settings, the current page is marked."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import Role
from testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def _header_links(page: str) -> list[str]:
    return re.findall(r'class="govuk-service-navigation__link" href="[^"]+"[^>]*>([^<]+)</a>', page)


def test_a_role_granted_or_removed_changes_the_header_on_the_very_next_page(client_for, police_rep, marac):
    client = client_for(police_rep)
    assert "Audit" not in _header_links(client.get("/").content.decode())
    grant(police_rep, marac, Role.COORDINATOR)
    assert "Audit" in _header_links(client.get("/").content.decode())
    police_rep.role_grants.filter(role=Role.COORDINATOR).delete()
    assert "Audit" not in _header_links(client.get("/").content.decode())


def test_the_page_being_shown_is_marked_in_the_header_and_no_other(client_for, coordinator):
    page = client_for(coordinator).get(reverse("cases:list")).content.decode()
    current = re.findall(r'<a class="govuk-service-navigation__link" href="([^"]+)" aria-current="page">', page)
    assert current == [reverse("cases:list")]
    assert page.count("govuk-service-navigation__item--active") == 1


def test_a_superuser_sees_every_link_of_the_header(client_for):
    superuser = UserFactory(is_superuser=True)
    links = _header_links(client_for(superuser).get("/").content.decode())
    assert links == [
        "Home",
        "Referrals",
        "Referral inbox",
        "Cases",
        "Meetings",
        "Actions",
        "Performance",
        "Governance",
        "Audit",
        "MARAC settings",
        "Users",
        "Your account",
    ]


@pytest.mark.parametrize("signed_in", [True, False])
def test_the_layouts_static_files_follow_the_settings(client_for, client, coordinator, signed_in):
    visitor, path = (client_for(coordinator), "/") if signed_in else (client, reverse("account_login"))
    assert 'href="/static/css/openmarac.css"' in visitor.get(path).content.decode()
    with override_settings(STATIC_URL="/elsewhere/"):
        page = visitor.get(path).content.decode()
        assert 'href="/elsewhere/css/openmarac.css"' in page
        assert 'src="/elsewhere/js/app.mjs"' in page
    assert 'href="/static/css/openmarac.css"' in visitor.get(path).content.decode()
