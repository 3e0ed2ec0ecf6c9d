"""A population file with problems gets a page that says so from its title ("Error: …") and starts with a GOV.UK
error summary, "There is a problem", whose items take the reader to the file box to upload it again."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marac.models import PopulationFigure

pytestmark = pytest.mark.django_db

URL = "/settings/population/import/"


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert found
    return " ".join(found.group(1).split())


def _upload(client, content: bytes):
    return client.post(URL, {"file": SimpleUploadedFile("population.csv", content, content_type="text/csv")})


def test_a_file_with_the_wrong_columns_gets_an_error_title_and_summary_first(client_for, administrator, marac):
    response = _upload(client_for(administrator), b"town,people\nNorthbrook,100\n")
    page = response.content.decode()
    assert response.status_code == 400
    assert _title(page).startswith("Error: Import population figures")
    main = page.split("<main", 1)[1]
    summary = main.index('class="govuk-error-summary"')
    assert summary < main.index("<h1")  # at the top, before the heading
    assert "There is a problem" in main[summary:]
    assert "Nothing was imported: correct the file and upload it again." in main
    assert '<a href="#id_file">Line 1: Missing column: local_authority</a>' in main
    assert '<a href="#id_file">Line 1: Unknown column: town</a>' in main
    assert 'id="id_file"' in main
    assert not PopulationFigure.objects.exists()


def test_the_page_before_any_upload_has_no_error(client_for, administrator, marac):
    page = client_for(administrator).get(URL).content.decode()
    assert not _title(page).startswith("Error")
    assert "govuk-error-summary" not in page
