"""Research for templates that belong to other pages: the landing pages' "Cases to research" list. (The read-only
summary of a listing's research is passed in by the views that show it.)"""

from django import template
from django.http import HttpRequest

from meetings.research_selectors import ListingToResearch, listings_to_research
from web.access import current_marac_id

register = template.Library()


@register.simple_tag
def cases_to_research(request: HttpRequest) -> list[ListingToResearch]:
    """Listings at the MARAC the user is working in, in meetings from today on."""
    return listings_to_research(user=request.user, marac_id=current_marac_id(request))
