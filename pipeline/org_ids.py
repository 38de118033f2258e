"""Recipients' organisation identifiers (org-id.guide): ``GB-CHC-1151444`` read as typed.

The 360Giving file and the Transparency Code files identify a grant's or contract's recipient
by the Services column Recipient org ID: a list code of org-id.guide (``GB-CHC`` for a charity
in England and Wales, ``GB-COH`` for a company, ...) and the number on that list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.textsafe import for_publication

# org-id.guide's charity registers (England and Wales, Scotland, Northern Ireland): the number on
# them is the 360Giving recipient's charityNumber, and the quality tool checks it (README:
# "Publishing").
CHARITY_LISTS = ("GB-CHC", "GB-SC", "GB-NIC")
COMPANY_LIST = "GB-COH"
# The UK lists on org-id.guide (its register's lists/gb, 2026). 360Giving's checker flags a
# recipient identifier whose list code is on no list, and a GB- code outside these is a slip
# (GB-CC- for a charity's GB-CHC-, GB-WAL- for a Welsh council's GB-PLA-); so is UK-, which is
# no country code (the United Kingdom's is GB).
UK_LISTS = frozenset(
    {
        *("GB-CASC", "GB-CCSCUST", "GB-CHC", "GB-COA", "GB-COE", "GB-COH", "GB-EDU"),
        *("GB-GOR", "GB-GOV", "GB-GOVUK", "GB-HESA", "GB-IRN", "GB-LAE", "GB-LANI"),
        *("GB-LAS", "GB-MPR", "GB-NHS", "GB-NIC", "GB-PLA", "GB-REV", "GB-SC"),
        *("GB-SCOTEDU", "GB-SHPE", "GB-SRS", "GB-UKPRN", "GB-WALEDU"),
    }
)
_ORG_ID = re.compile(r"([A-Za-z]{2}-[A-Za-z0-9]+)-(\S+)")
# The hyphens and dashes a web page, a PDF or Word writes for "-" (U+2010-2015, the minus sign,
# the small and full-width hyphen-minus), and a list code's separators typed as spaces or with
# spaces beside them ("GB CHC 1151444", "GB - CHC - 1151444").
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACED = re.compile(r"([A-Za-z]{2})\s*[-\s]\s*([A-Za-z0-9]+)\s*[-\s]\s*(\S+)")


@dataclass(frozen=True)
class OrgId:
    """A recipient's org-id split into its list code (``GB-CHC``) and its number."""

    list_code: str
    number: str

    @property
    def text(self) -> str:
        return f"{self.list_code}-{self.number}"

    @property
    def listed(self) -> bool:
        """False for a UK list code org-id.guide does not have (``GB-CC``, ``UK-CHC``)."""
        country = self.list_code.split("-", 1)[0]
        return self.list_code in UK_LISTS if country in ("GB", "UK") else True


def parse_org_id(raw: str) -> OrgId | None:
    """``GB-CHC-1151444`` -> OrgId("GB-CHC", "1151444"); anything else (a bare number) -> None.

    An identifier copied from a web page, a PDF or Word is read with the hyphens they write
    (``GB‑CHC‑1151444`` with non-breaking hyphens, en dashes), with spaces for its hyphens or
    beside them (``GB CHC 1151444``, a UK list's code only), and without an invisible
    character inside it.
    """
    typed = raw.strip()
    if not typed.isascii():
        typed = _DASHES.sub("-", for_publication(typed)).strip()
    match = _ORG_ID.fullmatch(typed)
    if match is None:
        spaced = _SPACED.fullmatch(typed)
        code = f"{spaced.group(1)}-{spaced.group(2)}".upper() if spaced else ""
        # Spaces only for a UK list's code: "No ID 12345" is no Norwegian identifier.
        return OrgId(code, spaced.group(3).upper()) if spaced and code in UK_LISTS else None
    code = match.group(1).upper()
    # The UK registers spell their numbers in capitals (SC012345, a council's LIN): one typed
    # in small letters would be another recipient than the one other funders publish.
    return OrgId(code, match.group(2).upper() if code in UK_LISTS else match.group(2))
