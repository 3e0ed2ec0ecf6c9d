"""The dashboard's bar charts label every bar with the indicator's whole name, so no two bars read the same."""

import datetime
import re
from html import unescape

import pytest

from referrals.models import Referral, ReferralStatus
from reports.tests.helpers import cases, listing, meeting, records_begin
from testing.factories import AgencyFactory

QUARTER_QUERY = "?period=quarter&on=2026-05-15"
IDVA_CONSENT = "Referrals with consent to a referral to the IDVA service"


@pytest.fixture
def heard(marac, referrer):
    """Ten cases heard, and twelve referrals submitted with each consent answer recorded, so every consent
    percentage has a bar."""
    records_begin(marac)
    held = meeting(marac)
    for heard_case in cases(marac, 10):
        listing(held, heard_case)
    agency = AgencyFactory()
    for number in range(12):
        answer = ["given", "refused", "not_asked_unsafe"][number % 3]
        Referral.objects.create(
            marac=marac,
            referrer=referrer,
            referring_agency=agency,
            status=ReferralStatus.SUBMITTED,
            submitted_at=datetime.datetime(2026, 5, 2, 10, tzinfo=datetime.UTC),
            information_sharing_consent=answer,
            idva_referral_consent=answer,
        )


def _chart_labels(page):
    """Each bar's label as a reader sees it (its lines joined by spaces), chart by chart; the other texts are the
    bars' percentages."""
    charts = re.findall(r'<svg class="app-bar-chart".*?</svg>', page, re.DOTALL)
    texts = [[_text(text) for text in re.findall(r"<text[^>]*>(.*?)</text>", chart, re.DOTALL)] for chart in charts]
    return [[text for text in chart if not text.endswith("%")] for chart in texts]


def _text(markup):
    lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", markup) or [markup]
    return " ".join(unescape(line).strip() for line in lines)


def test_every_bar_is_labelled_with_the_whole_indicator_name(client_for, coordinator, heard):
    response = client_for(coordinator).get("/reports/" + QUARTER_QUERY)
    charts = _chart_labels(response.content.decode())
    names = [[bar.label for bar in group.bars] for group in response.context["report"].groups if group.bars]
    for labels in charts:
        assert len(set(labels)) == len(labels)  # distinct within each chart
    assert charts == names
    labels = [label for chart in charts for label in chart]
    consent = [label for label in labels if label.startswith(IDVA_CONSENT)]
    # Given, refused and not asked: three labels that read the same when cut short at 48 characters.
    assert len(consent) == 3
    assert f"{IDVA_CONSENT}: not asked, because it was not safe to ask" in consent


def test_a_long_label_wraps_over_lines_that_stay_clear_of_the_bars(client_for, coordinator, heard):
    page = client_for(coordinator).get("/reports/" + QUARTER_QUERY).content.decode()
    lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", page)
    assert lines and max(len(unescape(line)) for line in lines) <= 44
    assert "…" not in "".join(lines)
