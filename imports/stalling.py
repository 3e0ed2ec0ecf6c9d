"""When an import under way counts as stopped: its worker has shown no sign of life for STALLED_AFTER.

A run writes its heartbeat (ImportRun.last_progress_at) when it is uploaded, when a worker claims it, every
PROGRESS_EVERY rows read and checked, and as it begins saving. The longest stretch without one in a run that is
alive is reading a large workbook, or sorting the rows after checking: minutes even on a loaded machine (see
docs/import.md "How fast"). Saving is one transaction that holds the run's row lock while it works, so a run
saving, however slowly, is never marked stopped on PostgreSQL; only once its transaction is gone (the worker died
and the database rolled it back) does the heartbeat's age count."""

from datetime import datetime, timedelta

STALLED_AFTER_MINUTES = 15
STALLED_AFTER = timedelta(minutes=STALLED_AFTER_MINUTES)

STOPPED_MESSAGE = (
    "Not imported: the import stopped before it finished. Nothing from the file was saved. Upload the file again."
)


def has_stalled(*, last_progress_at: datetime, now: datetime) -> bool:
    """No progress for STALLED_AFTER or longer (exactly 15 minutes counts as stalled)."""
    return last_progress_at <= stalled_before(now)


def stalled_before(now: datetime) -> datetime:
    """The heartbeat at or before which a run under way has stalled: the rule itself, which has_stalled applies to
    one run and import_runs_stop_stalled to a query."""
    return now - STALLED_AFTER
