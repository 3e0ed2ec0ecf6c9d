from django import template

from accounts import selectors
from accounts.models import User
from marac.models import Marac

register = template.Library()


@register.simple_tag
def users_without_a_role(marac: Marac) -> list[User]:
    """The users page's "No current role" section (accounts.selectors.users_without_a_role_at), which the page shows
    to the MARAC's administrators only. A tag, so that accounts.views.user_list need not change: its context could
    carry the list instead."""
    return selectors.users_without_a_role_at(marac=marac)
