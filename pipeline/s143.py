"""The four purposes of s143 Anti-social Behaviour, Crime and Policing Act 2014 that every
Community Safety Fund award must serve, and the words offices type for them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from pipeline.values import normalise

S143_PURPOSES = (
    "Crime and disorder reduction",
    "Reducing misuse of drugs, alcohol and other substances",
    "Reducing re-offending",
    "Helping victims and witnesses",
)

# Words people type for each purpose (matched like names: case and spacing do not matter).
S143_ALIASES: dict[str, tuple[str, ...]] = {
    "Crime and disorder reduction": (
        "crime and disorder",
        "crime reduction",
        "reducing crime and disorder",
        "crime and disorder reduction (incl. asb)",
        "crime and disorder reduction including asb",
        "anti-social behaviour",
        "asb",
    ),
    "Reducing misuse of drugs, alcohol and other substances": (
        "reducing misuse of drugs, alcohol and other substances",
        "substance misuse",
        "reducing substance misuse",
        "drugs and alcohol",
        "drug and alcohol",
        "reducing the misuse of drugs, alcohol and other substances",
    ),
    "Reducing re-offending": ("reducing reoffending", "re-offending", "reoffending"),
    "Helping victims and witnesses": (
        "victims and witnesses",
        "helping victims or witnesses",
        "supporting victims and witnesses",
        "helping victims and witnesses of crime",
    ),
}
_PURPOSE_SEPARATORS = re.compile(r"[;/\n,]|\s&\s|\band also\b")
# The words that name a purpose wherever they stand, as the Act's and the strategy's own
# wording has them ("Crime and disorder reduction, including antisocial behaviour, in
# communities and neighbourhoods"; "Helping victims, witnesses or other people affected by
# crime") and as finance teams shorten them ("Crime & disorder", "Drugs & alcohol").
# A Welsh body types them in Welsh too, or in both languages ("Lleihau aildroseddu /
# Reducing re-offending"): disorder is "anhrefn", reducing crime "lleihau troseddu",
# anti-social "gwrthgymdeithasol"; drugs "cyffuriau", substances "sylweddau", misuse
# "camddefnyddio"; re-offending "aildroseddu"; victims "dioddefwyr", witnesses "tystion" (with
# the mutations a word takes after another: "a thystion", "i ddioddefwyr").
_PURPOSE_WORDS = (
    (
        re.compile(
            r"\bdisorder\b|\banti-?\s?social\b|\basb\b"
            r"|\banhrefn\b|\bgwrthgymdeithasol\b|\blleihau (?:t|d|th|nh)rosedd"
        ),
        S143_PURPOSES[0],
    ),
    (
        re.compile(r"\bdrugs?\b|\balcohol\b|\bsubstances?\b|\bcyffuriau\b|\bsylweddau\b"),
        S143_PURPOSES[1],
    ),
    (re.compile(r"\bre-?\s?offend|\bail-?\s?droseddu"), S143_PURPOSES[2]),
    (
        re.compile(r"\bvictims?\b|\bwitness(?:es)?\b|\bd?dioddefwyr\b|\b(?:t|d|th)ystion\b"),
        S143_PURPOSES[3],
    ),
)


def s143_purpose(text: str) -> str | None:
    """The s143 purpose ``text`` names (one of :data:`S143_PURPOSES`), or None.

    Several purposes typed in one cell (separated by ``;``, ``/``, commas or line breaks) are
    fine: the first one recognised is returned; failing a name, the first purpose whose words
    the text uses. "N/A", "None", "-" or "TBC" name no purpose.
    """
    known = _s143_names()
    whole = known.get(normalise(text).rstrip("."))
    if whole is not None:
        return whole
    for part in _PURPOSE_SEPARATORS.split(text):
        found = known.get(normalise(part).rstrip("."))
        if found is not None:
            return found
    key = normalise(text)
    named = [(m.start(), purpose) for words, purpose in _PURPOSE_WORDS if (m := words.search(key))]
    return min(named)[1] if named else None


@functools.lru_cache(maxsize=1)
def _s143_names() -> dict[str, str]:
    names = {normalise(p): p for p in S143_PURPOSES}
    for purpose, aliases in S143_ALIASES.items():
        names.update({normalise(alias): purpose for alias in aliases})
    return names


def is_s143_fund(fund: str, wanted: Iterable[str]) -> bool:
    """Whether ``fund`` is one of the funds named by ``wanted`` (the s143_funds setting),
    either side of a bilingual name included: a Welsh body's "Cronfa Diogelwch Cymunedol /
    Community Safety Fund" is the Community Safety Fund, and its lines need a purpose too."""
    from pipeline.welsh import parts

    names = {normalise(name) for name in wanted}
    return normalise(fund) in names or any(
        normalise(piece) in names for index, (piece, _) in enumerate(parts(fund)) if index % 2 == 0
    )
