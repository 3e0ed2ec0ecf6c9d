"""The one authentication backend: allauth's sign-in, without Django's model permissions.

OpenMARAC's permissions are its roles (accounts/permissions.py, through `rules`); Django's per-user and per-group
model permissions are never granted. Left in, Django's ModelBackend would run two queries on every request for a
permission `rules` had refused, to find none (measured by bench/load: docs/performance.md)."""

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id: Any) -> Any:
        # The user's agency is named in every page's header and in every audit entry: loaded with the user.
        from accounts.models import User

        try:
            user = User.objects.select_related("agency").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False
