from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import permissions, signals  # noqa: F401 (signals: its receivers connect on import)

        permissions.register()
