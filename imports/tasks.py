"""The import as a background task: a large history takes longer than a page should wait."""

from django.tasks import task

from imports.services import import_run_execute


@task
def run_import(run_id: int) -> dict[str, int]:
    """Reads, checks and (if nothing is wrong) saves the run's upload; progress and the report go on the run."""
    run = import_run_execute(run_id=run_id)
    return {"status_done": int(run.status == "done"), **run.summary}
