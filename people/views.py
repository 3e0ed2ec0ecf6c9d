from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from people.selectors import get_person_for_user
from web.access import require_permission


@require_permission("people.view_person")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(user=request.user, pk=pk)
    addresses = person.addresses.all()
    cases = person.case_parties.select_related("case").order_by("-case__referred_on")
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "addresses": addresses,
            "cases": cases,
            "can_see_confidential": request.user.has_perm("people.view_confidential_address", person),
        },
    )
