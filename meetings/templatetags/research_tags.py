"""Research for templates that belong to other pages: the landing pages' "Cases to research" list, and the
read-only summary of a listing's research that the live meeting page includes."""

from django import template
from django.http import HttpRequest

from meetings.models import Listing
from meetings.research_selectors import ListingToResearch, ResearchSummary, listings_to_research, research_summary
from web.access import current_marac_id

register = template.Library()


@register.simple_tag
def cases_to_research(request: HttpRequest) -> list[ListingToResearch]:
    """Listings at the MARAC the user is working in, in meetings from today on."""
    return listings_to_research(user=request.user, marac_id=current_marac_id(request))


@register.simple_tag
def research_summary_for(listing: Listing) -> ResearchSummary:
    return research_summary(listing=listing)
