from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"

    def ready(self) -> None:
        from web.forms import install_govuk_forms

        install_govuk_forms()
