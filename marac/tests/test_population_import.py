"""Administrators import population figures with ethnic groups and age bands from a CSV file: checked whole
first, all or nothing, safe to run again, and audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from marac.models import PopulationBreakdown, PopulationFigure
from marac.population_csv import COLUMNS

pytestmark = pytest.mark.django_db

URL = "/settings/population/import/"
HEADING = ",".join(COLUMNS)


def _row(authority, year, total, ethnicity=(10, 5, 3, 80, 2), ages=(3, 11, 17, 16, 16, 37)):
    return ",".join(str(value) for value in (authority, year, total, *ethnicity, *ages))


def _upload(client, *lines, name="population.csv"):
    content = ("\n".join([HEADING, *lines]) + "\n").encode()
    return client.post(URL, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_it_imports_a_good_file_and_reads_it_back(client_for, administrator, marac):
    authority = marac.local_authorities[0]
    response = _upload(client_for(administrator), _row(authority, 2026, 100), _row(authority, 2025, 98))
    assert response.status_code == 302
    figure = PopulationFigure.objects.get(marac=marac, local_authority=authority, year=2026)
    assert figure.adult_female_population == 100
    counts = {(b.dimension, b.category): b.count for b in figure.breakdowns.all()}
    assert counts[("ethnicity", "asian")] == 10
    assert counts[("ethnicity", "white")] == 80
    assert counts[("age_band", "55_plus")] == 37
    assert len(counts) == 11
    assert AuditEvent.objects.filter(object_type="marac.populationfigure", action="create").count() == 2


def test_it_reports_a_bad_row_with_its_line_number_and_saves_nothing(client_for, administrator, marac):
    authority = marac.local_authorities[0]
    response = _upload(
        client_for(administrator),
        _row(authority, 2026, 100),
        _row(authority, 2025, "lots"),
        _row("Atlantis", 2024, 90),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 3: adult_female_population must be a whole number" in page
    assert "Line 4: local_authority &#x27;Atlantis&#x27; is not one of this MARAC" in page
    assert not PopulationFigure.objects.exists()
    assert not PopulationBreakdown.objects.exists()


def test_it_updates_on_a_second_import_without_duplicating(client_for, administrator, marac):
    client, authority = client_for(administrator), marac.local_authorities[0]
    _upload(client, _row(authority, 2026, 100))
    response = _upload(client, _row(authority, 2026, 120, ethnicity=(20, 5, 3, 90, 2)))
    assert response.status_code == 302
    figure = PopulationFigure.objects.get()
    assert figure.adult_female_population == 120
    assert figure.breakdowns.get(dimension="ethnicity", category="asian").count == 20
    assert PopulationBreakdown.objects.count() == 11
    assert AuditEvent.objects.filter(object_type="marac.populationfigure", action="change").count() == 1


def test_it_refuses_a_file_that_is_not_csv(client_for, administrator, marac):
    response = _upload(client_for(administrator), _row(marac.local_authorities[0], 2026, 100), name="figures.xlsx")
    assert response.status_code == 200
    assert "The file must be a CSV file" in response.content.decode()
    assert not PopulationFigure.objects.exists()


def test_it_refuses_a_file_over_1_mb(client_for, administrator, marac):
    padding = ["" for _ in range(1_100_000)]  # blank lines: over 1 MB of otherwise harmless content
    response = _upload(client_for(administrator), _row(marac.local_authorities[0], 2026, 100), *padding)
    assert response.status_code == 200
    assert "The file must be 1 MB or smaller" in response.content.decode()
    assert not PopulationFigure.objects.exists()


def test_it_reports_missing_columns_on_line_1(client_for, administrator, marac):
    content = b"local_authority,year,adult_female_population\nNorthbrook,2026,100\n"
    response = client_for(administrator).post(URL, {"file": SimpleUploadedFile("p.csv", content)})
    assert response.status_code == 400
    assert "Line 1: Missing column: ethnicity_asian" in response.content.decode()


@pytest.mark.parametrize("persona", ["coordinator", "board_viewer", "outsider"])
def test_it_is_only_for_administrators(client_for, request, persona, marac):
    response = client_for(request.getfixturevalue(persona)).get(URL)
    assert response.status_code in (403, 404)
