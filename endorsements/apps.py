from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EndorsementsConfig(AppConfig):
    name = "endorsements"
    verbose_name = _("Endorsements")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (policy changes drop the cached policy)
