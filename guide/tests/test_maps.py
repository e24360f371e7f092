import pytest

from guide.maps import map_links, to_gcj02


def test_gcj02_is_offset_inside_china_only():
    lat, lng = to_gcj02(22.533, 114.113)
    assert (lat, lng) != (22.533, 114.113)
    assert abs(lat - 22.533) < 0.01 and abs(lng - 114.113) < 0.01
    assert to_gcj02(51.5, -0.12) == (51.5, -0.12)  # London stays as it is


def test_links_use_gcj02_for_chinese_apps_and_wgs84_for_osm():
    links = {
        link.key: link.url for link in map_links(latitude=22.533, longitude=114.113, name="罗湖")
    }
    glat, glng = to_gcj02(22.533, 114.113)
    assert f"{glng}%2C{glat}" in links["amap"]
    assert "coord_type=gcj02" in links["baidu"]
    assert "mlat=22.533&mlon=114.113" in links["osm"]
    assert links["geo"].startswith("geo:22.533,114.113")


@pytest.mark.parametrize("name", ["a&b=c", "罗湖 口岸", "<script>"])
def test_names_are_encoded(name):
    for link in map_links(latitude=22.5, longitude=114.1, name=name):
        assert "<" not in link.url and " " not in link.url
