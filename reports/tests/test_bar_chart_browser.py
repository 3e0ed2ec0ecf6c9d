"""In a real browser, every bar's label is drawn whole, clear of the bars and of the label below it."""

import itertools

import pytest

from reports.tests.test_bar_chart_labels import heard  # noqa: F401 - the fixture: bars with long labels
from testing.browser import PASSWORD, sign_in
from testing.factories import TEST_TOTP_SECRET

pytestmark = pytest.mark.browser

BARS_START = 340  # in the chart's own units (templates/reports/bar_chart.html)

_LABEL_BOXES = """() => Array.from(document.querySelectorAll('.app-bar-chart')).map(chart =>
  Array.from(chart.querySelectorAll('.app-bar-chart__label')).map(label => {
    const box = label.getBBox();
    return {text: label.textContent, right: box.x + box.width, top: box.y, bottom: box.y + box.height};
  }))"""


def test_every_label_is_drawn_whole_and_clear_of_the_bars(page, base_url, coordinator, heard):  # noqa: F811
    sign_in(page, base_url, coordinator.email, PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"{base_url}/reports/?period=quarter&on=2026-05-15")
    charts = page.evaluate(_LABEL_BOXES)
    assert charts
    for labels in charts:
        for label in labels:
            assert label["right"] < BARS_START, label["text"]
        for above, below in itertools.pairwise(labels):
            assert above["bottom"] <= below["top"], (above["text"], below["text"])
    texts = [label["text"] for labels in charts for label in labels]
    assert any(text.endswith("not asked, because it was not safe to ask") for text in texts)
