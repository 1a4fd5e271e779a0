"""The statistics page shows the provinces as a tile map beside their table."""

import re

import pytest


@pytest.mark.django_db
def test_the_provinces_as_tiles_coloured_by_count(client, publish):
    for index in range(3):
        publish(f"江苏地图测试{index}有限公司", province="32")
    publish("北京地图测试有限公司", province="11")
    html = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert html.count('class="tile shade-') == 34
    shades = dict(re.findall(r"<title>(\S+): \d+</title><rect [^>]*shade-(\d)", html))
    assert shades["江苏省"] == "5" and shades["北京市"] == "2" and shades["西藏自治区"] == "0"
    # The same counts in the table beside it.
    assert re.search(r"江苏省</th><td class=\"number\">3</td>", html)
