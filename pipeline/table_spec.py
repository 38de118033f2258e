"""What a sheet of the workbook contract is: its name (and the names offices give it) and its
columns, each with the headers accepted for it; how a header and a sheet's name are matched.

:mod:`pipeline.contract` declares the contract's sheets with these.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import cached_property

from pipeline.values import normalise

# How a header says pounds, wherever it stands: "(£)", "(£s)", "£", "(GBP)", "GBP", "in £"
# ("Budget(£)", "£ Budget"); never "(£000)" or "£k", which say thousands.
_POUNDS_MARK = re.compile(r"\(\s*(?:£s?|gbp)\s*\)|(?<!\w)(?:in )?(?:£s?|gbp)(?!\w)")
# A date format typed after a date header, as templates do: "Start date (dd/mm/yyyy)".
_FORMAT_HINT = re.compile(r"\(\s*(?:d{1,2}/m{1,2}/y{2,4}|y/n|yes/no)\s*\)")


# A footnote's mark after a header: "Budget (£)¹", "Budget (£) [1]", "Budget (£) (see note 2)"
# (superscripts before normalise makes "¹" a plain 1, which is no mark).
_NOTE_MARK = re.compile(
    r"[\u00b9\u00b2\u00b3\u2070-\u2079]+|\[\s*\d{1,2}\s*\]|\(\s*(?:see )?notes?\s*\d*\s*\)", re.I
)
# Money said to be net of VAT, as the plan's is (the office reclaims VAT): "Budget (£) excl. VAT".
_NET_OF_VAT = re.compile(r"\(?\s*(?:excl?\.?|excluding|ex\.?|net of)\s+vat\s*\)?")


@functools.lru_cache(maxsize=1024)
def header_key(header: object) -> str:
    """A header as it is matched: :func:`normalise`'s key without the pounds marker, a date
    format hint, a footnote's mark, "excl. VAT", or the required-field star or colon a
    template leaves after it."""
    marked = _NOTE_MARK.sub(" ", header) if isinstance(header, str) else header
    key = _FORMAT_HINT.sub(" ", _POUNDS_MARK.sub(" ", normalise(marked)))
    key = _NET_OF_VAT.sub(" ", key)
    return " ".join(key.split()).strip(" *:?-")


@dataclass(frozen=True)
class Column:
    """A column of a table sheet: the model attribute it fills and the headers accepted for it."""

    key: str
    header: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    pattern: str = ""  # a regular expression a header may match instead, e.g. "2021/22 budget (£)"
    width: int = 18

    def matches(self, header: str) -> bool:
        wanted = header_key(header)
        names = (self.header, *self.aliases)
        if any(wanted == header_key(name) for name in names):
            return True
        return bool(self.pattern) and re.fullmatch(self.pattern, wanted) is not None


# A financial year after a sheet's name (which may not hold "/"): "2021-22", "(2021-22)",
# "- 2021-2022", "FY 2021_22", "2021 - 2022", "21-22", Essex's "2023-4"; never a copy's "(2)".
_YEAR_AFTER = re.compile(
    r"\s*[-–:]?\s*\(?(?:fy\s*)?(?:\d{4}(?:\s*[-_]\s*(?:\d{4}|\d{1,2}))?|\d{2}\s*[-_]\s*\d{2})\)?$"
)


# Apple Numbers exports each table as a sheet named after its sheet and table: "Services - Table 1".
_NUMBERS_TABLE = re.compile(r"\s+-\s+table\s+\d+$")


_BOTH_LANGUAGES = re.compile(r"\s+[-\u2013|]\s+")
# A heading's two languages on two lines of its cell (Alt+Enter), or beside a bar.
_LINES_OR_BAR = re.compile(r"\s*(?:[\r\n]+|\s\|\s)\s*")
# The sheets' names in Welsh, as a Welsh body's workbook may name its tabs.
_WELSH = {
    "Decision": "Penderfyniad",
    "Funds": "Cronfeydd",
    "Funding sources": "Ffynonellau cyllid",
    "Services": "Gwasanaethau",
    "Document control": "Rheoli dogfennau",
    "Circulation": "Dosbarthu",
}


@dataclass(frozen=True)
class TableSheet:
    name: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    required: bool = True
    # Columns read where a sheet has them but never written in a new workbook.
    extra: tuple[Column, ...] = ()

    def matches(self, title: str) -> bool:
        """The sheet's name or an alias, in any case and spacing, also with the financial
        year after it ("Services 2021-22", "Commissioning plan (2021/22)"), as offices name
        a year's tabs, or its table's name after it, as Numbers exports ("Services - Table 1")."""
        names = {normalise(n) for n in (self.name, *self.aliases, _WELSH.get(self.name, ""))}
        names.discard("")
        key = _YEAR_AFTER.sub("", _NUMBERS_TABLE.sub("", normalise(title)))
        # A Welsh body's tab in both languages ("Gwasanaethau - Services"): every side a name
        # of this sheet ("Services - new bids" is another sheet).
        return key in names or all(side in names for side in _BOTH_LANGUAGES.split(key))

    @cached_property
    def _headers(self) -> dict[str, Column | None]:
        headers: dict[str, Column | None] = {"": None}
        for column in (*self.columns, *self.extra):
            for name in (column.header, *column.aliases):
                headers.setdefault(header_key(name), column)
        return headers

    def column(self, header: object) -> Column | None:
        """The column a header cell names (exact, alias or pattern), or None."""
        wanted = header_key(header)
        headers = self._headers
        if wanted not in headers:
            # Patterns are tried once per distinct text; the answer is remembered.
            headers[wanted] = next(
                (
                    c
                    for c in (*self.columns, *self.extra)
                    if c.pattern and re.fullmatch(c.pattern, wanted) is not None
                ),
                None,
            ) or self._bilingual(wanted.split(" / "))
        found = headers[wanted]
        if found is None and isinstance(header, str) and _LINES_OR_BAR.search(header):
            return self._bilingual(_LINES_OR_BAR.split(header.strip()))
        return found

    def _bilingual(self, sides: list[str]) -> Column | None:
        """A heading in Welsh and English, as Welsh bodies write them ("Cronfa / Fund",
        "Cyllideb / Budget (£)", one above the other in the cell, or beside a bar): the
        column one side names, where only one side names one."""
        if len(sides) != 2:
            return None
        named = {self.column(side) for side in sides} - {None}
        return named.pop() if len(named) == 1 else None

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)
