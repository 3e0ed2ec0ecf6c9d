"""The links that set a password: a reset link works for PASSWORD_RESET_TIMEOUT (2 hours), an invitation's for
OPENMARAC_INVITATION_TIMEOUT (3 days: a new user may not read their mail the day they are added). Both open allauth's
set-password page, which checks them with SetPasswordTokenGenerator (ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR).

An invitation's token is signed with a salt of its own, so a reset link cannot pass for an invitation and live three
days. Each works once: the hash covers the password, which setting one changes."""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class _EmailAwareTokenGenerator(PasswordResetTokenGenerator):
    """As allauth's EmailAwarePasswordResetTokenGenerator (a change of address ends the link; the address is kept as
    allauth's EmailAddress, which lets a reset clear the sign-in lock-out), written out here because allauth loads the
    generator while its forms module is still being imported: subclassing it from this module would be circular."""

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        from allauth.account.internal.flows.manage_email import sync_user_email_address
        from allauth.account.models import EmailAddress

        sync_user_email_address(user)
        emails = {user.email} if user.email else set()
        emails.update(EmailAddress.objects.filter(user_id=user.pk).values_list("email", flat=True))
        return super()._make_hash_value(user, timestamp) + "|".join(sorted(emails))

    def check_token_within(self, user: Any, token: str | None, *, seconds: int) -> bool:
        """Django's check_token, with the link's lifetime given rather than read from PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        signed = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        return signed and self._num_seconds(self._now()) - timestamp <= seconds


class InvitationTokenGenerator(_EmailAwareTokenGenerator):
    key_salt = "openmarac.accounts.tokens.InvitationTokenGenerator"


class SetPasswordTokenGenerator(_EmailAwareTokenGenerator):
    """Makes reset links; accepts a reset link for PASSWORD_RESET_TIMEOUT and an invitation's for
    OPENMARAC_INVITATION_TIMEOUT."""

    def check_token(self, user: Any, token: str | None) -> bool:
        if user is not None and not user.is_active:
            return False  # a link sent before the account was deactivated sets no password
        if self.check_token_within(user, token, seconds=int(settings.PASSWORD_RESET_TIMEOUT)):
            return True
        invitation = InvitationTokenGenerator()
        return invitation.check_token_within(user, token, seconds=int(settings.OPENMARAC_INVITATION_TIMEOUT))
