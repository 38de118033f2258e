"""The Request for Decision's Welsh marked as Welsh, as the HTML marks it (:mod:`pipeline.welsh`).

The report's language is English (United Kingdom); a Welsh body's name, a Welsh subject or the
Welsh side of a bilingual fund name ("Cronfa Dioddefwyr / Victims Fund") filled into it was
read by a screen reader with an English voice, in Word and in the PDF made from it (WCAG 3.1.2,
Language of Parts). Each run of the report holding such a passage gets Word's language mark,
``<w:lang w:val="cy-GB"/>``; a run holding Welsh and English is split so that only the Welsh
is marked. A run whose language the template or the strategy already sets is left as it is.

A Welsh body's form in Welsh (a template whose default language is cy-GB) is the other way
about: the report is read in Welsh, and the plan's English (a provider's name, the English
side of a bilingual subject or fund) is marked English (United Kingdom), ``en-GB``.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Iterator
from typing import Any

from pipeline.docx_finish import LANGUAGE, WELSH, report_language
from pipeline.docx_markup import text_parts
from pipeline.model import Decision, Fund, FundingSource, Plan
from pipeline.welsh import english_passages, may_hold_welsh, welsh_passages

WELSH_GB = WELSH
ENGLISH_GB = LANGUAGE
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _qn(tag: str) -> str:
    return f"{{{_W}}}{tag.removeprefix('w:')}"


def plan_texts(plan: Plan) -> Iterator[str]:
    """Every text of the plan the report may print: the decision's fields, the funds', the
    sources' and the lines'."""
    decision = plan.decision
    yield from (decision.body, decision.maker)
    records: tuple[Decision | Fund | FundingSource, ...] = (decision, *plan.funds, *plan.sources)
    for record in records:
        for item in dataclasses.fields(record):
            value = getattr(record, item.name)
            if isinstance(value, str):
                yield value
    for line in plan.lines:  # named, not looked up: a plan may have 10,000
        yield from (line.fund, line.service, line.organisation, line.provision)
        yield from (line.extension_options, line.how_commissioned, line.purpose)


def mark_welsh(document: Any, plan: Plan, generated: Iterable[str] = ()) -> int:
    """Mark the Welsh of ``plan`` in the rendered ``document`` (python-docx) as Welsh; return
    how many runs now say so. An English plan costs one look at its texts.

    A report whose template is set in Welsh (a Welsh body's form in Welsh) is read in Welsh
    throughout: there the plan's English (a provider's name, the English side of a bilingual
    fund name) is what is marked, as English (United Kingdom), and so is the English the tool
    wrote into it, ``generated`` (:func:`pipeline.docx_context.generated_english`)."""
    texts = list(plan_texts(plan))
    language = WELSH_GB
    if report_language(document) == WELSH_GB:
        language = ENGLISH_GB
        pattern = english_passages(texts, generated)
    else:
        pattern = welsh_passages(texts) if may_hold_welsh(texts) else None
    if pattern is None:
        return 0
    marked = 0
    for part in text_parts(document):
        for run in list(part.element.iter(_qn("w:r"))):
            marked += _mark_run(run, pattern, language)
    return marked


def default_language(document: Any) -> str:
    """``document``'s own language: its styles' default, else English (United Kingdom)."""
    values = document.styles.element.xpath("./w:docDefaults//w:lang/@w:val")
    return str(values[0]) if values else ENGLISH_GB


def keep_language(strategy: Any, report: Any) -> int:
    """Mark the runs of ``strategy`` (python-docx, before it is composed into ``report``), its
    footnotes' included, with the strategy's own language where the report's default is
    another; return how many runs were marked.

    Composed, the strategy's text takes the report's defaults (docxcompose keeps the report's
    styles): an English strategy in a Welsh body's form in Welsh was read with a Welsh voice.
    A run that says its language already keeps it. English is published as British English:
    a strategy typed in Word set up for the United States says en-US (in its styles, its runs,
    its footnotes), and was read with an American voice and spell-checked as American."""
    own = _british(default_language(strategy))
    others = own.split("-")[0].lower() != default_language(report).split("-")[0].lower()
    _britain_styles(strategy.styles.element)
    marked = 0
    for part in text_parts(strategy):  # its body, headers and footers, footnotes and endnotes
        for run in part.element.iter(_qn("w:r")):
            marked += _keep_run(run, own if others else None)
    return marked


def _british(language: str) -> str:
    """``language``, English of any country made English (United Kingdom)."""
    return ENGLISH_GB if language.split("-")[0].lower() == "en" else language


def _britain_styles(styles: Any) -> None:
    for language in styles.iter(_qn("w:lang")):
        value = language.get(_qn("w:val"))
        if value is not None:
            language.set(_qn("w:val"), _british(value))


def _keep_run(run: Any, own: str | None) -> int:
    """Mark ``run`` ``own`` where it says no language (None: leave it to the report's), or
    British English where it says another English; 1 if it was changed."""
    language = run.find(f"{_qn('w:rPr')}/{_qn('w:lang')}")
    value = None if language is None else language.get(_qn("w:val"))
    if value is not None:
        if _british(value) == value:
            return 0
        language.set(_qn("w:val"), _british(value))
    elif own is None:
        return 0
    elif language is None:
        _set_language(run, own)
    else:  # an East Asian or bidi language alone
        language.set(_qn("w:val"), own)
    return 1


def _mark_run(run: Any, pattern: re.Pattern[str], language: str = WELSH_GB) -> int:
    texts = run.findall(_qn("w:t"))
    whole = "".join(t.text or "" for t in texts)
    if not whole.strip() or not pattern.search(whole):
        return 0
    properties = run.find(_qn("w:rPr"))
    if properties is not None and properties.find(_qn("w:lang")) is not None:
        return 0  # the template's or the strategy's own choice
    pieces = _pieces(whole, pattern)
    others = [c for c in run if c.tag not in (_qn("w:rPr"), _qn("w:t"))]
    if len(pieces) == 1 or len(texts) != 1 or others:
        # All one passage, or a run with tabs or breaks beside its text: marked whole only when
        # its words are the passages' throughout.
        if all(found for piece, found in pieces if piece.strip()):
            _set_language(run, language)
            return 1
        return 0
    for piece, found in pieces:
        copied = copy.deepcopy(run)
        text = copied.find(_qn("w:t"))
        text.text = piece
        text.set(_XML_SPACE, "preserve")
        if found:
            _set_language(copied, language)
        run.addprevious(copied)
    run.getparent().remove(run)
    return sum(1 for _, found in pieces if found)


def _pieces(text: str, pattern: re.Pattern[str]) -> list[tuple[str, bool]]:
    """``text`` cut into its Welsh passages and what lies between them."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in pattern.finditer(text):
        if match.start() > at:
            pieces.append((text[at : match.start()], False))
        pieces.append((match.group(), True))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def _set_language(run: Any, value: str) -> None:
    from docx.oxml import OxmlElement

    properties = run.find(_qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run.insert(0, properties)
    language = OxmlElement("w:lang")
    language.set(_qn("w:val"), value)
    # w:lang comes late in w:rPr's sequence (before w:eastAsianLayout and what follows).
    later = [_qn(t) for t in ("w:eastAsianLayout", "w:specVanish", "w:oMath", "w:rPrChange")]
    following = next((c for c in properties if c.tag in later), None)
    if following is not None:
        following.addprevious(language)
    else:
        properties.append(language)
