"""No personal data in application logs or error pages."""

import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

SECRET_DETAIL = "Fictional Victim now lives at 9 Hidden Close"


def _failing_view(request: HttpRequest) -> HttpResponse:
    raise ValueError(SECRET_DETAIL)


urlpatterns = [path("boom/", _failing_view)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_logs_where_it_failed_but_not_the_data(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post("/boom/", {"safe_address": SECRET_DETAIL})
    assert response.status_code == 500
    assert SECRET_DETAIL not in response.content.decode()
    formatter = logging.getLogger("django.request").handlers[0].formatter
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "_failing_view" in logged  # the frame is there, for whoever fixes it
    assert "ValueError" in logged
    assert SECRET_DETAIL not in logged
    assert "request_id" not in logged  # the placeholder was filled


def test_error_reports_withhold_every_submitted_value():
    from django.test import RequestFactory

    from audit.logging import NothingPersonalFilter

    request = RequestFactory().post("/", {"victim_name": "Fictional Victim"})
    cleansed = NothingPersonalFilter().get_post_parameters(request)
    assert "Fictional Victim" not in str(cleansed)
    assert "victim_name" in cleansed
