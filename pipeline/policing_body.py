"""Who decides, when the Decision sheet leaves the Organisation blank: the body that publishes
is the decision maker's office, named from the Decision maker field.

A Police (Fire and) Crime Commissioner's office is "Office of the <title with the area>" ("Swyddfa
Comisiynydd Heddlu a Throseddu <area>" when the title is typed in Welsh; both, in the typed
order and parted by " / ", when it is typed in both languages). A Mayor's or a Deputy
Mayor's decision is the body's whose Mayor holds the commissioner's functions: London's
(Metropolitan Police area) is the Mayor's Office for Policing and Crime; Greater Manchester's, West
Yorkshire's, York and North Yorkshire's and South Yorkshire's (since May 2024) are their
combined authorities'; elsewhere a Mayor named
by place ("Mayor of the West Midlands") has an "Office of the Mayor of …". Any other title
("Mayor" alone, a "Deputy Mayor for Policing and Crime" outside those areas, "Chief Constable")
does not say which body it is: the outputs then name "Office of the <title>" and read_decision
asks for the Organisation (W-ORGANISATION).
"""

from __future__ import annotations

import re

from pipeline import welsh

# "Police, Fire and Crime Commissioner for Essex", "Police Fire & Crime Commissioner", "the
# Police and Crime Commissioner": a commissioner's title, with or without its area.
_COMMISSIONER = re.compile(
    r"(?:the\s+)?police,?\s+(?:fire(?:\s+and\s+rescue)?,?\s+)?(?:and|&)\s+crime\s+commissioner"
    r"(?:\s+(?:for|of)\s+\S.*)?",
    re.IGNORECASE,
)
# The same in Welsh: "Comisiynydd Heddlu a Throseddu Gogledd Cymru", whose office is "Swyddfa
# Comisiynydd Heddlu a Throseddu Gogledd Cymru" (a Welsh title names its area without "for").
_COMISIYNYDD = re.compile(
    r"(?:y\s+)?comisiynydd\s+(?:yr\s+)?heddlu\s+a\s+throseddu(\s+\S.*)?", re.I
)
# Typed as the short form in the Decision maker field.
_SHORT_FORMS = {
    "pcc": "Police and Crime Commissioner",
    "pfcc": "Police, Fire and Crime Commissioner",
}
# London: the Deputy Mayor for Policing and Crime decides for the Mayor's Office for Policing
# and Crime (MOPAC), which publishes. Only London's body or Mayor named says London whatever the
# area: West Yorkshire's and Greater Manchester's Deputy Mayors have the same title ("DMPC"),
# which is London's only in the Metropolitan Police area (not the City of London Police's).
_LONDON = re.compile(r"\bmopac\b|mayor'?s\s+office\s+for\s+policing|mayor\s+of\s+london", re.I)
_LONDON_AREA = re.compile(r"(?<!city of )\blondon\b|\bmetropolitan\b", re.IGNORECASE)
# The combined authorities whose Mayor holds the commissioner's functions: the Mayor's or the
# Deputy Mayor's decision is the authority's, which publishes. Named from the police area or
# the Mayor's title ("Mayor of West Yorkshire").
_COMBINED = (
    (re.compile(r"\bgreater\s+manchester\b", re.I), "Greater Manchester Combined Authority"),
    (re.compile(r"\bwest\s+yorkshire\b", re.I), "West Yorkshire Combined Authority"),
    (re.compile(r"\bnorth\s+yorkshire\b", re.I), "York and North Yorkshire Combined Authority"),
    (re.compile(r"\bsouth\s+yorkshire\b", re.I), "South Yorkshire Mayoral Combined Authority"),
)
_MAYOR = re.compile(r"(?:the\s+)?mayor", re.IGNORECASE)
_MAYORAL = re.compile(r"mayor|\bdmpc\b", re.IGNORECASE)  # a Mayor's or a Deputy Mayor's title
_MAYOR_OF = re.compile(r"(?:the\s+)?mayor\s+of\s+\S.*", re.IGNORECASE)
_Y = re.compile(r"^y\s+", re.IGNORECASE)
_DEPUTY = re.compile(r"^(?:the\s+)?deputy\s+", re.IGNORECASE)
_THE = re.compile(r"^the\s+", re.IGNORECASE)
_NAMES_ITS_OFFICE = re.compile(r"\s(?:for|of)\s", re.IGNORECASE)

MOPAC = "Mayor's Office for Policing and Crime"
DEFAULT_MAKER = "Police and Crime Commissioner"


def title(maker: str, area: str) -> str:
    """The decision maker with the area: "Police and Crime Commissioner for Lincolnshire";
    as typed when the title already names the area ("Mayor of Greater Manchester") or says
    what it is for ("Deputy Mayor for Policing and Crime", not "... for Metropolitan"); a
    Mayor is "of" the area; a Welsh title names it without "for" ("Comisiynydd Heddlu a
    Throseddu Gwent"); a title in both languages, each side with the area in its language."""
    maker, area = (maker.strip() or DEFAULT_MAKER), area.strip()
    return " / ".join(_title(side, area) for side in _sides(maker))


