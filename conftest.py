"""Role personas and clients for every test. Each persona has an authenticator app set up."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db.backends.signals import connection_created
from django.test import Client
from hypothesis import settings as hypothesis_settings

from accounts.models import Role, User
from audit.purge import allow_purge
from marac.models import Marac
from testing.factories import AgencyFactory, MaracFactory, UserFactory, grant

# The browser tests' fixtures (browser, context, page, no_js_page, base_url), for any test to ask for by name.
pytest_plugins = ["testing.browser"]

# Hypothesis's deadline (200 ms an example) is a timed assertion: on a busy 2-core machine, or with the suite split
# between processes, it fails correct tests. Speed is measured under bench/, never in tests.
hypothesis_settings.register_profile("openmarac", deadline=None)
hypothesis_settings.load_profile("openmarac")


def _allow_audit_purge_on_postgresql(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET openmarac.audit_purge = 'on'")


def pytest_configure(config: pytest.Config) -> None:
    # The test database is emptied between tests; the append-only trigger would refuse that.
    allow_purge(True)
    connection_created.connect(_allow_audit_purge_on_postgresql, dispatch_uid="openmarac_test_audit_purge")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests serve pages from a live server outside any test transaction, so the report pages read the
    # read replica when one is configured (the PostgreSQL run starts one): let them use every database alias.
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db(transaction=True, databases="__all__"))


@pytest.fixture
def marac(db: None) -> Marac:
    return MaracFactory(name="Northbrook MARAC")


@pytest.fixture
def other_marac(db: None) -> Marac:
    return MaracFactory(name="Southmere MARAC")


def _persona(marac: Marac, role: str, name: str, agency_name: str) -> User:
    agency = AgencyFactory(name=agency_name)
    email = f"{name.split()[0].lower()}@example.invalid"
    return grant(UserFactory(full_name=name, email=email, agency=agency), marac, role)


@pytest.fixture
def coordinator(marac: Marac) -> User:
    return _persona(marac, Role.COORDINATOR, "Cora Ordinator", "Northbrook MARAC Team")


@pytest.fixture
def chair(marac: Marac) -> User:
    return _persona(marac, Role.CHAIR, "Chad Chairington", "Northbrook Constabulary (Chair)")


@pytest.fixture
def police_rep(marac: Marac) -> User:
    return _persona(marac, Role.AGENCY_REPRESENTATIVE, "Pat Police-Rep", "Northbrook Constabulary")


@pytest.fixture
def idva(marac: Marac) -> User:
    return _persona(marac, Role.IDVA, "Ivy Advocate", "Northbrook IDVA Service")


@pytest.fixture
def referrer(marac: Marac) -> User:
    return _persona(marac, Role.REFERRER, "Reggie Referrer", "Northbrook Health Visiting")


@pytest.fixture
def board_viewer(marac: Marac) -> User:
    return _persona(marac, Role.BOARD_VIEWER, "Bea Boardmember", "Northbrook Community Safety")


@pytest.fixture
def administrator(marac: Marac) -> User:
    return _persona(marac, Role.ADMINISTRATOR, "Ada Minister", "Northbrook Council IT")


@pytest.fixture
def outsider(other_marac: Marac) -> User:
    """A coordinator, but at another MARAC: sees nothing of Northbrook's."""
    return _persona(other_marac, Role.COORDINATOR, "Otto Outsider", "Southmere MARAC Team")


@pytest.fixture
def no_role_user(db: None) -> User:
    return UserFactory(full_name="Nora Norole", email="norole@example.invalid")


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client

    return make
