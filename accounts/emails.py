"""Accounts' email addresses: plain ASCII, and none that only looks like another account's.

An administrator could otherwise add "coordinator@northbrook.example" spelt with a dotless i (U+0131), named like a
real coordinator;
in the list of people who may see a restricted case the two are indistinguishable. So an address must use only the
letters a to z, numbers and . _ % + - @, and a new address may not match an existing one once case and characters
that look alike (0 and o, 1 and l, rn and m, and look-alike letters from other alphabets in older records) are set
aside. Applied by the administrators' user form, allauth (adding an address to one's account) and
User.objects.create_user (createsuperuser and any code that makes users)."""

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from marac.models import Marac

ASCII_MESSAGE = "Enter an email address using only letters a to z, numbers and the symbols . _ % + - @"
LOOKALIKE_MESSAGE = "This email address looks the same as another user's: check it, or use a different address"
# Said instead when every account the address looks like is one the MARAC's administrators cannot see (another
# MARAC's user, a credential's service account): nothing about that account, not even that there is one. The words
# of the refusal of an address that is such an account, too (accounts.user_admin_views.user_add): an address is one
# account's across the service, so the refusal says neither that it is an account nor whose.
ADDRESS_NOT_AVAILABLE = (
    "You cannot add a user with this email address. Check it is their work address; if it is, ask your service's "
    "operators for help"
)

_ALLOWED = re.compile(r"[A-Za-z0-9._%+\-@]+")

# Characters that are read as another, after NFKD has split accents off. A short list for the scripts and digits
# seen in look-alike addresses, not the whole of Unicode's confusables table.
_LOOKALIKES = str.maketrans(
    # Written as escapes, since the point is that they cannot be told apart on screen: dotless i, Latin iota,
    # Cyrillic i and palochka, Greek iota, Roman numeral fifty; Cyrillic and Greek a, e, o, p, c, x, y and so on.
    "\u0131\u0269\u0456\u04cf\u03b9\u217c|\u0430\u03b1\u0435\u03b5\u043e\u03bf\u03c3\u0440\u03c1\u0441\u03f2\u0445\u03c7\u0443\u04af\u0455\u0458\u0501\u04bb\u051b\u051d\u03bd\u03ba\u043a\u043c\u0442\u0432\u043d\u043f01\u0142\u00f8\u0111",
    "iiilillaaeeoooppccxxyysjdhqwvkkmtbhnollod",
)
_LOOKALIKE_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))


def check_ascii(email: str) -> None:
    """Raises ValidationError (with the message for the form) unless the address is plain ASCII."""
    if not _ALLOWED.fullmatch(email):
        raise ValidationError(ASCII_MESSAGE, code="ascii")


def skeleton(email: str) -> str:
    """What an address looks like to a reader: the same for two addresses told apart only by case or look-alikes."""
    decomposed = unicodedata.normalize("NFKD", email.casefold())
    text = "".join(character for character in decomposed if not unicodedata.combining(character))
    text = text.translate(_LOOKALIKES)
    for pair, single in _LOOKALIKE_PAIRS:
        text = text.replace(pair, single)
    return text


def lookalike_refusal(email: str, *, marac: "Marac", exclude_pk: Any = None) -> str | None:
    """Why an administrator of the MARAC may not add this address, if another user's differs from it only by case or
    look-alike characters: saying so only when one of those users is someone they may see
    (accounts.selectors.administrators_may_see)."""
    from accounts.models import User
    from accounts.selectors import administrators_may_see

    alike = _lookalike_ids(email, exclude_pk=exclude_pk)
    if not alike:
        return None
    if any(administrators_may_see(user=user, marac=marac) for user in User.objects.filter(pk__in=alike)):
        return LOOKALIKE_MESSAGE
    return ADDRESS_NOT_AVAILABLE


def _lookalike_ids(email: str, *, exclude_pk: Any) -> list[int]:
    from accounts.models import User

    wanted = skeleton(email)
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk is not None else User.objects.all()
    # Compared in Python: the skeleton is not a column. Users number in the hundreds per MARAC, and this runs only
    # when an address is added or changed.
    rows = others.values_list("pk", "email").iterator()
    return [pk for pk, address in rows if skeleton(address) == wanted]
