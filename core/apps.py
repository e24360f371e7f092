from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from django.urls import register_converter

        from .converters import IdConverter

        register_converter(IdConverter, "id")
