"""An enterprise's standing across the years: which years it signed, its current run of
consecutive years, and whether it signed this year, renewed, or lapsed.

"This year" is the latest campaign whose signing has opened. While that campaign is still
open, an enterprise that signed last year and not yet this year is "due" (its run still
stands); once signing closes without it, it has lapsed. A revoked year is shown but breaks
the run: the association withdrew its endorsement.
"""

from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

SIGNED = "signed"
RENEWED = "renewed"
DUE = "due"
LAPSED = "lapsed"
STATUS_LABELS = {
    SIGNED: pgettext_lazy("standing", "Signed this year"),
    RENEWED: pgettext_lazy("standing", "Renewed"),
    DUE: pgettext_lazy("standing", "Renewal open, not yet signed"),
    LAPSED: pgettext_lazy("standing", "Lapsed"),
}


@dataclass(frozen=True)
class SignedYear:
    year: int
    # A historical record from the association's earlier lists: not reviewed here, no
    # certificate.
    imported: bool = False
    revoked: bool = False
    name: str = ""
    url: str = ""  # its public page, for a year signed here


@dataclass(frozen=True)
class Standing:
    years: tuple[SignedYear, ...]  # newest first
    status: str
    run: int  # consecutive years, up to this year (or last year while renewal is open)
    this_year: int

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, ""))


def standing(years, *, this_year: int, signing_open: bool) -> Standing:
    """The standing of an enterprise that signed ``years`` (SignedYears, any order)."""
    by_year = {}
    for signed in years:
        # A year signed here wins over the same year imported.
        if signed.year not in by_year or by_year[signed.year].imported:
            by_year[signed.year] = signed
    kept = {year for year, signed in by_year.items() if not signed.revoked}
    if this_year in kept:
        status, end = (RENEWED if this_year - 1 in kept else SIGNED), this_year
    elif signing_open and this_year - 1 in kept:
        status, end = DUE, this_year - 1
    else:
        status, end = (LAPSED if by_year else ""), None
    run = 0
    while end is not None and end - run in kept:
        run += 1
    ordered = tuple(by_year[year] for year in sorted(by_year, reverse=True))
    return Standing(years=ordered, status=status, run=run, this_year=this_year)
