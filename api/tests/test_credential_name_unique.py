"""A credential's name is unique at its MARAC in the database too (ignoring case, revoked ones included), so two
submissions at the same moment give the form's error, not a server error; and the migration that adds the rule
renames any duplicates already there, the same way every time."""

import datetime
import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from api.models import ApiCredential
from api.services import CredentialNameTaken, credential_issue, credential_revoke
from marac.models import MaracAgency
from testing.factories import AgencyFactory, UserFactory

NAME = "Force records system"
BASE = "/settings/api-credentials"
needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")


@pytest.fixture
def police(marac):
    agency = AgencyFactory(name="Northbrook Constabulary Records")
    MaracAgency.objects.create(marac=marac, agency=agency)
    return agency


def _issue(marac, agency, by, name=NAME):
    return credential_issue(
        marac=marac,
        agency=agency,
        name=name,
        roles=[Role.BOARD_VIEWER],
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        by=by,
    )


@pytest.mark.django_db
def test_the_database_refuses_a_second_credential_of_the_same_name_at_a_marac(marac, police, administrator):
    credential, _ = _issue(marac, police, administrator)
    duplicate = {
        field: getattr(credential, field) for field in ("marac_id", "agency_id", "secret_hash", "created_by_id")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiCredential.objects.create(
            **duplicate,
            service_user=UserFactory(),
            name=NAME.upper(),
            prefix="0123456789",
            expires_at=credential.expires_at,
        )


@pytest.mark.django_db
def test_the_service_says_the_name_is_taken_and_saves_nothing(marac, other_marac, police, administrator):
    first, _ = _issue(marac, police, administrator)
    credential_revoke(credential=first, by=administrator, reason="Replaced")  # a revoked name stays taken
    counts = (User.objects.count(), RoleGrant.objects.count(), ApiCredential.objects.count())
    with pytest.raises(CredentialNameTaken, match="A credential called force records SYSTEM already exists"):
        _issue(marac, police, administrator, name=" force records SYSTEM ")
    assert (User.objects.count(), RoleGrant.objects.count(), ApiCredential.objects.count()) == counts
    # The same name at another MARAC is another credential's business.
    elsewhere, _ = _issue(other_marac, police, administrator)
    assert elsewhere.name == NAME


def _waiting_insert_of_a_credential() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
            ['INSERT INTO "api_apicredential"%'],
        )
        return bool(cursor.fetchone()[0])


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_give_the_second_the_forms_error(
    client_for, marac, police, administrator, coordinator
):
    """The first submission has inserted its credential but not committed; the second passes the form's check
    (it cannot see the first yet), then waits on the unique index until the first commits, and is refused there."""
    inserted, release = threading.Event(), threading.Event()
    responses = []

    def first() -> None:
        try:
            with transaction.atomic():
                _issue(marac, police, coordinator)
                inserted.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            expires_on = timezone.localdate() + datetime.timedelta(days=90)
            responses.append(
                client_for(administrator).post(
                    f"{BASE}/new/",
                    {"name": NAME, "agency": police.pk, "roles": [Role.BOARD_VIEWER], "expires_on": expires_on},
                )
            )
        finally:
            connections.close_all()

    holder = threading.Thread(target=first)
    holder.start()
    assert inserted.wait(timeout=30)
    submitter = threading.Thread(target=second)
    submitter.start()
    deadline = time.monotonic() + 30
    while not _waiting_insert_of_a_credential():
        assert time.monotonic() < deadline, "the second submission never reached the unique index"
        time.sleep(0.05)
    release.set()
    holder.join(timeout=30)
    submitter.join(timeout=30)

    (response,) = responses
    assert response.status_code == 200
    page = response.content.decode()
    assert f"A credential called {NAME} already exists: give this one another name" in page
    assert "<title>Error: Issue an API credential" in page
    assert ApiCredential.objects.count() == 1
    assert not User.objects.filter(email__startswith="api-").exclude(api_credential__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_renames_duplicates_oldest_first_and_leaves_the_rest(marac, other_marac, police, administrator):
    from django.db.migrations.executor import MigrationExecutor

    before, after = ("api", "0002_apicredential_revocation_reason"), ("api", "0004_apicredential_name_once_per_marac")
    long_name = "L" * 120
    try:
        MigrationExecutor(connection).migrate([before])  # no constraint yet: duplicates can be made
        oldest, _ = _issue(marac, police, administrator)
        shouted, _ = _issue(marac, police, administrator, name=NAME.upper())
        again, _ = _issue(marac, police, administrator)
        elsewhere, _ = _issue(other_marac, police, administrator)
        first_long, _ = _issue(marac, police, administrator, name=long_name)
        second_long, _ = _issue(marac, police, administrator, name=long_name.lower())
        MigrationExecutor(connection).migrate([after])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    names = dict(ApiCredential.objects.values_list("pk", "name"))
    assert names[oldest.pk] == NAME and names[elsewhere.pk] == NAME and names[first_long.pk] == long_name
    assert names[shouted.pk] == f"{NAME.upper()} ({shouted.pk})"
    assert names[again.pk] == f"{NAME} ({again.pk})"
    suffix = f" ({second_long.pk})"
    assert names[second_long.pk] == "l" * (120 - len(suffix)) + suffix
    assert User.objects.get(pk=again.service_user_id).full_name == f"API credential: {NAME} ({again.pk})"
    with pytest.raises(CredentialNameTaken):
        _issue(marac, police, administrator, name=NAME.lower())
