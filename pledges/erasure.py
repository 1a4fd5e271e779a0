"""Erasing a person's values (e-mail addresses, name, network address) from stored text and
JSON, for the one sanctioned rewrite of records: a deleted account (PIPL)."""

import re

ERASED = "[erased]"


def erased(value, values: list[str]):
    """``value`` (text, or JSON-like data) with every occurrence of ``values`` replaced."""
    if isinstance(value, str):
        for text in values:
            value = re.sub(re.escape(text), ERASED, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [erased(item, values) for item in value]
    if isinstance(value, dict):
        return {key: erased(item, values) for key, item in value.items()}
    return value
