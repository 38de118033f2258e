"""People named without a title, where the words around them say a person is meant.

``Contact Sarah Jones for referrals`` typed into a Provision cell names an officer as surely as
``Mrs S Jones`` does, and published files carry no one's name (domain §9). A name alone cannot
be told from an organisation's (``Victim Support``, ``Lincolnshire Police``), and a wrong
redaction in a published decision is worse than none, so a name is removed only when all of
these hold:

- words that introduce a person come before it: ``contact``, ``ask for``, ``speak to``,
  ``call``, ``e-mail``, ``managed by``, ``led by``, ``lead officer:``, or in Welsh
  ``cysylltwch â``, ``gofynnwch am``, ``rheolir gan`` (or another name already removed, joined
  by ``and``, ``or``, a comma or a slash);
- its first word is a common forename (:data:`FORENAMES`: not one that is also an everyday word,
  ``Grace``, ``Hope``, ``May``), then an initial or not, then a capitalised surname;
- the surname is not a word of a place or an organisation (``Victoria House``, ``Grace
  Church``; a place's word that is also a common surname, ``Green``, ``Hall``, only after
  ``Victoria``), no further capitalised word follows (``Jack Petchey Foundation``, ``Sarah
  Jones Associates``, ``Sarah Jones Ltd``: an organisation named after a person), and the two
  words are not a charity's name (``Marie Curie``, ``Anthony Nolan``) nor the start of an
  organisation the plan being published names on any line (:func:`organisations_named`: a
  list cannot know every hospice named after its founder).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from collections.abc import Iterable, Iterator


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Common forenames in England and Wales (ONS birth registrations across the generations now at
# work), Welsh, South Asian, Polish and other names common in the UK. Names that are also
# everyday words or places (Grace, Hope, Faith, Joy, Rose, Ruby, Holly, May, June, April,
# Summer, Dawn, Chase, Lincoln, Chester, Victoria's "Victoria Park" is caught by the surname)
# are left out: after "contact" they may begin an organisation's name.
FORENAMES = _words(
    """
    Aaron Abdul Abigail Adam Adrian Ahmed Aidan Aisha Alan Alex Alexander Alexandra Ali Alice
    Alison Amanda Amelia Amir Amy Andrea Andrew Andy Angela Anil Anita Ann Anna Anne Annette
    Anthony Antony Arthur Ashley Aled Alun Ayesha Barbara Barry Ben Benjamin Bernard Beth Bethan
    Beverley Bob Brenda Brian Bridget Bryn Callum Carl Carly Caroline Carolyn Carys Catherine
    Catrin Cerys Charles Charlie Charlotte Chloe Chris Christina Christine Christopher Claire
    Clare Colin Craig Dafydd Daniel Danielle Darren Dave David Dean Debbie Deborah Debra Deepak
    Denise Dennis Derek Diane Dominic Donna Dylan Eddie Edward Eileen Elaine Eleanor Eleri Elin
    Elizabeth Ella Ellie Emily Emma Emyr Eric Esther Ewa Fatima Ffion Fiona Frances Francesca
    Gail Gareth Gary Gavin Gemma Geoff Geoffrey George Georgia Gerald Gillian Glenys Gordon
    Graham Greg Gregory Gwen Gwyn Hannah Harriet Harry Hassan Hayley Helen Henry Huw Ian Imran
    Irene Isabel Isabella Isobel Iwan Jacqueline Jake James Jamie Jan Jane Janet Janice Jason Jean
    Jeff Jennifer Jenny Jeremy Jessica Jill Joan Joanna Joanne Jodie John Jon Jonathan Jo Joe
    Joseph Josephine Joshua Joyce Judith Julia Julian Julie Justin Karen Kate Katherine Kathleen
    Kathryn Katie Katy Kay Keith Kelly Kerry Kevin Kim Kirsty Laura Lauren Lee Leigh Lesley Leslie
    Liam Linda Lindsay Lisa Liz Llinos Lorraine Louise Lucy Luke Lynne Mandy Maria Marie Marion
    Mark Martin Mary Matt Matthew Megan Melanie Michael Michelle Mike Mohammed Mohammad Mohamed
    Muhammad Nadia Natalie Natasha Neil Nia Nicholas Nick Nicola Nicole Nigel Nikki Nina Omar
    Owain Owen Pamela Patricia Patrick Paul Paula Pauline Peter Philip Phillip Piotr Priya Rachel
    Rachael Rajesh Ravi Rebecca Rhian Rhiannon Rhys Richard Rob Robert Robin Roger Ronald Ross
    Ruth Ryan Sally Sam Samantha Samuel Sandra Sanjay Sara Sarah Scott Sean Shaun Sharon Sheila
    Shirley Siân Sian Simon Sinead Sophie Stella Stephanie Stephen Steve Steven Stuart Sue Susan
    Suzanne Tanya Teresa Theresa Thomas Tim Timothy Tina Toby Tom Tomasz Tony Tracey Tracy Trevor
    Valerie Vanessa Vicky Victoria Vikki Wayne Wendy William Yasmin Yusuf Zainab Zoe Zoë
    Alfie Archie Ava Elsie Erin Ethan Evelyn Evie Finley Florence Freddie Freya Harrison Harvey
    Hugo Imogen Isaac Isla Ivy Jack Jacob Layla Leo Lily Logan Lucas Maisie Matilda Mia Millie
    Noah Oliver Olivia Oscar Phoebe Poppy Reggie Reuben Rosie Sienna Sofia Sophia Teddy Theo
    Theodore Thea Tommy
    """
)

# Charities and funders named after a person: the name is the organisation's.
_NAMED_ORGANISATIONS = frozenset(
    {
        "Marie Curie",
        "Sue Ryder",
        "Leonard Cheshire",
        "Terrence Higgins",
        "Lucy Faithfull",
        "Suzy Lamplugh",
        "Jo Cox",
        "Joseph Rowntree",
        "Henry Smith",
        "Paul Hamlyn",
        "Marie Stopes",
        "Stephen Lawrence",
        "Ben Kinsella",
        "Alice Ruggles",
        "John Lewis",
        "Anthony Nolan",
        "Helen Bamber",
        "Paul Sartori",
        "Victoria Derbyshire",
        "Esmée Fairbairn",
        "Esmee Fairbairn",
        "Florence Nightingale",
        "Jack Petchey",
        "Marie Collins",
        "Amy Winehouse",
        "Rosie May",
        "Kelly Holmes",
        "Robert Owen",
        "David Lewis",
        "Elizabeth Finn",
        "Anne Frank",
        "George Thomas",
        "Daniel Spargo-Mabbs",
    }
)

# A surname that is a word of a place or an organisation: "Victoria House", "Grace Church".
_PLACE_WORDS = _words(
    """
    Academy Advocacy Aid Alliance Appeal Association Avenue Building Care Centre Center Centres
    Chambers Charity Church Clinic Close College Community Cottage Council Court Crescent Crisis
    Drive Estate Farm Fields Foundation Fund Gardens Gate Group Health Helpline Home Homes
    Hospice Hospital House Housing Hub Justice Line Lodge Ministries Mission Network Office Park
    Partnership Place Police Practice Project Refuge Road Row School Service Services Society
    Square Station Street Support Surgery Team Terrace Tower Trust Unit Village Walk Way Women
    """
)
# Words of a place that are also among the commonest surnames: "Amy Green" is a person, and a
# place's name has a further word ("Hall Green Surgery", "Green Lane", caught by the rule for a
# following capitalised word). After a forename that names places (Victoria Hall) they are a
# place's all the same.
_SURNAME_PLACE_WORDS = _words("Green Hall Hill Lane Ward")
_PLACE_FORENAMES = _words("Victoria")
# Capitalised words that may follow a person's name in a sentence: not a longer name.
_SENTENCE_WORDS = _words(
    """
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Mon Tue Tues Wed Thu Thur Thurs Fri
    """
)

# What joins a second name to one removed: "Sarah Jones or Tom Brown" (in Welsh a, ac, neu).
_JOINER = r",|/|&|\band\b|\bor\b|\bac?\b|\bneu\b"
# Words that introduce a person, or a joiner after a name removed (by a title, "Mr J Smith or
# ...", or here). Case is ignored here only: the name itself must be capitalised.
_CUE = (
    r"(?i:\b(?:contacts?(?:\s+(?:name|person|officer|details|is))?|named\s+contact"
    r"|ask\s+for|speak\s+(?:to|with)|talk\s+to|refer(?:rals?)?\s+(?:to|via)|call|ring"
    r"|(?:tele)?phone|e-?mail|write\s+to|c/o|attn|fao|for\s+the\s+attention\s+of"
    r"|(?:managed|led|run|overseen|supervised|co-?ordinated|delivered|provided)\s+by"
    r"|lead(?:\s+(?:officer|worker|contact))?|manager|co-?ordinator"
    # In Welsh: contact, ask for, speak to, phone, e-mail, managed by, led by.
    r"|cysyllt(?:wch|u)\s+(?:â|ag?)|gofynnwch\s+am|siaradwch\s+(?:â|ag?)|ffoniwch"
    r"|e-?bostiwch|(?:rheolir|arweinir|darperir)\s+gan)\b)"
    rf"|(?:\[removed\]\s*)?(?P<joiner>{_JOINER})"
)
_UPPER = "A-ZÀ-ÖØ-Þ"
_WORD = rf"[{_UPPER}][\w'’-]*[^\W\d_]"
_NAMED = (
    rf"(?P<cue>{_CUE})(?P<gap>\s*[:–-]?\s*)"
    rf"(?P<first>[{_UPPER}][^\W\d_]+(?:-[{_UPPER}][^\W\d_]+)?)(?P<middle>\s+[{_UPPER}]\.?)?\s+(?P<last>{_WORD})"
    r"(?![\w'’-])"
)
_FOLLOWING = re.compile(rf"\s+(?:&|[{_UPPER}][\w'’-]*)")
# Stems of the cues, lower case: a text holding none needs no pattern.
_STEMS = (
    *("contact", "ask for", "speak", "talk to", "refer", "call", "ring", "phone", "mail"),
    *("write to", "c/o", "attn", "fao", "attention", " by", "lead", "manager", "ordinator"),
    *("cysyllt", "gofynnwch", "siaradwch", "ffoniwch", "bostiwch", " gan"),
    "[removed]",
)


# The leading words of each organisation the plan being published names (casefolded): a name
# the plan gives as a line's organisation ("Anthony Nolan", "Paul Sartori Hospice") is an
# organisation's wherever its text uses it, whatever the lists above know.
_PLANNED: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "planned_organisations", default=frozenset()
)


@contextlib.contextmanager
def organisations_named(names: Iterable[str]) -> Iterator[None]:
    """Within the block, a name that is (or begins) one of ``names`` is never removed."""
    leading: set[str] = set()
    for name in names:
        words = name.casefold().split()
        leading.update(" ".join(words[:end]) for end in range(2, len(words) + 1))
    token = _PLANNED.set(frozenset(leading))
    try:
        yield
    finally:
        _PLANNED.reset(token)


def planned_organisations() -> frozenset[str]:
    """What :func:`organisations_named` set (a cache of scrubbed text keys on it)."""
    return _PLANNED.get()


def _planned(name: str) -> bool:
    return name.casefold() in _PLANNED.get()


@functools.cache
def _named() -> re.Pattern[str]:
    return re.compile(_NAMED)


def _place(first: str, last: str) -> bool:
    """Whether ``first last`` is a place's name ("Victoria House"; "Victoria Hall", not "Amy
    Hall")."""
    return last in _PLACE_WORDS or (last in _SURNAME_PLACE_WORDS and first in _PLACE_FORENAMES)


