"""The Commissioning Strategy named by the Decision sheet: found beside the workbook, checked.

The decision pack is the form, then the strategy the decision approves (a Word document the
commissioning team keeps beside the workbook, named in the Decision field ``Strategy
document``), then the generated Commissioning Plan appendix (#17). This module finds and checks
that document; :mod:`pipeline.docx_pack` composes it. ``check`` and ``build`` both call
:func:`strategy_finding`, so they agree on whether a pack can be made.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from pipeline.findings import Finding
from pipeline.model import Decision
from pipeline.word_formats import file_format

FIELD = "strategy_document"
# An appendix's heading: "Appendix 2", "Appendix B", "Appendix II", or in Welsh first, as a
# Welsh body's bilingual strategy heads it, "Atodiad 2 / Appendix 2".
_APPENDIX = re.compile(r"^\s*(?:Appendix|Atodiad)\s+(\d+|[IVX]+|[A-Z])\b", re.IGNORECASE)
# The plan's appendix as a Decision field cites it: "the Commissioning Plan at Appendix 3",
# "Appendix B: Commissioning Plan" (within a sentence).
_LABEL = r"(?i:appendix|atodiad)\s+(\d+|[IVX]+\b|[A-Z]\b)"
_CITED = re.compile(
    rf"(?i:commissioning\s+plan)\b[^.;]{{0,40}}?\b{_LABEL}|\b{_LABEL}[^.;]{{0,40}}?(?i:commissioning\s+plan)"
)
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")


class StrategyProblem(Exception):
    """The named strategy cannot be used; the message says why and what to do."""


def strategy_path(workbook: Path, decision: Decision) -> Path | None:
    """The strategy named by ``decision``, relative to the workbook's folder; None if not named.

    Raises :class:`StrategyProblem` for a name that leads outside that folder.
    """
    name = decision.strategy_document.strip()
    if not name:
        return None
    folder = workbook.resolve().parent
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):
        raise StrategyProblem(
            f'The Strategy document "{name}" is outside the workbook\'s folder; put the '
            "strategy in the folder of the workbook and type its file name alone, e.g. "
            "commissioning-strategy-2021.docx."
        )
    return path


def _unusable(path: Path, error: Exception) -> StrategyProblem:
    return StrategyProblem(
        f'The Strategy document "{path.name}" is not a readable Word document '
        f"({type(error).__name__}); open it in Word and save it as a Word Document "
        "(.docx), then run again."
    )


def check_strategy(path: Path) -> None:
    """Raise :class:`StrategyProblem` unless ``path`` is a Word document whose body reads as
    XML. Light enough for ``check`` (no python-docx or lxml: issue 21's imports)."""
    from defusedxml import ElementTree

    if not path.is_file():
        raise StrategyProblem(
            f'The Strategy document "{path.name}" was not found beside the workbook; put the '
            "strategy there under that name, or correct the name on the Decision sheet."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if not {"[Content_Types].xml", "word/document.xml"} <= names:
                raise zipfile.BadZipFile("no word/document.xml")
            ElementTree.fromstring(archive.read("word/document.xml"))
    except Exception as error:  # a zip or XML error, or a hostile file: not a usable .docx
        raise _other_format(path) or _unusable(path, error) from error
    problem = _other_format(path)
    if problem:  # a zip, but no Word document: python-docx would refuse it in the build
        raise problem


def _other_format(path: Path) -> StrategyProblem | None:
    """What to say of a strategy saved as another type than Word Document (a .docm, a .dotx,
    a .doc, an .odt): check passed a .docm and the build failed with E-RENDER."""
    kind = file_format(path)
    if not kind:
        return None
    return StrategyProblem(
        f'The Strategy document "{path.name}" is {kind}, which the pack cannot hold; open it '
        "in Word or LibreOffice and use File › Save As, type Word Document (.docx), and name "
        "that file on the Decision sheet."
    )


def open_strategy(path: Path) -> Any:
    """The strategy at ``path`` as a python-docx document; :class:`StrategyProblem` when the
    file is missing or is not a readable Word document."""
    from docx import Document

    check_strategy(path)
    try:
        return Document(str(path))
    except Exception as error:  # a content-type or relationship error python-docx found
        raise _unusable(path, error) from error


def find_strategy(
    file: str, workbook: Path, decision: Decision
) -> tuple[Path | None, Finding | None]:
    """The strategy the pack includes (None when none can be), and what to say about it:
    E-STRATEGY (at the field's cell) when the named file cannot be used, I-NO-STRATEGY when
    none is named, nothing when it can be composed."""
    cell = decision.at.cells.get(FIELD, "")
    try:
        path = strategy_path(workbook, decision)
        if path is None:
            return None, Finding(
                "I-NO-STRATEGY",
                file,
                "No Strategy document is named on the Decision sheet: the Request for Decision "
                "is built without the Commissioning Strategy.",
                decision.at.sheet,
            )
        check_strategy(path)
    except StrategyProblem as problem:
        return None, Finding("E-STRATEGY", file, str(problem), decision.at.sheet, cell)
    return path, None


def plan_appendix(decision: Decision, strategy: Any | None) -> str:
    """The plan appendix's number or letter: after the ``strategy`` document's own appendices
    (:func:`next_appendix`); with no strategy, the one the Decision sheet's own words cite the
    Commissioning Plan at ("the funding proposals within the Commissioning Plan at Appendix 3"),
    else "1": the form then has no other appendix."""
    if strategy is not None:
        return next_appendix(strategy)
    texts = (*decision.recommendations, decision.executive_summary, decision.background)
    for text in texts:
        match = _CITED.search(text)
        if match:
            return (match.group(1) or match.group(2)).upper()
    return "1"


def next_appendix(document: Any) -> str:
    """What the plan appendix is numbered after the strategy ``document``'s own appendix
    headings, as they are numbered: "3" after Appendices 1 and 2, "C" after A and B, "III"
    after I and II; "1" when it has none."""
    from pipeline.docx_finish import _heading_level, _style_names

    names = _style_names(document)
    labels = set()
    for paragraph in document.element.body.iterchildren("{*}p"):
        if _heading_level(paragraph, names) is None:
            continue
        match = _APPENDIX.match("".join(paragraph.xpath(".//w:t/text()")))
        if match and not match.group(1).islower():
            labels.add(match.group(1))
    return _after(labels)


def _after(labels: set[str]) -> str:
    """The label after the highest of ``labels`` (numbers, else letters from A, else Roman
    numerals)."""
    numbers = [int(label) for label in labels if label.isdigit()]
    if numbers or not labels:
        return str(max(numbers, default=0) + 1)
    romans = [_ROMAN.index(label) for label in labels if label in _ROMAN]
    if "A" not in labels and len(romans) == len(labels) and max(romans) + 1 < len(_ROMAN):
        return _ROMAN[max(romans) + 1]
    letters = [label for label in labels if len(label) == 1 and label < "Z"]
    return chr(ord(max(letters)) + 1) if letters else "1"
