"""Small-number suppression: a count from 1 to the threshold could identify someone, so it does not leave the
system and board viewers never see it. Zero is shown: it identifies nobody. It applies to counts of victims,
children and cases, never to staff counts or population figures. The one exact download is the SafeLives
meeting-level return the coordinator files with SafeLives (reports/views.py), marked not for publication."""

from django.conf import settings

DEFAULT_THRESHOLD = 5


def suppression_threshold() -> int:
    return int(getattr(settings, "OPENMARAC_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


def is_small(count: float | None, threshold: int) -> bool:
    return count is not None and 1 <= count <= threshold


def count_text(count: int, threshold: int) -> str:
    """A count as shown where suppression applies: "<6" for 1-5 with the default threshold."""
    return f"<{threshold + 1}" if is_small(count, threshold) else str(count)
