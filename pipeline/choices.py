"""Reading a choice from a drop-down list (organisation type, mechanism, Yes/No) as typed.

The list's own words, other words an area uses for one of them (``words``), and one of those
followed by a qualification in brackets or after a dash ("Grant (annual)", "Contract - direct
award", "Public sector (NHS)"), or several that name the same choice ("Charity / VCSE"). A
qualification that names another choice ("Contract (grant funded)") is refused, never guessed.
"""

from __future__ import annotations

import functools
import re

from pipeline.values import ValueProblem, clean_text, normalise

# Other words plans use for the organisation types and mechanisms (matched like the choices:
# case, spaces and "&"/"and" do not matter). Only words that name one choice and no other.
ORGANISATION_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    *(
        (w, "Public sector")
        for w in (
            "Public",
            "Statutory",
            "Statutory sector",
            "Statutory body",
            "Public body",
            "Local authority",
            "NHS",
            "Police",
            "Statutory partner",
            "Statutory agency",
            "Public authority",
            "Other public body",
            "Council",
            "County council",
            "District council",
            "Borough council",
            "City council",
            "Unitary authority",
            "Combined authority",
            "NHS Trust",
            "NHS body",
            "Integrated care board",
            "ICB",
            "Clinical commissioning group",
            "CCG",
            "Youth offending team",
            "Youth justice service",
            "Probation service",
            "Fire and rescue service",
            # The body itself, as a line funding the force, a council or a Welsh health board
            # names it: central government, and Wales's public bodies.
            "Police force",
            "Police service",
            "PCC",
            "OPCC",
            "Local government",
            "Parish council",
            "Town council",
            "Community council",  # a Welsh town or community's council
            "Health board",
            "Local health board",
            "Welsh Government",
            "Central government",
            "Government department",
            "Home Office",
            "Ministry of Justice",
            "HMPPS",
            "Prison",
            "Prison service",
            "NHS England",
            # A fire-and-police commissioner's fire authority; London's and the metropolitan
            # boroughs; an NHS foundation trust.
            "Fire and rescue authority",
            "Fire authority",
            "NHS foundation trust",
            "London borough",
            "London borough council",
            "Metropolitan borough council",
            "Metropolitan district council",
            # In Welsh, as a Welsh body's bilingual drop-down lists them.
            "Sector cyhoeddus",
            "Corff cyhoeddus",
            "Awdurdod lleol",
            "Cyngor",
            "Bwrdd iechyd",
        )
    ),
    *(
        (w, "Voluntary & community")
        for w in (
            "Voluntary",
            "Voluntary sector",
            "Voluntary & community sector",
            "Voluntary/community",
            "Third sector",
            "Charity",
            "Registered charity",
            "VCS",
            "VCSE",
            "VCFS",
            "VCFSE",
            "Voluntary, community and social enterprise",
            "Third sector organisation",
            "Voluntary organisation",
            "Charitable incorporated organisation",
            "CIO",
            "Community group",
            "Faith group",
            "VCSE organisation",
            "VCSE sector",
            "VCS sector",
            "Charitable trust",
            "Charitable organisation",
            "Community organisation",
            "Not for profit",
            "Not-for-profit organisation",
            "Non-profit",
            "Sector gwirfoddol",
            "Gwirfoddol",
            "Trydydd sector",
            "Elusen",
        )
    ),
    *(
        (w, "Private")
        for w in (
            "Private sector",
            "Commercial",
            "Private company",
            "Private business",
            "Limited company",
            "Private limited company",
            "Ltd",
            "PLC",
            "Sole trader",
            "Sector preifat",
            "Preifat",
        )
    ),
    *((w, "Social enterprise") for w in ("Community interest company", "CIC")),
    *((w, "Social enterprise") for w in ("Menter gymdeithasol", "Cwmni buddiant cymunedol")),
)
MECHANISM_WORDS: tuple[tuple[str, str], ...] = (
    ("Grant agreement", "Grant"),
    ("Grant funding", "Grant"),
    ("Grant funding agreement", "Grant"),
    ("Grant award", "Grant"),
    ("Small grant", "Grant"),
    ("Community grant", "Grant"),
    ("Grant aid", "Grant"),
    ("Service contract", "Contract"),
    ("Call-off contract", "Contract"),
    ("Framework call-off", "Contract"),
    ("Partnership", "Partnership agreement"),
    ("Partnership funding agreement", "Partnership agreement"),
    ("Collaboration agreement", "Partnership agreement"),
    # How the award was made or is held, where that names one mechanism: a procurement's,
    # a grant's letter, the Acts' agreements between public bodies (s22A Police Act 1996
    # collaboration, s75 NHS Act 2006 pooled budgets).
    *((w, "Contract") for w in ("Framework agreement", "Spot purchase", "Purchase order")),
    *((w, "Contract") for w in ("Procured contract", "Competitive tender", "Tender")),
    *((w, "Contract") for w in ("Contract variation", "Contract extension")),
    *((w, "Contract") for w in ("Dynamic purchasing system", "DPS call-off")),
    *((w, "Grant") for w in ("Core grant", "Capital grant", "Revenue grant")),
    *((w, "Grant") for w in ("Grant letter", "Grant offer letter", "Grant funding letter")),
    *((w, "Grant") for w in ("Offer letter", "Letter of offer", "Award letter")),
    ("Call-off", "Contract"),
    ("Section 22A collaboration agreement", "Partnership agreement"),
    ("Section 22A agreement", "Partnership agreement"),
    ("Section 75 agreement", "Partnership agreement"),
    ("S22A collaboration agreement", "Partnership agreement"),
    ("S75 agreement", "Partnership agreement"),
    *((w, "Partnership agreement") for w in ("S75", "Section 75", "S22A", "Section 22A")),
    ("Pooled budget", "Partnership agreement"),
    ("Cytundeb partneriaeth", "Partnership agreement"),  # in Welsh
)

