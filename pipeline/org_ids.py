"""Recipients' organisation identifiers (org-id.guide): ``GB-CHC-1151444`` read as typed, or
made from a Charity number or Company number column (``1151444``, ``01234567``).

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


# A charity's or company's registered number typed in a column of its own ("Charity number",
# "Company number") instead of an org-id: read as org-id.guide lists it. England and Wales's
# charity numbers are 6 or 7 digits (GB-CHC-1151444), Scotland's SC and 6 (GB-SC-SC012345),
# Northern Ireland's NIC and 6 (GB-NIC-100012: the list holds the digits); a company's number is
# 8 characters, zero-padded after its register's letters (GB-COH-01234567, GB-COH-SC123456).
# A column headed for either ("Charity/Company number") is read by the number's own form.
NUMBER_COLUMNS = ("charity_number", "company_number", "charity_or_company_number")
NO_NUMBER = re.compile(r"n/?a|none|nil|not (?:applicable|registered)|[-–—]+", re.I)
_CHARITY = re.compile(r"(SC|NIC)?(\w+)")
_COMPANY_PREFIXES = (
    *("SC", "NI", "OC", "SO", "NC", "R0", "FC", "SF", "NF", "IP", "SP", "NP", "IC", "SI"),
    *("NV", "RC", "SR", "NR", "LP", "SL", "NL", "CE", "CS", "GE", "GS", "GN", "SE", "ES"),
)
_COMPANY = re.compile(rf"({'|'.join(_COMPANY_PREFIXES)})?(\w+)")
_DIGITS = {"SC": (6, 6), "NIC": (6, 6), "": (6, 7)}  # a charity number's digits, by register
_SEPARATORS = re.compile(r"[\s.\-/]+")


def number_org_id(key: str, raw: str) -> OrgId | None:
    """The org-id of a number typed in the ``charity_number`` or ``company_number`` column
    (``1151444`` -> GB-CHC-1151444); None where it does not look like one (see
    :func:`number_fault`)."""
    return _read_number(key, raw)[0]


def number_fault(key: str, raw: str) -> str:
    """What is wrong with a number :func:`number_org_id` does not read, and the fix."""
    return _read_number(key, raw)[1]


# A linked charity's number: its main charity's, a dash or stroke, and the link ("1151444-1").
_LINKED = re.compile(r"(\d{6,7})\s*[-/]\s*\d{1,2}")
# Two numbers in one cell, a charitable company's ("1151444 / 01234567").
_TWO_NUMBERS = re.compile(r"\s*(?:[/;,&]|\band\b)\s*", re.I)


# A number typed with its register's label ("Charity no. 1151444", "Reg charity number:
# 1151444", "Company No 01234567", "Co. reg. no. 01234567"): the label says which register.
_LABEL = re.compile(
    r"(?:reg(?:istered)?\.?\s*)?(?P<register>charity|company|co\.?|companies\s+house)\s*"
    r"(?:reg(?:istration|istered)?\.?\s*)?(?:no\.?|number|num\.?)?\s*[:.#]?\s*(?P<number>\S+)",
    re.I,
)


def _unlabelled(key: str, raw: str) -> tuple[str, str]:
    """The column a number belongs in and the number alone, where the cell types its
    register's label before it ("Charity no. 1151444"); else ``key`` and ``raw`` as typed."""
    label = _LABEL.fullmatch(for_publication(raw).strip())
    if label is None:
        return key, raw
    register = "charity_number" if label["register"].lower() == "charity" else "company_number"
    if key not in (register, "charity_or_company_number"):
        return key, raw  # "Company no. 01234567" in the Charity number column: said as typed
    return register, label["number"]


def _read_number(key: str, raw: str) -> tuple[OrgId | None, str]:
    key, raw = _unlabelled(key, raw)
    if key == "charity_or_company_number":
        return _either_number(raw)
    linked = _LINKED.fullmatch(for_publication(raw).strip())
    if key == "charity_number" and linked:
        return None, (
            "is a linked charity's number (its main charity's number and the link); 360Giving "
            f"identifies a linked charity by its main charity's number: type {linked[1]}"
        )
    typed = _SEPARATORS.sub("", for_publication(raw)).upper()
    pattern = _CHARITY if key == "charity_number" else _COMPANY
    match = pattern.fullmatch(typed)
    prefix, digits = (match.group(1) or "", match.group(2)) if match else ("", typed)
    if key == "charity_number":
        fewest, most = _DIGITS[prefix]
        want = str(most) if fewest == most else f"{fewest} or {most}"
        fix = (
            "A registered charity number is 6 or 7 digits in England and Wales (1151444), SC "
            "and 6 digits in Scotland (SC012345), NIC and 6 digits in Northern Ireland "
            "(NIC100012): check it on the charity regulator's register and correct it"
        )
    else:
        fewest, most = 1, 8 - len(prefix)
        want = f"up to {most}"
        fix = (
            "A Companies House number is 8 digits (01234567), or two letters and 6 digits "
            "(SC123456): check it on the Companies House register and correct it"
        )
    if not digits.isdigit():
        return None, f"has letters where digits belong. {fix}"
    if not fewest <= len(digits) <= most:
        return None, f"has {len(digits)} digits where it should have {want}. {fix}"
    if key == "company_number":
        return OrgId(COMPANY_LIST, prefix + digits.zfill(most)), ""
    if not prefix and len(digits) == 6 and digits.startswith("1"):
        return None, (
            f"has 6 digits beginning 1, as a Northern Ireland charity's number does "
            f"(NIC{digits}); England and Wales's 6-digit numbers begin 2 to 9. Type "
            f"NIC{digits} if the charity is registered in Northern Ireland, else check the "
            "number on the Charity Commission's register"
        )
    code = {"SC": "GB-SC", "NIC": "GB-NIC"}.get(prefix, "GB-CHC")
    return OrgId(code, ("SC" if prefix == "SC" else "") + digits), ""


