"""Welsh in the plan's text, so that what is published in HTML can say which language it is in.

A Welsh body names itself, its funds and its decisions in Welsh, or in both languages
("Cronfa Dioddefwyr / Victims Fund"). A page marked ``lang="en-GB"`` makes a screen reader read
the Welsh with an English voice, which is hard to follow; WCAG 3.1.2 (Language of Parts) asks
for the Welsh to be marked ``lang="cy"``. The text comes from a cell with nothing saying its
language, so it is recognised here by its words: the Welsh of the bodies' own titles, funds and
services, and Welsh's common short words, against the English of the same. A name the two
languages share (Dyfed-Powys, Gwent) says nothing either way.

Each side of a bilingual text (split where a slash, a bar or a spaced dash parts them, or a
line break) is judged on its own, so only the Welsh side is marked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeAlias

from pipeline.textsafe import for_publication

WELSH = "cy"

# Words only Welsh writes, as the bodies' titles, funds and services use them, with their
# mutated forms (after "a", "o", "ei", "yng": "throseddu", "gronfa", "nghymru").
_WELSH_LIST = """
    heddlu heddlu'r comisiynydd gomisiynydd chomisiynydd nghomisiynydd throseddu troseddu
    trosedd droseddu troseddau throseddau troseddol troseddwyr aildroseddu swyddfa cynllun
    gynllun chynllun nghynllun comisiynu gomisiynu strategaeth penderfyniad benderfyniad
    cronfa gronfa chronfa nghronfa dioddefwyr ddioddefwyr diogelwch cymunedol gymunedol
    cymuned cymunedau gwasanaethau wasanaethau gwasanaeth wasanaeth domestig rhywiol trais
    thrais cefnogi cymorth chymorth tystion lleihau ymddygiad gwrthgymdeithasol ieuenctid
    pobl ifanc blwyddyn flwyddyn ariannol cyllideb gyllideb cyllid ariannu grantiau adroddiad
    rheolwr swyddog weithredwr gweithredwr cymeradwyo argymhelliad argymhellion menywod
    merched cyfiawnder partneriaeth partneriaethau maer dirprwy camddefnyddio sylweddau
    cyffuriau atal diogel diogelu lles iechyd meddwl cyngor bwrdd addysg digartrefedd
    gwirfoddol cynghorau awdurdod lleol llywodraeth cenedlaethol gogledd ngogledd
    gorllewin dwyrain canolbarth cymru gymru nghymru chymru cymraeg gyfan holl
"""
# "Cymru" (Wales) alone says nothing either way: a UK body's Welsh branch is named in English
# with it after ("Barnardo's Cymru", "NFU Cymru"), as "Victim Support Cymru" is.
_WALES = frozenset({"cymru", "gymru", "nghymru", "chymru"})
# Welsh's short words: alone ("AC" is someone's initials, "Y" a yes) they say nothing, so a
# text needs two of them, or a word of the list above, to read as Welsh.
_WELSH_SHORT_LIST = """
    y yr yn ac ar gyfer ei ein eich mae sy wedi gan gyda drwy trwy dros rhwng neu hefyd pob
"""
# The English of the same titles and funds: a text with more of these is English (a name
# such as "Victim Support Cymru" keeps its English voice).
_ENGLISH_LIST = """
    the and of for to in on with by at from fund funds police crime commissioner commissioners
    plan plans services service victims victim support community safety strategy
    commissioning office north south west east wales grant grants domestic abuse sexual
    violence reduction fire rescue mayor deputy local council youth justice women
"""
# More English of the plans' services and providers, with the list above the evidence that a
# text is English, where a Welsh report is to mark its English (:func:`english_passages`).
_ENGLISH_MORE_LIST = """
    rape crisis centre center children child young people family families trust limited ltd
    plc project partnership advocacy independent housing alcohol drugs substance misuse
    recovery restorative mental health care help helpline refuge shelter new house group
    offender offenders management scheme programme program county city borough neighbourhood
    watch street streets safer road roads stalking harassment exploitation modern slavery
    hate survivors survivor counselling therapy aid advice sanctuary adviser advisor
    commissioning budget total allocation contract agreement purpose
