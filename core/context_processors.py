import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.dates import SHANGHAI


def site(request: HttpRequest) -> dict[str, Any]:
    """Values every page layout needs."""
    return {
        "show_sample_banner": settings.SHOW_SAMPLE_DATA_BANNER,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "map_tile_subdomains": settings.MAP_TILE_SUBDOMAINS,
        "today": dt.datetime.now(SHANGHAI).date().isoformat(),
    }