def registered_numbers(key: str, raw: str) -> list[tuple[str, str]]:
    """The numbers a cell of ``key``'s column holds, each with the column it belongs in: in a
    column for either, each number its register's (a charitable company's "1151444 /
    01234567" both); a number either register may hold keeps ``key``."""
    key, raw = _unlabelled(key, raw)
    if key != "charity_or_company_number":
        return [(key, raw)]
    return [(register or key, part) for register, part in _registered(raw)]


def _registered(raw: str) -> list[tuple[str | None, str]]:
    """Each number typed in ``raw`` (two where a cell holds both) and its register's column."""
    parts = [part for part in _TWO_NUMBERS.split(for_publication(raw).strip()) if part]
    if len(parts) < 2 or any(len(part) < 6 for part in parts):
        parts = [raw]  # one number ("1151444/1" is a linked charity's)
    return [(_register(_SEPARATORS.sub("", part).upper()), part) for part in parts]


def _either_number(raw: str) -> tuple[OrgId | None, str]:
    """A number from a column headed for a charity's or a company's: a charity's where the
    cell holds both, else the register its form belongs to."""
    numbers = _registered(raw)
    register, number = next((n for n in numbers if n[0] == "charity_number"), numbers[0])
    if register is None:
        return None, (
            "could be a Scottish charity's or a Scottish company's number (both begin SC): "
            "head the column Charity number or Company number, or type the org-id in a "
            "Recipient org ID column (GB-SC-SC012345 for the charity, GB-COH-SC012345 for the "
            "company)"
        )
    return _read_number(register, number if len(numbers) > 1 else raw)


def _register(typed: str) -> str | None:
    """Which register a number's form belongs to: NIC and 6 or 7 digits a charity's, 8 digits
    or a company register's letters a company's (7 digits beginning 2-9 a company's that
    lost its leading zero in Excel); SC either (None)."""
    if typed.startswith("SC"):
        return None
    if typed.startswith("NIC"):
        return "charity_number"
    company = _COMPANY.fullmatch(typed)
    if (company and company[1]) or len(typed) == 8:
        return "company_number"
    if len(typed) == 7 and typed[0] in "23456789":
        return "company_number"
    return "charity_number"


# A name's legal form that says which register holds it: a CIC is a company that cannot be a
# registered charity; a CIO is a charity with no company number; Ltd, Limited, PLC or LLP a
# company (a charitable company's too, so only where the line is not a voluntary one's).
_CIC = re.compile(r"\b(cic|c\.i\.c\.?|community interest company)\W*$", re.I)
_CIO = re.compile(r"\b(cio|c\.i\.o\.?|charitable incorporated organi[sz]ation)\W*$", re.I)
_COMPANY_NAME = re.compile(r"\b(ltd|limited|plc|llp)\b\.?", re.I)
_VOLUNTARY = "Voluntary & community"


def assumed_register(raw: str, organisation: str, organisation_type: str) -> tuple[str, str]:
    """For one number typed in a column for either a charity's or a company's number that both
    registers may hold (7 digits beginning 1: a charity in England and Wales, or a company's
    01… that lost its leading zero in Excel), the register it is read by and why: judged from
    the recipient's name (a CIC, a CIO, Ltd) and organisation type, else a charity's (most
    such numbers in a plan are). ("", "") where the number's form decides."""
    typed = _SEPARATORS.sub("", for_publication(raw)).upper()
    if not (len(typed) == 7 and typed.isdigit() and typed.startswith("1")):
        return "", ""
    if _CIO.search(organisation):
        return "charity_number", "the recipient's name ends CIO, a charity with no company number"
    if _CIC.search(organisation):
        return "company_number", "the recipient's name ends CIC, a company that is no charity"
    if organisation_type == "Private":
        return "company_number", "the recipient's organisation type is Private"
    form = _COMPANY_NAME.search(organisation)
    if form and organisation_type != _VOLUNTARY:
        return "company_number", f"the recipient's name has {form[1]} in it"
    if organisation_type == _VOLUNTARY:
        return "charity_number", "the recipient's organisation type is Voluntary & community"
    return "charity_number", "nothing on the line says it is a company's"
