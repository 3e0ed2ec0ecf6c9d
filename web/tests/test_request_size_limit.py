"""A request whose body is over OPENMARAC_MAX_REQUEST_BYTES is refused with 413 before any of it is read, so a huge
upload never reaches Django's temporary files (web/middleware.py RequestSizeLimitMiddleware)."""

import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from imports.services import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.django_db

BOUNDARY = "BoUnDaRy"


class UnreadBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def _post_declaring(client, path, length):
    """A POST that declares `length` bytes of upload and sends none: the answer must not need the body."""
    return client.generic(
        "POST",
        path,
        b"x",
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadBody()},
    )


def test_an_upload_over_the_limit_is_refused_with_a_page_before_it_is_read(client_for, coordinator):
    response = _post_declaring(client_for(coordinator), "/imports/", 4 * 1024**3)  # 4 GB

    assert response.status_code == 413
    page = response.content.decode()
    assert "What you sent is too large" in page
    assert "The service takes at most 32 MB at once, so nothing was saved." in page
    assert "each file must be 15 MB or smaller" in page
    assert "govuk-service-navigation" in page  # the service's layout
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"  # the refusal cannot be framed either


def test_someone_not_signed_in_is_refused_too(client):
    response = _post_declaring(client, "/accounts/login/", 4 * 1024**3)
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()


def test_the_api_answers_a_body_over_the_limit_in_json(client_for, referrer):
    response = _post_declaring(client_for(referrer), "/api/v1/referrals", 4 * 1024**3)

    assert response.status_code == 413
    assert response.json() == {"error": "The body must be 33,554,432 bytes or fewer"}


def test_the_limit_is_the_setting(client_for, coordinator, settings):
    settings.OPENMARAC_MAX_REQUEST_BYTES = 1000
    upload = SimpleUploadedFile("history.csv", b"a" * 2000, "text/csv")

    response = client_for(coordinator).post("/imports/", {"cases_file": upload})

    assert response.status_code == 413


def test_a_history_file_over_the_import_limit_still_gets_the_forms_own_message(client_for, coordinator):
    """The limit is above any upload the service takes, so the import form still says what to do with a file a
    little too big, in its own words."""
    upload = SimpleUploadedFile("history.csv", b"a" * (MAX_UPLOAD_BYTES + 1), "text/csv")

    response = client_for(coordinator).post("/imports/", {"cases_file": upload})

    assert response.status_code == 400  # the form's refusal, with its error summary
    assert "The file must be 15 MB or smaller" in response.content.decode()


def test_the_limit_leaves_room_for_both_files_of_a_history_import():
    assert project_settings.OPENMARAC_MAX_REQUEST_BYTES > 2 * MAX_UPLOAD_BYTES


def test_a_request_without_a_body_is_untouched(client_for, coordinator):
    assert client_for(coordinator).get("/imports/").status_code == 200


def test_an_ordinary_form_is_untouched(client: Client):
    response = client.post("/accounts/login/", {"login": "nobody@example.invalid", "password": "not-a-password"})
    assert response.status_code == 200
