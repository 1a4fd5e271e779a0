"""Reference data shipped with the app: GB/T 2260 provinces and GB/T 4754-2017 industries."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


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
