from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from audit.purge import install_sqlite_function

        connection_created.connect(install_sqlite_function, dispatch_uid="openmarac_audit_purge")