def _person(match: re.Match[str]) -> bool:
    """Whether the name ``match`` found is a person's (see the module docstring)."""
    first, last = match.group("first"), match.group("last")
    if not all(part in FORENAMES for part in first.split("-")) or _place(first, last):
        return False
    if f"{first} {last}" in _NAMED_ORGANISATIONS or _planned(f"{first} {last}"):
        return False
    following = _FOLLOWING.match(match.string, match.end())
    # A further capitalised word makes a longer name: an organisation named after a person.
    return not following or following.group().strip() in _SENTENCE_WORDS


def scrub_named_people(text: str, removed: str) -> str:
    """``text`` with each person named after words that introduce one (``Contact Sarah
    Jones``) replaced by ``removed``; organisations' names are kept.

    One pass: a joiner (``, Tom Brown``) introduces a name only right after one removed, so a
    list of names is met in order, not by a pass for each (a cell listing 2,000 names took 14
    seconds)."""
    lowered = text.lower()
    if not any(stem in lowered for stem in _STEMS):
        return text
    pieces: list[str] = []
    done = 0  # the text before this is in pieces
    removed_to = -1  # where the last name removed ends
    pattern = _named()
    match = pattern.search(text)
    while match is not None:
        joined = match.group("joiner") is not None and not match.group().startswith("[")
        after_removed = removed_to >= 0 and not text[removed_to : match.start()].strip()
        if (not joined or after_removed) and _person(match):
            pieces += [text[done : match.start("first")], removed]
            done = removed_to = match.end()
            match = pattern.search(text, match.end())
        else:
            match = pattern.search(text, match.start() + 1)
    return "".join(pieces) + text[done:]
