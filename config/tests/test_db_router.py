"""Without a read replica configured, reports read the one database as before (the replica's own tests are in
test_replica.py and run against a real standby in the PostgreSQL run)."""

import os

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config.db_router import ReplicaRouter, use_replica
from marac.models import Agency

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(bool(os.environ.get("OPENMARAC_REPLICA_DATABASE_URL")), reason="a replica is configured")
def test_a_replica_block_reads_the_primary_when_there_is_no_replica(client_for, coordinator):
    with use_replica(), CaptureQueriesContext(connections["default"]) as primary:
        Agency.objects.count()
    assert len(primary) == 1
    assert client_for(coordinator).get("/reports/").status_code == 200


def test_writes_and_migrations_never_go_to_a_replica():
    router = ReplicaRouter()
    with use_replica():
        assert router.db_for_write(Agency) == "default"
    assert router.allow_migrate("replica", "marac") is False
    assert router.allow_migrate("default", "marac") is True
