"""A person's edits to output/index.html are kept when the page is redrawn (page_edits.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pipeline import batch
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.page_edits import edited, marked

PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head></html>'


def test_a_page_as_drawn_is_not_edited_and_any_change_is() -> None:
    page = marked(PAGE).encode("utf-8")
    assert b'name="generator"' in page
    assert not edited(page)
    assert edited(page.replace(b"<title>t</title>", b"<title>t</title><p>Note</p>"))
    assert edited(page.replace(b"<title>t</title>", b""))
    # A page drawn before the mark (or a person's own file of that name) may be anyone's work.
    assert edited(PAGE.encode("utf-8"))


def _build(drop: Path, force: bool = False) -> Path:
    out = drop.parent / "output"
    batch.build([drop], out, Config(), force=force)
    return out


def test_an_edited_page_is_kept_beside_it_when_a_build_redraws_it(drop: Path) -> None:
    out = _build(drop)
    page = out / "index.html"
    note = "<p>Signed copy is on the S: drive.</p></body>"
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", note), encoding="utf-8")
    _build(drop, force=True)
    assert note in (out / "index-edited.html").read_text(encoding="utf-8")
    assert note not in page.read_text(encoding="utf-8")
    assert not edited(page.read_bytes())
    # Edited again: a second copy, never over the first.
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", note), encoding="utf-8")
    _build(drop, force=True)
    assert (out / "index-edited-2.html").is_file()
    assert (out / "index-edited.html").is_file()


def test_a_page_not_edited_is_redrawn_without_a_copy(drop: Path) -> None:
    out = _build(drop)
    _build(drop, force=True)
    assert sorted(p.name for p in out.glob("index*")) == ["index.html"]


def test_pcc_report_index_keeps_an_edited_page_too(drop: Path) -> None:
    out = _build(drop)
    page = out / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- mine -->", encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "<!-- mine -->" in (out / "index-edited.html").read_text(encoding="utf-8")
    assert "I-PAGE-KEPT" in result.output and "index-edited.html" in result.output


def test_the_build_says_where_an_edited_page_went(drop: Path) -> None:
    out = _build(drop)
    page = out / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- mine -->", encoding="utf-8")
    args = ["build", str(drop), "--out", str(out), "--force", "--quiet"]
    said = CliRunner().invoke(cli, args, catch_exceptions=False).output
    assert "I-PAGE-KEPT" in said
    assert "it is kept as" in said and "index-edited.html" in said
    # Drawn afresh, the page is the tool's again: the next build keeps nothing and says nothing.
    said = CliRunner().invoke(cli, args, catch_exceptions=False).output
    assert "I-PAGE-KEPT" not in said
    assert sorted(p.name for p in out.glob("index*")) == ["index-edited.html", "index.html"]


def test_a_page_drawn_before_the_mark_is_kept_once(drop: Path) -> None:
    """An index.html without the generator element (an older version's page, or a person's own
    file under that name) is kept, not drawn over: nobody can tell it was not edited."""
    out = _build(drop)
    page = out / "index.html"
    older = page.read_text(encoding="utf-8").split('<meta name="generator"')[0] + "</head></html>"
    page.write_text(older, encoding="utf-8")
    _build(drop, force=True)
    assert (out / "index-edited.html").read_text(encoding="utf-8") == older
    assert not edited(page.read_bytes())
