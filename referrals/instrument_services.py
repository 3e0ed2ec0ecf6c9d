"""Loading a new version of a risk checklist. The number of questions cannot change: scores stay comparable."""

from typing import Any

from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from referrals.instruments import PARAPHRASE_NOTE, SHIPPED, as_questions
from referrals.models import RiskInstrument


class InstrumentError(ValueError):
    pass


def instrument_load(*, document: dict[str, Any], by: Any) -> RiskInstrument:
    code, questions = str(document.get("code", "")), document.get("questions")
    if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
        raise InstrumentError("'questions' must be a list of the questions' wording, in order")
    with transaction.atomic():
        previous = RiskInstrument.objects.select_for_update().filter(code=code).order_by("-version").first()
        if previous is None:
            raise InstrumentError(f"There is no checklist with the code {code!r} to add a version to")
        if len(questions) != previous.question_count:
            raise InstrumentError(
                f"Version {previous.version} has {previous.question_count} questions and this one has "
                f"{len(questions)}: a new version must keep the same questions so that scores stay comparable"
            )
        RiskInstrument.objects.filter(code=code).update(is_current=False)
        instrument = RiskInstrument.objects.create(
            code=code,
            version=previous.version + 1,
            title=str(document.get("title") or previous.title),
            wording_note=str(document.get("wording_note") or "Licensed wording loaded by an administrator."),
            questions=as_questions([q.strip() for q in questions]),
        )
        audit_record(
            action=AuditAction.CREATE, obj=instrument, user=by, summary=f"Loaded checklist version {instrument.version}"
        )
    return instrument


def ensure_shipped_instruments() -> None:
    """The paraphrased checklists OpenMARAC ships, as version 1, where they are missing."""
    for code, title, texts in SHIPPED:
        RiskInstrument.objects.get_or_create(
            code=code,
            version=1,
            defaults={"title": title, "wording_note": PARAPHRASE_NOTE, "questions": as_questions(texts)},
        )
