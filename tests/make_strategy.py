"""A fixture Commissioning Strategy, made from the seed decision's text (#17).

The seed (``shared/seed/000_…txt``, Lincolnshire decision 015/2021) holds, after the form, the
Commissioning Strategy the decision approves: a title page, Document Control Information (a
field table, then the three-column change-control table: change · initials and date ·
version), Contents, sections 1–4 and Appendices 1–2; Appendix 3 is the plan the tool generates.
This script writes that strategy as a Word document, the way a commissioning team keeps it:
real heading styles (sections Heading 1, numbered subsections Heading 2 and 3), bullets, a
Contents field (``TOC \\o "1-3" \\h``), each part on a new page::

    .venv/bin/python -m tests.make_strategy [OUT.docx]   # default: tests/fixtures/…

The seed is looked for in ``shared/seed/`` beside the repository (or its worktree's parents).
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parent.parent
SEED_NAME = "000_4c901fbc2035b96e.txt"
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "commissioning-strategy-2021.docx"

_MARKUP = re.compile(r"<sup>\s*\d+\s*</sup>|<[^>]+>|\*\*|\*")
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\s+\S")


def seed_path() -> Path | None:
    """The seed text, in ``shared/seed/`` beside the repository or one of its parents."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "seed" / SEED_NAME
        if candidate.is_file():
            return candidate
    return None


def strategy_lines(seed: Path) -> list[str]:
    """The strategy's lines of the seed: from its title page to the end of Appendix 2."""
    lines = seed.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Commissioning Strategy") + 1
    end = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("#") and "Appendix 3: Commissioning Plan" in line
    )
    return lines[start:end]


def plain(text: str) -> str:
    return html.unescape(_MARKUP.sub("", text)).strip()


def heading_level(title: str) -> int:
    """Sections and appendices are level 1, 3.1 level 2, 3.3.1 level 3, the rest level 3."""
    if title.startswith("Appendix") or title == "Document Control Information":
        return 1
    numbered = _NUMBERED.match(title)
    if numbered:
        return min(numbered.group(1).count(".") + 1, 3)
    return 3


def _page_break_before(paragraph: Any) -> None:
    paragraph.paragraph_format.page_break_before = True


def _toc(document: Any) -> None:
    """A Contents field the office suite fills in (Word on open, LibreOffice on export)."""
    paragraph = document.add_paragraph()
    for kind, text in (("begin", None), ("instr", ' TOC \\o "1-3" \\h '), ("separate", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    paragraph.add_run("Right-click to update the table of contents.")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _table(document: Any, rows: list[list[str]], header: bool) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for row, values in zip(table.rows, rows, strict=True):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, value in zip(row.cells, values, strict=True):
            cell.paragraphs[0].add_run(value).bold = header and row is table.rows[0]
    if header:
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def build(seed: Path, out: Path) -> Path:
    """Write the strategy of ``seed`` to ``out``; return ``out``."""
    document = Document()
    document.core_properties.title = "PCC Commissioning Strategy 2021"
    document.core_properties.language = "en-GB"
    lines = strategy_lines(seed)
    control: list[list[str]] = []
    changes: list[list[str]] = []
    in_contents = False
    new_page = False
    for raw in lines:
        line = raw.strip()
        if not line or line == "---" or line.startswith("<sup>"):
            continue
        text = plain(line.lstrip("#").lstrip("-").strip())
        if line.startswith("#"):
            if control or changes:
                _table(document, control, header=False)
                _table(document, changes, header=True)
                control, changes = [], []
            if text == "Contents":
                title = document.add_paragraph(text, style="Title")
                _page_break_before(title)
                _toc(document)
                in_contents, new_page = True, True
                continue
            in_contents = False
            if text in (
                "Lincolnshire Police and Crime Commissioner",
                "PCC Commissioning Strategy 2021",
            ):
                document.add_paragraph(text, style="Title")
                continue
            level = heading_level(text)
            heading = document.add_heading(text, level=level)
            if text == "Document Control Information" or (level == 1 and new_page):
                _page_break_before(heading)
            new_page = level == 1 or new_page
            continue
        if in_contents:
            continue  # the Contents field stands for the seed's typed list
        if "\t" in raw:  # a table row; a blank value leaves only a trailing tab
            cells = [plain(c).rstrip(":") for c in raw.split("\t")]
            if len(cells) == 3:
                changes.append(cells)
            else:
                control.append(cells[:2] if len(cells) >= 2 else [cells[0], ""])
            continue
        if line.startswith("- "):
            document.add_paragraph(plain(line[2:].lstrip("✓ ")), style="List Bullet")
            continue
        document.add_paragraph(text)
    update = OxmlElement("w:updateFields")  # Word fills the Contents when it opens the file
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


def main(argv: list[str]) -> int:
    seed = seed_path()
    if seed is None:
        print(f"the seed {SEED_NAME} was not found in shared/seed/ beside the repository")
        return 2
    out = Path(argv[0]) if argv else DEFAULT_OUT
    print(f"wrote {build(seed, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
