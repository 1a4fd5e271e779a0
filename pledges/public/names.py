"""The reference data public pages print beside a listing: province and industry names in
both languages, campaign titles and texts, the campaign years.

A listing keeps codes; a page asks here for their names instead of joining three small
tables in every query (planning such a join cost PostgreSQL more than running it). The few
hundred rows are held in each process and read again when the public data version moves, or
after RELOAD_SECONDS for edits that move no version (a campaign's title, say).
"""

import time
from dataclasses import dataclass, field

from ..models import Campaign, Industry, Province
from .cache import public_data_version

RELOAD_SECONDS = 60.0


@dataclass(frozen=True)
class Names:
    years: list[int]  # newest first
    provinces: list[tuple[str, str, str]]  # code, name, English name
    province_short_names: dict[str, str]  # code: 京, 沪 …
    industries: list[tuple[str, str, str, str]]  # code, name, English name, level
    campaigns: dict[int, tuple[str, str]]  # id: title, pledge text
    schedule: list[tuple]  # year, signing opens, signing closes
    province_names: dict[str, tuple[str, str]]
    industry_names: dict[str, tuple[str, str]]

    # What callers build from these names once (the filters' choices, say), per language.
    _prepared: dict = field(default_factory=dict, compare=False, repr=False)

    def prepared(self, english: bool, build):
        """``build(self, english)``, built once for these names and language."""
        key = (build, english)
        if key not in self._prepared:
            self._prepared[key] = build(self, english)
        return self._prepared[key]

    def province(self, code: str | None, english: bool) -> str:
        return self.province_names.get(code or "", ("", ""))[english]

    def industry(self, code: str | None, english: bool) -> str:
        return self.industry_names.get(code or "", ("", ""))[english]


_memo: tuple[float, int, Names | None] = (0.0, -1, None)


def public_names() -> Names:
    global _memo
    read_at, version, names = _memo
    now = time.monotonic()
    current = public_data_version()
    if names is None or version != current or now - read_at > RELOAD_SECONDS:
        names = _load()
        _memo = (now, current, names)
    return names


def forget() -> None:
    global _memo
    _memo = (0.0, -1, None)


def _load() -> Names:
    rows = list(
        Province.objects.order_by("code").values_list("code", "name", "name_en", "short_name")
    )
    provinces = [row[:3] for row in rows]
    industries = list(
        Industry.objects.order_by("position").values_list("code", "name", "name_en", "level")
    )
    campaigns = list(
        Campaign.objects.order_by("-year").values_list(
            "pk", "year", "title", "pledge_text", "opens_at", "closes_at"
        )
    )
    return Names(
        years=[row[1] for row in campaigns],
        provinces=provinces,
        province_short_names={row[0]: row[3] for row in rows},
        industries=industries,
        campaigns={row[0]: (row[2], row[3]) for row in campaigns},
        schedule=[(row[1], row[4], row[5]) for row in campaigns],
        province_names={code: (name, name_en) for code, name, name_en in provinces},
        industry_names={row[0]: (row[1], row[2]) for row in industries},
    )
