"""Links that open a hall's location in common map apps.

Hall locations are stored in WGS-84. Chinese map apps (Amap, Tencent, Baidu) and Apple Maps in
mainland China use GCJ-02, so the location is converted for them; OpenStreetMap and the geo: URI
take WGS-84 as it is.
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

import prcoords


@dataclass(frozen=True)
class MapLink:
    key: str
    label_zh: str
    label_en: str
    url: str


def to_gcj02(latitude: float, longitude: float) -> tuple[float, float]:
    """Convert WGS-84 to GCJ-02 (unchanged outside mainland China)."""
    point = prcoords.Coords(latitude, longitude)
    if not prcoords.sanity_in_china_p(point):
        return latitude, longitude
    converted = prcoords.wgs_gcj(point, False)
    return round(converted.lat, 6), round(converted.lon, 6)


def map_links(*, latitude: float, longitude: float, name: str) -> list[MapLink]:
    """Return links for Amap, Baidu, Tencent, Apple Maps, OpenStreetMap and a geo: URI."""
    glat, glng = to_gcj02(latitude, longitude)
    return [
        MapLink(
            "amap",
            "高德地图",
            "Amap",
            "https://uri.amap.com/marker?"
            + urlencode({"position": f"{glng},{glat}", "name": name, "coordinate": "gaode"}),
        ),
        MapLink(
            "baidu",
            "百度地图",
            "Baidu Maps",
            "https://api.map.baidu.com/marker?"
            + urlencode(
                {
                    "location": f"{glat},{glng}",
                    "title": name,
                    "content": name,
                    "coord_type": "gcj02",
                    "output": "html",
                    "src": "exitentry",
                }
            ),
        ),
        MapLink(
            "tencent",
            "腾讯地图",
            "Tencent Maps",
            "https://apis.map.qq.com/uri/v1/marker?"
            + urlencode({"marker": f"coord:{glat},{glng};title:{name}", "referer": "exitentry"}),
        ),
        MapLink(
            "apple",
            "Apple 地图",
            "Apple Maps",
            "https://maps.apple.com/?" + urlencode({"ll": f"{glat},{glng}", "q": name}),
        ),
        MapLink(
            "osm",
            "OpenStreetMap",
            "OpenStreetMap",
            f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"
            f"#map=17/{latitude}/{longitude}",
        ),
        MapLink(
            "geo",
            "其他地图应用",
            "Other map apps",
            f"geo:{latitude},{longitude}?q={latitude},{longitude}({quote(name)})",
        ),
    ]
