"""The subject access export: one person's data as a Word document, third parties redacted, audited as an export."""

from django.http import Http404, HttpRequest, HttpResponse

from audit.models import AuditAction
from audit.services import audit_record
from governance.subject_access import subject_access_docx
from governance.subject_access_selectors import subject_access_export
from people.selectors import get_person_for_user
from web.access import require_permission
from web.documents import DOCX_CONTENT_TYPE

PERMISSION = "governance.subject_access"


@require_permission(PERMISSION)
def subject_access_download(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(user=request.user, pk=pk)
    if not request.user.has_perm(PERMISSION, person):
        raise Http404
    export = subject_access_export(person=person)
    content = subject_access_docx(export)
    audit_record(
        action=AuditAction.EXPORT,
        obj=person,
        summary=f"Subject access export for person {person.pk} downloaded as docx: {len(export.sections)} sections",
    )
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="subject-access-{person.pk}.docx"'
    response["Cache-Control"] = "no-store"
    return response
