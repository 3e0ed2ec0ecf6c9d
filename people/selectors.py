from typing import Any

from django.http import Http404

from audit.services import audit_view
from people.models import Person


def get_person_for_user(*, user: Any, pk: int) -> Person:
    """The one gate for a person record: 404 outside need-to-know, whether or not the person exists."""
    person = Person.objects.filter(pk=pk).first()
    if person is None or not user.has_perm("people.view_person", person):
        raise Http404
    audit_view(person, user=user)
    return person
