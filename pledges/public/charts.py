"""Server-rendered SVG bar charts (the statistics page): their geometry and their markup.

No script, no external asset. Labels longer than the label column are shortened with an
ellipsis; the full name is in the bar's <title> and in the table printed under every chart.
The markup is written here rather than in a template: a template localises each of a chart's
hundreds of coordinates as a number, which cost more than the rest of the page.
"""

import unicodedata
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 720
LABEL_WIDTH = 280  # label column, right-aligned at LABEL_WIDTH - GAP
GAP = 8
VALUE_WIDTH = 64  # room for the number written after the longest bar
ROW_HEIGHT = 28
BAR_HEIGHT = 18
PADDING = 6
FONT_SIZE = 14


@dataclass(frozen=True)
class Bar:
    label: str  # as drawn (perhaps shortened)
    title: str  # in full
    value: int
    y: int
    width: int
    text_y: int
    value_x: int


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_x: int
    bar_x: int
    bar_height: int
    font_size: int

    def svg(self, *, chart_id: str, title: str) -> SafeString:
        """The chart as inline SVG, every text escaped; ``title`` names it for assistive
        technology."""
        bars = format_html_join(
            "\n",
            _BAR,
            (
                (bar.title, bar.value, self.label_x, bar.text_y, bar.label, self.bar_x, bar.y)
                + (bar.width, self.bar_height, bar.value_x, bar.text_y, bar.value)
                for bar in self.bars
            ),
        )
        return format_html(
            _CHART, chart_id, self.width, self.height, self.font_size, chart_id, title, bars
        )


_CHART = (
    '<svg class="bar-chart" role="img" aria-labelledby="{}-title" viewBox="0 0 {} {}"'
    ' width="100%" preserveAspectRatio="xMinYMin meet" font-size="{}">\n'
    '<title id="{}-title">{}</title>\n{}\n</svg>'
)
_BAR = (
    "<g><title>{}: {}</title>"
    '<text x="{}" y="{}" text-anchor="end" class="bar-label">{}</text>'
    '<rect x="{}" y="{}" width="{}" height="{}" rx="2" class="bar"></rect>'
    '<text x="{}" y="{}" class="bar-value">{}</text></g>'
)


def bar_chart(rows: list[tuple[str, int]]) -> BarChart:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    largest = max((value for _label, value in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, (label, value) in enumerate(rows):
        y = PADDING + index * ROW_HEIGHT
        width = round(span * value / largest)
        if value and not width:
            width = 1  # a non-zero count stays visible
        bars.append(
            Bar(
                label=shorten(label, LABEL_WIDTH - 2 * GAP),
                title=label,
                value=value,
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT // 2 + FONT_SIZE * 35 // 100,
                value_x=LABEL_WIDTH + width + GAP // 2,
            )
        )
    return BarChart(
        bars=bars,
        width=WIDTH,
        height=2 * PADDING + len(rows) * ROW_HEIGHT,
        label_x=LABEL_WIDTH - GAP,
        bar_x=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        font_size=FONT_SIZE,
    )


def text_width(text: str, font_size: int = FONT_SIZE) -> float:
    """An estimate: a wide (CJK) character takes an em, others two thirds (never too little)."""
    return sum(
        font_size if unicodedata.east_asian_width(ch) in "WF" else font_size * 0.66 for ch in text
    )


def shorten(text: str, width: float) -> str:
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"
