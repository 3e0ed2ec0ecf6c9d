"""The administrator's home page links to every page an administrator looks after, retention included."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_administrators_home_links_to_retention_which_they_can_open(client_for, administrator):
    client = client_for(administrator)
    home = client.get("/").content.decode()
    assert "Northbrook MARAC: administration" in home
    assert 'href="/governance/retention/"' in home
    assert client.get("/governance/retention/").status_code == 200
