"""A tile map of China's 34 provincial-level divisions: one square each, in its rough place,
coloured by a count. A cartogram draws no borders, so it needs no map approval, and every
province weighs the same to the eye (Shanghai as much as Xinjiang). Server-rendered SVG,
every text escaped; the numbers are also in the table printed beside it.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# GB/T 2260 code: (column, row) on an 8 × 8 grid, north at the top.
TILES = {
    "23": (7, 0),
    "15": (4, 1), "11": (5, 1), "21": (6, 1), "22": (7, 1),
    "65": (0, 2), "62": (2, 2), "64": (3, 2), "14": (4, 2), "13": (5, 2), "12": (6, 2),
    "63": (1, 3), "61": (3, 3), "41": (4, 3), "37": (5, 3),
    "54": (0, 4), "51": (2, 4), "50": (3, 4), "42": (4, 4), "34": (5, 4), "32": (6, 4),
    "31": (7, 4),
    "52": (3, 5), "43": (4, 5), "36": (5, 5), "33": (6, 5),
    "53": (2, 6), "45": (3, 6), "44": (4, 6), "35": (5, 6), "71": (7, 6),
    "46": (3, 7), "82": (4, 7), "81": (5, 7),
}  # fmt: skip
# ISO 3166-2:CN, the short names a tile carries in English (Chinese uses 京, 沪, 苏 …).
ISO_CODES = {
    "11": "BJ", "12": "TJ", "13": "HE", "14": "SX", "15": "NM", "21": "LN", "22": "JL",
    "23": "HL", "31": "SH", "32": "JS", "33": "ZJ", "34": "AH", "35": "FJ", "36": "JX",
    "37": "SD", "41": "HA", "42": "HB", "43": "HN", "44": "GD", "45": "GX", "46": "HI",
    "50": "CQ", "51": "SC", "52": "GZ", "53": "YN", "54": "XZ", "61": "SN", "62": "GS",
    "63": "QH", "64": "NX", "65": "XJ", "71": "TW", "81": "HK", "82": "MO",
}  # fmt: skip
TILE = 56
GAP = 4
SHADES = 5  # besides the empty shade 0
DARK = 3  # from this shade on, the text is white


def shade(count: int, largest: int) -> int:
    """0 for none; 1 to SHADES in equal steps of the largest count."""
    if count <= 0 or largest <= 0:
        return 0
    return max(1, -(-count * SHADES // largest))


def tile_names(provinces, *, english: bool) -> dict[str, tuple[str, str]]:
    """code → (the tile's short name, the full name) from (code, name, short name, English
    name) rows."""
    return {
        code: (ISO_CODES.get(code, code), name_en) if english else (short_name, name)
        for code, name, short_name, name_en in provinces
    }


def tile_map_svg(
    counts: dict[str, int], names: dict[str, tuple[str, str]], *, map_id: str, title: str
) -> SafeString:
    """``counts``: province code → count; ``names``: code → (short name, full name)."""
    largest = max(counts.values(), default=0)
    tiles = format_html_join(
        "\n",
        _TILE,
        (
            (
                "dark" if shade(counts.get(code, 0), largest) >= DARK else "light",
                names.get(code, ("", code))[1],
                counts.get(code, 0),
                column * (TILE + GAP),
                row * (TILE + GAP),
                TILE,
                TILE,
                shade(counts.get(code, 0), largest),
                column * (TILE + GAP) + TILE // 2,
                row * (TILE + GAP) + TILE // 2 - 4,
                names.get(code, (code, ""))[0],
                column * (TILE + GAP) + TILE // 2,
                row * (TILE + GAP) + TILE // 2 + 14,
                counts.get(code, 0),
            )
            for code, (column, row) in TILES.items()
        ),
    )
    size = 8 * (TILE + GAP) - GAP
    return format_html(_MAP, map_id, size, size, map_id, title, tiles)


_MAP = (
    '<svg class="tile-map" role="img" aria-labelledby="{}-title" viewBox="0 0 {} {}"'
    ' width="100%" preserveAspectRatio="xMidYMin meet">\n'
    '<title id="{}-title">{}</title>\n{}\n</svg>'
)
_TILE = (
    '<g class="{}"><title>{}: {}</title>'
    '<rect x="{}" y="{}" width="{}" height="{}" rx="4" class="tile shade-{}"></rect>'
    '<text x="{}" y="{}" text-anchor="middle" class="tile-name">{}</text>'
    '<text x="{}" y="{}" text-anchor="middle" class="tile-count">{}</text></g>'
)


def province_tile_map(counts: dict[str, int], *, english: bool, map_id: str, title: str):
    """The tile map of ``counts`` (province code → count), named in the reader's language."""
    from .names import public_names

    names = public_names()
    rows = [
        (code, name, names.province_short_names.get(code, ""), name_en)
        for code, name, name_en in names.provinces
    ]
    return tile_map_svg(counts, tile_names(rows, english=english), map_id=map_id, title=title)
