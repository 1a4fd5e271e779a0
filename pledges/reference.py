"""China's reference data shipped with the app (GB/T 2260 provinces, GB/T 4754-2017
industries), and the two facts every page shows it by: China time and the reader's language."""

import csv
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils.translation import get_language

DATA_DIR = Path(__file__).resolve().parent / "data"

# Dates printed on certificates, in reports and in the open data are China Standard Time,
# whatever the reader's own time zone.
CHINA_TZ = ZoneInfo("Asia/Shanghai")


def is_english() -> bool:
    """Whether the current request (or override) reads English; Chinese is the default."""
    return (get_language() or "").startswith("en")


def china_date(moment: datetime | None) -> date | None:
    return moment.astimezone(CHINA_TZ).date() if moment else None


def _rows(filename: str) -> list[dict]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference_data(province_model, industry_model) -> None:
    """Insert or update every row; safe to run again (called by a data migration)."""
    for row in _rows("gbt2260-provinces.csv"):
        province_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "short_name": row["short_name"],
                "name_en": row["name_en"],
            },
        )
    for position, row in enumerate(_rows("gbt4754-2017.csv"), start=1):
        industry_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "name_en": row["name_en"],
                "level": row["level"],
                "section_id": row["section"],
                "position": position,
            },
        )
