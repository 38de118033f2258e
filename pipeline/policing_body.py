"""Who decides, when the Decision sheet leaves the Organisation blank: the body that publishes
is the decision maker's office, named from the Decision maker field.

A Police (Fire and) Crime Commissioner's office is "Office of the <title with the area>" ("Swyddfa
Comisiynydd Heddlu a Throseddu <area>" when the title is typed in Welsh). A Mayor's or a Deputy
Mayor's decision is the body's whose Mayor holds the commissioner's functions: London's
(Metropolitan Police area) is the Mayor's Office for Policing and Crime; Greater Manchester's, West
Yorkshire's and York and North Yorkshire's are their combined authorities'; elsewhere a Mayor named
by place ("Mayor of the West Midlands") has an "Office of the Mayor of …". Any other title
("Mayor" alone, a "Deputy Mayor for Policing and Crime" outside those areas, "Chief Constable")
does not say which body it is: the outputs then name "Office of the <title>" and read_decision
asks for the Organisation (W-ORGANISATION).
"""

from __future__ import annotations

import re

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
    Mayor is "of" the area."""
    maker, area = (maker.strip() or DEFAULT_MAKER), area.strip()
    if not area or area.casefold() in maker.casefold() or _NAMES_ITS_OFFICE.search(maker):
        return maker
    return f"{maker} {'of' if _MAYOR.fullmatch(maker) else 'for'} {area}"


def office(maker: str, area: str) -> str | None:
    """The body whose decision this is, from the decision maker's title (and a Mayor's area);
    None when they do not say ("Mayor" alone, outside the areas above, may be a combined
    authority; a Deputy Mayor for Policing and Crime outside London is not MOPAC's)."""
    maker = maker.strip()
    maker = _SHORT_FORMS.get(maker.casefold().replace(".", ""), maker) or DEFAULT_MAKER
    if _COMMISSIONER.fullmatch(maker):
        return f"Office of the {title(_THE.sub('', maker), area)}"
    if _DEPUTY.match(maker) and _COMMISSIONER.fullmatch(_DEPUTY.sub("", maker)):
        return f"Office of the {title(_DEPUTY.sub('', maker), area)}"  # the commissioner's
    if welsh := _COMISIYNYDD.fullmatch(maker):
        return f"Swyddfa {_Y.sub('', maker)}{'' if welsh.group(1) else ' ' + area}".strip()
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
