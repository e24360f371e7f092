from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuideConfig(AppConfig):
    name = "guide"
    verbose_name = _("Service guide")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects directory invalidation)