def _title(maker: str, area: str) -> str:
    """``title`` of a title in one language."""
    in_welsh = welsh.is_welsh(maker)
    area = _area_in(area, in_welsh)
    typed = _COMISIYNYDD.fullmatch(maker)
    if not area or area.casefold() in maker.casefold() or (typed and typed.group(1)):
        return maker
    if in_welsh:
        return f"{maker} {area}"
    if _NAMES_ITS_OFFICE.search(maker):
        return maker
    return f"{maker} {'of' if _MAYOR.fullmatch(maker) else 'for'} {area}"


def _sides(text: str) -> list[str]:
    """A text typed in both languages, "Comisiynydd Heddlu a Throseddu / Police and Crime
    Commissioner" (parted by a slash, a bar, a spaced dash or a line break), as its two sides;
    any other text as itself alone."""
    sides = [piece.strip() for piece, _ in welsh.parts(text)][::2]
    return sides if len(sides) == 2 and all(sides) else [text]


def _area_in(area: str, in_welsh: bool) -> str:
    """The area in one language: of "De Cymru / South Wales", the side that is English or
    the other; an area in one language (or two sides not told apart) as typed."""
    sides = _sides(area)
    english = [side for side in sides if welsh.is_english(side)]
    if len(sides) != 2 or len(english) != 1:
        return area
    return next(side for side in sides if side not in english) if in_welsh else english[0]


def office(maker: str, area: str) -> str | None:
    """The body whose decision this is, from the decision maker's title (and a Mayor's area);
    None when they do not say ("Mayor" alone, outside the areas above, may be a combined
    authority; a Deputy Mayor for Policing and Crime outside London is not MOPAC's). A
    commissioner's title in Welsh and English gives the office in both, in the typed order:
    "Swyddfa Comisiynydd Heddlu a Throseddu Gwent / Office of the Police and Crime
    Commissioner for Gwent"; a Welsh title beside any other, None."""
    sides = _sides(maker.strip())
    in_welsh = [bool(_COMISIYNYDD.fullmatch(side)) for side in sides]
    if len(sides) == 1 or not any(in_welsh):
        return _office(maker, area)
    offices = [_office(side, area) for side in sides]
    english = [side for side, cy in zip(sides, in_welsh, strict=True) if not cy]
    if len(english) != 1 or not _is_commissioner(english[0]):
        return None
    return " / ".join(office for office in offices if office)


def _is_commissioner(maker: str) -> bool:
    """Whether ``maker`` is a commissioner's title (or its short form, or its deputy's)."""
    maker = _SHORT_FORMS.get(maker.casefold().replace(".", ""), maker)
    return _COMMISSIONER.fullmatch(_DEPUTY.sub("", maker)) is not None


def _office(maker: str, area: str) -> str | None:
    """``office`` of a title in one language."""
    maker = maker.strip()
    maker = _SHORT_FORMS.get(maker.casefold().replace(".", ""), maker) or DEFAULT_MAKER
    if _COMMISSIONER.fullmatch(maker):
        return f"Office of the {title(_THE.sub('', maker), area)}"
    if _DEPUTY.match(maker) and _COMMISSIONER.fullmatch(_DEPUTY.sub("", maker)):
        return f"Office of the {title(_DEPUTY.sub('', maker), area)}"  # the commissioner's
    if _COMISIYNYDD.fullmatch(maker):
        return f"Swyddfa {title(_Y.sub('', maker), area)}"
    if _LONDON.search(maker):
        return MOPAC
    return _mayors_body(maker, area) if _MAYORAL.search(maker) else None


def _mayors_body(maker: str, area: str) -> str | None:
    """A Mayor's or Deputy Mayor's body: the combined authority of the area (or of the place
    the Mayor's title names), MOPAC in London, a Mayor of a place's office; else None."""
    for text in (area, maker):
        for place, authority in _COMBINED:
            if place.search(text):
                return authority
    if _LONDON_AREA.search(area):
        return MOPAC
    if _MAYOR_OF.fullmatch(maker):
        return f"Office of the {_THE.sub('', maker)}"
    return None


def body(organisation: str, maker: str, area: str) -> str:
    """The Organisation as typed, else the decision maker's office (``office``), else "Office
    of the <title>" (W-ORGANISATION asks for the Organisation then)."""
    return organisation or office(maker, area) or f"Office of the {title(maker, area)}"


def unknown_body(maker: str, area: str, has_row: bool) -> str:
    """W-ORGANISATION's message: what is published, and what to type where."""
    where = (
        "type the name of the body in Organisation"
        if has_row
        else 'add a row "Organisation" to the Decision sheet and type the name of the body in it'
    )
    return (
        f'The Organisation is blank and the Decision maker "{maker}" does not say which body '
        f'decides: the published files name "{body("", maker, area)}" as the awarding body and '
        f"publisher. If that is not the body's name, {where} (as it signs its decisions, e.g. "
        '"West Midlands Combined Authority").'
    )