"""
_WELSH_LONG = frozenset(_WELSH_LIST.split())
_WELSH_SHORT = frozenset(_WELSH_SHORT_LIST.split())
_WELSH_WORDS = _WELSH_LONG | _WELSH_SHORT
_ENGLISH_WORDS = frozenset(_ENGLISH_LIST.split())
_ENGLISH_EVIDENCE = _ENGLISH_WORDS | frozenset(_ENGLISH_MORE_LIST.split())
# Letters the Welsh alphabet has not (k, q, v, x, z) and endings Welsh words have not: a word
# with one is English (or another language, never Welsh).
_NOT_WELSH = re.compile(r"[kqvxz]|(?:tion|ing|ness|ship|ly)$")
# Letters only Welsh uses among the languages a UK plan is typed in.
_WELSH_LETTERS = re.compile("[ŵŷẁẃẅỳŴŶ]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Where a bilingual text parts its languages: a slash or bar, a dash with spaces about it, a
# line break. "2021/22" and "Dyfed-Powys" are not parted.
_PARTING = re.compile(r"(\s*[|\n]\s*|\s+[/–—-]\s+|\s*/\s+|\s+/\s*)")


def may_hold_welsh(texts: Iterable[str]) -> bool:
    """Whether any of ``texts`` has a Welsh word or letter at all (False: none is Welsh).
    Each distinct text is looked at once: a plan of 10,000 lines repeats most of its texts."""
    joined = "\n".join(set(texts)).lower()
    words = {w.replace("’", "'") for w in _WORD.findall(joined)}
    return not words.isdisjoint(_WELSH_WORDS) or _WELSH_LETTERS.search(joined) is not None


def is_welsh(text: str) -> bool:
    """Whether ``text`` reads as Welsh rather than English (see the module's note)."""
    words = [w.replace("’", "'") for w in _WORD.findall(text.lower())]
    welsh = [w for w in words if w in _WELSH_LONG or _WELSH_LETTERS.search(w)]
    short = sum(1 for w in words if w in _WELSH_SHORT)
    long = 0 if short == 0 and _WALES.issuperset(welsh) else len(welsh)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    return (long > 0 or short > 1) and long + short > english


def is_english(text: str) -> bool:
    """Whether ``text`` reads as English: not Welsh, and with a word only English writes
    ("Rape Crisis", "Victim Support"); a name the two languages share ("Gwent") is neither."""
    words = [w.replace("’", "'") for w in _WORD.findall(text.lower())]
    evidence = any(w in _ENGLISH_EVIDENCE or _NOT_WELSH.search(w) for w in words)
    return evidence and not is_welsh(text)


def parts(text: str) -> list[tuple[str, bool]]:
    """``text`` in its languages' parts, in order, each with whether it is Welsh; the parting
    marks themselves are parts that are not. Joined, the parts are ``text``."""
    pieces = _PARTING.split(text)
    return [(piece, index % 2 == 0 and is_welsh(piece)) for index, piece in enumerate(pieces)]


def tag_html(text: str, escape: Callable[[str], str]) -> str:
    """``text`` for an HTML page, each part made safe by ``escape``, its Welsh parts each in
    ``<span lang="cy">``."""
    return "".join(
        f'<span lang="{WELSH}">{escape(piece)}</span>' if welsh else escape(piece)
        for piece, welsh in parts(text)
    )


def welsh_passages(texts: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern finding each Welsh part of ``texts`` as published (longest first, case
    ignored: a title may print in capitals), or None when there is no Welsh."""
    found = {
        piece.strip()
        for text in texts
        for piece, welsh in parts(for_publication(text))
        if welsh and piece.strip()
    }
    return _passages(found)


def english_passages(texts: Iterable[str], known: Iterable[str] = ()) -> re.Pattern[str] | None:
    """As :func:`welsh_passages`, the English parts of ``texts`` (:func:`is_english`): what
    a report in Welsh marks as English; with them the ``known`` English, taken whole (what
    the tool writes in English itself: "28 May 2021", "Yes")."""
    found = {
        piece.strip()
        for text in set(texts)
        for index, (piece, welsh) in enumerate(parts(for_publication(text)))
        if index % 2 == 0 and not welsh and piece.strip() and is_english(piece)
    }
    return _passages(found | {text.strip() for text in known if text.strip()})


def _passages(found: set[str]) -> re.Pattern[str] | None:
    if not found:
        return None
    # Whole words only: a passage is never found inside a longer word.
    return re.compile(rf"(?<!\w)(?:{_trie(found)})(?!\w)", re.IGNORECASE)


# A passage's letters, one level each; the key "" marks where a passage ends.
_Trie: TypeAlias = dict[str, "_Trie"]


def _trie(passages: Iterable[str]) -> str:
    """One pattern for all ``passages``, their shared beginnings written once (a plan of
    10,000 Welsh lines made a list of alternatives that took minutes to search a report).
    A passage that begins a longer one is optional after it, so the longest is found."""
    root: _Trie = {}
    for passage in passages:
        node = root
        for char in passage.lower():
            node = node.setdefault(char, {})
        node[""] = {}
    return _pattern(root)


def _pattern(node: _Trie) -> str:
    chain = []
    while "" not in node and len(node) == 1:  # a run of single letters, without recursion
        char, node = next(iter(node.items()))
        chain.append(re.escape(char))
    branches = [re.escape(c) + _pattern(child) for c, child in sorted(node.items()) if c]
    if not branches:
        return "".join(chain)
    group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a passage ends here; a longer one may go on
        group = f"(?:{group})?"
    return "".join(chain) + group


def tag_passages_html(
    text: str, passages: re.Pattern[str] | None, escape: Callable[[str], str]
) -> str:
    """``text`` for an HTML page, made safe by ``escape``, each of the Welsh ``passages`` it
    quotes (:func:`welsh_passages`) in ``<span lang="cy">``: a message naming a Welsh fund."""
    if passages is None:
        return escape(text)
    out, at = [], 0
    for match in passages.finditer(text):
        out += [escape(text[at : match.start()]), f'<span lang="{WELSH}">']
        out += [escape(match.group()), "</span>"]
        at = match.end()
    return "".join([*out, escape(text[at:])])
