"""Links to the service's own pages for emails: the site's address (OPENMARAC_SITE_URL) and a page's path."""

from typing import Any

from django.conf import settings
from django.urls import reverse


def site_link(url_name: str, *args: Any) -> str:
    return str(getattr(settings, "OPENMARAC_SITE_URL", "")) + reverse(url_name, args=args)
