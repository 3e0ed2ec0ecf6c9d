"""The OpenAPI schema: served without signing in, committed in docs/openapi.json, and complete."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from api.core import STANDARD_ERRORS
from api.schema import schema_text


@pytest.mark.django_db
def test_it_serves_the_schema_to_anyone(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served["info"]["title"] == "OpenMARAC" and served["openapi"].startswith("3.")
    assert served == json.loads(schema_text())


def test_every_operation_declares_its_sign_in_and_its_errors():
    paths = json.loads(schema_text())["paths"]
    assert "/api/v1/cases/{case_id}" in paths and "/api/v1/referrals" in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation["security"] == [{"BearerToken": []}, {"SessionCookie": []}], (method, path)
            assert {str(status) for status in STANDARD_ERRORS} <= set(operation["responses"]), (method, path)


def test_the_command_writes_the_schema_and_its_check_fails_when_stale(tmp_path):
    (tmp_path / "docs").mkdir()
    with override_settings(BASE_DIR=tmp_path):
        with pytest.raises(CommandError, match="out of date"):
            call_command("openapi_schema", check=True)
        call_command("openapi_schema")
        assert (tmp_path / "docs" / "openapi.json").read_text() == schema_text()
        call_command("openapi_schema", check=True)
        (tmp_path / "docs" / "openapi.json").write_text(schema_text().replace("OpenMARAC", "Changed", 1))
        with pytest.raises(CommandError):
            call_command("openapi_schema", check=True)
