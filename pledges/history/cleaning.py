"""One row of an imported list, cleaned: the credit code repaired where that is safe (full
width, spaces, lower case) and refused where it is not (Excel's scientific notation, a wrong
check character), the name in one width, the province read from the code."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..validators import credit_code_province, normalise_credit_code

# What Excel shows for a long number: 9.1E+17, 9.13205E+17, 9.13205000000000E17.
SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]*)?E\+?[0-9]+$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff]")


class RowRefused(Exception):
    """This row cannot be imported; ``reason`` says why (translated)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass
class CleanRow:
    row: int  # in the file
    raw_code: str
    raw_name: str
    code: str = ""
    name: str = ""
    province_code: str = ""
    industry_code: str = ""
    notes: list[str] = field(default_factory=list)


def cell_text(value) -> str:
    return "" if value is None else str(value).strip()


def clean_code(value) -> tuple[str, bool]:
    """(the code, whether it was repaired), or RowRefused."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A number cell: Excel keeps 15 significant digits, so an 18-digit code has lost some.
        raise RowRefused(
            _(
                "The credit code was stored as a number, which loses its last digits; "
                "format the column as text and copy the codes again."
            )
        )
    raw = cell_text(value)
    if not raw:
        raise RowRefused(_("No credit code."))
    text = _SPACES.sub("", unicodedata.normalize("NFKC", raw)).replace("-", "").upper()
    if SCIENTIFIC.match(text):
        raise RowRefused(
            _(
                "The credit code is in scientific notation (%(value)s): its last digits are "
                "lost; format the column as text and copy the codes again."
            )
            % {"value": raw}
        )
    try:
        code = normalise_credit_code(text)
    except ValidationError as error:
        raise RowRefused(" ".join(error.messages)) from None
    return code, code != raw


def clean_name(value) -> str:
    """Half-width letters and digits, Chinese brackets in a Chinese name, single spaces."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", cell_text(value))).strip()
    if _HAN.search(text):
        # NFKC turns （） into (); Chinese enterprise names are registered with （）.
        text = text.replace("(", "（").replace(")", "）").replace(" （", "（").replace("） ", "）")
    return text


def clean_row(number: int, cells: dict, provinces: dict, industries: dict) -> CleanRow:
    """``cells``: field → value as read; ``provinces``: normalised names and codes → code;
    ``industries``: division codes and names → code. Raises RowRefused."""
    row = CleanRow(row=number, raw_code=cell_text(cells.get("credit_code")), raw_name="")
    row.raw_name = cell_text(cells.get("name"))
    row.code, repaired = clean_code(cells.get("credit_code"))
    if repaired:
        row.notes.append(_("Credit code repaired from “%(raw)s”.") % {"raw": row.raw_code})
    row.name = clean_name(cells.get("name"))
    if not row.name:
        raise RowRefused(_("No name."))
    if len(row.name) > 100:
        raise RowRefused(_("The name is longer than 100 characters."))
    from_code = credit_code_province(row.code)
    given = cell_text(cells.get("province"))
    from_file = provinces.get(province_key(given)) if given else None
    if from_code in provinces.values():
        row.province_code = from_code
        if given and from_file != from_code:
            row.notes.append(
                _("The file gives the province as “%(given)s”; the credit code's is used.")
                % {"given": given}
            )
    elif from_file:
        row.province_code = from_file
    elif given:
        row.notes.append(_("Province “%(given)s” not recognised.") % {"given": given})
    industry = cell_text(cells.get("industry"))
    if industry:
        row.industry_code = industries.get(province_key(industry), "")
        if not row.industry_code:
            row.notes.append(_("Industry “%(given)s” not recognised.") % {"given": industry})
    return row


# Suffixes a province's name is written with or without.
_PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "特别行政区",
    "省",
    "市",
)


def province_key(text: str) -> str:
    """A province (or industry) name or code as compared: half width, lower case, no spaces,
    no administrative suffix."""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()
    for suffix in _PROVINCE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key