_SPACES = re.compile(r"\s+")
_SLASH = re.compile(r"\s*/\s*")
# Where a qualification starts: a bracket, a spaced dash, a colon.
_QUALIFIED = re.compile(r"\s*\(|\s+[-\u2013\u2014]\s+|\s*:\s*")


def parse_choice(
    raw: object,
    choices: tuple[str, ...],
    what: str,
    words: tuple[tuple[str, str], ...] = (),
) -> str:
    """One of ``choices`` (matched case-insensitively, spaces and "&"/"and" tolerated), or
    the choice another word for it names (``words``: pairs of word and choice), also with a
    qualification after it that names no other choice."""
    text = clean_text(raw)
    keys = _choice_keys(choices, words)
    found = keys.get(_choice_key(text)) or _qualified(text, keys) or _alike(text, keys)
    if found is not None:
        return found
    listed = ", ".join(choices)
    if not text:
        raise ValueProblem(f"is blank; enter one of: {listed}")
    raise ValueProblem(f'reads "{text}", which is not a known {what}; use one of: {listed}')


def _qualified(text: str, keys: dict[str, str]) -> str | None:
    """ "Grant (annual)": the choice before a bracket, dash or colon, when what follows names
    no other choice ("Contract (grant funded)" is left to the person)."""
    parts = _QUALIFIED.split(text, maxsplit=1)
    if len(parts) < 2:
        return None
    found = keys.get(_choice_key(parts[0]))
    qualification = f" {_choice_key(parts[1].rstrip(') '))} "
    if found is None or any(
        f" {key} " in qualification for key, choice in keys.items() if choice != found
    ):
        return None
    return found


def _alike(text: str, keys: dict[str, str]) -> str | None:
    """ "Charity / VCSE": several words, each naming the same choice."""
    named = {keys.get(_choice_key(part)) for part in _SLASH.split(text)}
    return named.pop() if len(named) == 1 and "/" in text else None


def _choice_key(text: str) -> str:
    key = text.casefold().replace("&", "and").replace("-", " ")
    # A sentence's full stop after the choice ("Grant.", "Ltd.") says nothing more.
    return _SPACES.sub(" ", _SLASH.sub("/", key)).strip().rstrip(". ")


@functools.lru_cache(maxsize=64)
def _choice_keys(
    choices: tuple[str, ...], words: tuple[tuple[str, str], ...] = ()
) -> dict[str, str]:
    keys = {_choice_key(word): choice for word, choice in words}
    keys.update({_choice_key(choice): choice for choice in choices})
    return keys


# Yes or No with a note after it, as offices type it: "Yes - MoJ grant conditions",
# "Yes (MoJ)", "No: local money".
_YES_NO_NOTED = re.compile(r"(yes|no)\s*(?:\(|[-\u2013\u2014:,;]\s)")


# A tick or a cross, as a checklist column is filled in (Wingdings' tick pastes as "ü").
_TICKS = {"\u2713": True, "\u2714": True, "\u2611": True, "\u2705": True}
_TICKS.update(dict.fromkeys("\u2717\u2718\u274c\u274e\u2610", False))  # ☐: an empty box


# Yes and No in Welsh. "Na" is also English's N/A: it is read only beside "No" ("Na / No").
_ANSWERS = {
    **dict.fromkeys(("yes", "y", "true", "ie", "oes", "ydy", "ydi", "ydyw", "do"), True),
    **dict.fromkeys(("no", "n", "false", "nac oes", "nac ydy", "nac ydi", "naddo", "nage"), False),
}
_PAIR = re.compile(r"\s*/\s*")


def parse_yes_no(raw: object) -> bool:
    """Yes or No (``Y``, ``True``, a tick, in Welsh ``Ie``, ``Oes``, or both languages
    ``Ie / Yes``; a note may follow: "Yes (MoJ)")."""
    text = normalise(raw)
    sides = _PAIR.split(text)
    if len(sides) == 2 and all(len(side) > 1 for side in sides):
        said = {_ANSWERS.get(side, False if side == "na" else None) for side in sides}
        if len(said) == 1 and None not in said:
            return said.pop() is True
    if text in _TICKS:
        return _TICKS[text]
    if text in ("x", "\u2612"):  # ☒ is Word's ticked check box, and elsewhere a cross
        raise ValueProblem(
            f'reads "{clean_text(raw)}", which marks a box but does not say Yes or No; enter '
            "Yes or No"
        )
    noted = _YES_NO_NOTED.match(text)
    text = noted.group(1) if noted else text
    if text in _ANSWERS:
        return _ANSWERS[text]
    if not text:
        raise ValueProblem("is blank; enter Yes or No")
    raise ValueProblem(f'reads "{clean_text(raw)}"; enter Yes or No')
