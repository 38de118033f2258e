"""``output/index.html``: the shared output folder at a glance.

One static page (no server, no network, no script) for anyone opening the output folder from a
file share: per decision its status, the workbook it was built from, the funds with a small
bar each, the findings in the review note's words (what, where, what to do), whether it was
sent, and relative links to the files that exist. Failed workbooks come first. Every ``build``
redraws it; ``pcc-report index`` redraws it alone (:mod:`pipeline.index_entries` reads the
folder).

Accessibility (WCAG 2.1 AA): ``lang="en-GB"`` (a subject or fund name in Welsh marked
``lang="cy"``), headings in order, real tables with header cells and captions, each in a
region of its own that scrolls sideways on a narrow screen, every status in words (colour and
symbol only repeat it), text contrast of at least 4.5:1, and a print stylesheet. Workbook
text (subjects, fund names, messages quoting cells) goes through
:func:`pipeline.textsafe.for_html` after :func:`~pipeline.textsafe.scrub_personal_data`: markup
is escaped, so a hostile workbook cannot add an element or a script, and no e-mail address or
phone number reaches the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import NamedTuple

from pipeline.findings import Severity
from pipeline.index_entries import (
    Entry,
    FundFigures,
    Link,
    Status,
    as_of,
    read_entries,
    when,
)
from pipeline.index_set_aside import SetAside, set_aside
from pipeline.manifest import write_atomic
from pipeline.outputs import INDEX as INDEX
from pipeline.page_edits import keep_edited, marked
from pipeline.textsafe import for_html, scrub_personal_data
from pipeline.values import counted, format_money, format_percent
from pipeline.welsh import tag_html, tag_passages_html, welsh_passages

# Status -> (CSS class, symbol). The word is always shown; colour and symbol repeat it.
_LOOK = {
    Status.FAILED: ("failed", "✗"),
    Status.EDITED: ("attention", "!"),
    Status.OUT_OF_DATE: ("attention", "!"),
    Status.SPEND_CHANGED: ("attention", "!"),
    Status.DATE_CAME: ("attention", "!"),
    Status.REMADE: ("attention", "!"),
    Status.STOPPED: ("attention", "!"),
    Status.UP_TO_DATE: ("good", "✓"),
    Status.BUILT: ("good", "✓"),
    Status.ARCHIVED: ("kept", "–"),
    Status.RETIRED: ("kept", "–"),
}
_GROUPS = ((Severity.ERROR, "Errors", "error"), (Severity.WARNING, "Warnings", "warning"),
           (Severity.INFO, "Notes", "note"))  # fmt: skip
_BAR_WIDTH = 120  # the SVG bar's width in CSS pixels

_STYLE = """
:root { color: #1b1b1b; background: #ffffff; font-family: "Segoe UI", Calibri, Carlito,
  "Liberation Sans", Arial, sans-serif; font-size: 100%; line-height: 1.45; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; overflow-wrap: break-word; }
h1 { font-size: 1.8rem; margin: 0.5rem 0; }
h2 { font-size: 1.4rem; margin: 2.2rem 0 0.4rem; border-top: 3px solid #1d3f6e;
  padding-top: 0.8rem; }
h3 { font-size: 1.1rem; margin: 1.2rem 0 0.3rem; }
h4 { font-size: 1rem; margin: 0.8rem 0 0.2rem; }
a { color: #0b4f9c; }
a:focus { outline: 3px solid #b35900; outline-offset: 2px; }
table { border-collapse: collapse; margin: 0.3rem 0 0.8rem; }
caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
th, td { border: 1px solid #8a8a8a; padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
/* Words break only where one is wider than its line ('anywhere' let a table squeeze a fund's
   name to 'Victi/ms' and a subject to 'Commi/ssioner' on a phone); a table wider than the
   window scrolls inside its own region, not the page (WCAG 1.4.10 Reflow). A file name has no
   words (Plan_2021-22_FINAL_v3.xlsx): it may break anywhere rather than widen its table. */
.file { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; margin: 0.3rem 0 0.8rem;
  container-type: inline-size; }
.scroll > table { margin: 0; }
/* The caption is as wide as its table: held to the region's width and in view while the
   table scrolls under it, it wraps instead of being cut at the window's edge. */
.scroll caption { position: sticky; left: 0; max-width: 100cqw; }
.scroll:focus { outline: 3px solid #b35900; outline-offset: 2px; }
thead th { background: #e8edf3; }
td.money, th.money { text-align: right; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.2rem 1rem;
  margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.status { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 0.3rem;
  font-weight: 600; color: #ffffff; }
.status.failed { background: #a1001c; }
.status.attention { background: #7a4400; }
.status.good { background: #1d6330; }
.status.kept { background: #4a4a4a; }
.findings td:first-child { width: 40%; }
.what { font-weight: 600; display: block; }
ul.files { margin: 0.2rem 0; padding-left: 1.3rem; }
/* Each file link a target of at least 24 px from the next (WCAG 2.2, 2.5.8 Target Size),
   which one line of text apart was not. */
ul.files li { padding: 0.2rem 0; }
svg.bar { vertical-align: middle; }
.over { font-weight: 600; color: #a1001c; }
@media print {
  :root { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid-page; border-top: 2px solid #000000; }
  table, tr { break-inside: avoid; }
  .scroll { overflow: visible; }
  .status, .status.failed, .status.attention, .status.good, .status.kept {
    color: #000000; background: none; border: 1px solid #000000; }
  a { color: #000000; text-decoration: none; }
  ul.files a::after { content: " (" attr(href) ")"; font-size: 85%; }
}
"""


class Drawn(NamedTuple):
    """The page :func:`write_index` wrote, and where a person's edited page went first."""

    page: Path
    kept: Path | None


def write_index(
    out: Path, cwd: Path | None = None, recipe: Mapping[str, str] | None = None
) -> Drawn:
    """Draw ``out/index.html`` from the manifest and findings files in ``out``; write it
    atomically, and only when it changed (a build that changed nothing touches no file). A
    page a person edited is first kept as ``index-edited.html`` (:mod:`pipeline.page_edits`),
    and the caller says so.

    ``cwd`` is the folder the build ran from (the manifest's workbook paths are relative to
    it); ``recipe`` what a build would make outputs with now (see
    :func:`pipeline.index_entries.read_entries`).
    """
    entries = read_entries(out, cwd, recipe)
    page = marked(render(entries, as_of(out), set_aside(out))).encode("utf-8")
    target = out / INDEX
    try:
        if target.read_bytes() == page:
            return Drawn(target, None)
    except OSError:
        pass
    kept = keep_edited(target)  # a person's edits to the page: kept beside it, never drawn over
    write_atomic(target, page)
    return Drawn(target, kept)


def _esc(text: str) -> str:
    """Workbook text for the page: no personal data, markup escaped."""
    return for_html(scrub_personal_data(text))


def _named(text: str) -> str:
    """A name or title from the workbook (a subject, a fund) as :func:`_esc` makes it, its
    Welsh marked as Welsh (``lang="cy"``), so a screen reader reads it with a Welsh voice."""
    return tag_html(scrub_personal_data(text), for_html)


def render(entries: list[Entry], latest: str, aside: Sequence[SetAside] = ()) -> str:
    """The whole page for ``entries`` (already in page order), then the copies kept in
    ``stale/`` folders that no entry records (``aside``)."""
    failed = sum(1 for e in entries if e.failed)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Commissioning plans: what was built</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>Commissioning plans: what was built</h1>",
        f"<p>{_summary(entries, failed)}"
        + (f" Latest build: {_esc(when(latest))}." if latest else "")
        + "</p>",
        "</header>",
        "<main>",
    ]
    titles = _titles(entries)
    if entries:
        parts.append(_overview(entries, titles))
    else:
        parts.append("<p>Nothing has been built into this folder yet.</p>")
    parts += [
        _decision(number, entry, title)
        for number, (entry, title) in enumerate(zip(entries, titles, strict=True), 1)
    ]
    if aside:
        parts.append(_set_aside(aside))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _titles(entries: list[Entry]) -> list[str]:
    """Each decision's name on the page: its reference, with its workbook's name where
    another decision on the page has the same reference (a copy of the plan, E-DUPLICATE-REF),
    so that neither the eye nor a screen reader's list of headings and regions meets one name
    twice."""
    seen = Counter(entry.title.casefold() for entry in entries)
    return [
        f"{e.title} ({e.workbook})" if seen[e.title.casefold()] > 1 and e.workbook else e.title
        for e in entries
    ]


def _summary(entries: list[Entry], failed: int) -> str:
    if not entries:
        return "No workbooks recorded."
    removed = sum(1 for e in entries if e.status is Status.RETIRED)
    text = f"{counted(len(entries), 'workbook')}: {failed} failed"
    text += f", {len(entries) - failed - removed} built"
    return text + (f", {removed} removed." if removed else ".")


def _status_badge(entry: Entry) -> str:
    css, symbol = _LOOK[entry.status]
    badge = (
        f'<span class="status {css}"><span aria-hidden="true">{symbol} </span>'
        f"{entry.status.value}</span>"
    )
    if entry.stale_kept:
        badge += ' <span class="status kept">Stale copy kept</span>'
    return badge


def _overview(entries: list[Entry], titles: list[str]) -> str:
    rows = []
    for number, (entry, title) in enumerate(zip(entries, titles, strict=True), 1):
        counts = "".join(f'<td class="money">{entry.counts[s]}</td>' for s, _, _ in _GROUPS)
        rows.append(
            f'<tr><th scope="row"><a href="#decision-{number}">{_esc(title)}</a></th>'
            # one decision may have several workbooks (a copy, a rename)
            f'<td class="text"><span class="file">{_esc(entry.workbook)}</span></td>'
            f'<td class="text">{_named(entry.subject) or "–"}</td>'
            f"<td>{_esc(entry.year) or '–'}</td>"
            f"<td>{_status_badge(entry)}</td>{counts}</tr>"
        )
    head = "".join(
        f'<th scope="col">{label}</th>'
        for label in ("Decision", "Workbook", "Subject", "Financial year", "Status")
    ) + "".join(f'<th scope="col" class="money">{heading}</th>' for _, heading, _ in _GROUPS)
    table = _table(
        "overview-table",
        "Every workbook recorded in this folder, failed ones first",
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>",
    )
    return f'<nav aria-labelledby="overview"><h2 id="overview">Overview</h2>{table}</nav>'


def _table(ident: str, caption: str, rows: str, css: str = "", of: str = "") -> str:
    """A table in a region of its own that scrolls sideways when the table is wider than the
    window (a phone, or 400% zoom), so the page never does (WCAG 1.4.10). The region is named
    by the table's caption, then by the element ``of`` names (the decision's reference), and
    takes the keyboard's focus, so it can be scrolled by keys and a screen reader names it:
    each decision has its funds' and findings' tables, and a list of regions read "Allocation
    and commitments per fund" once for each, with no word of which decision it was."""
    opening = f'<table class="{css}">' if css else "<table>"
    named = f"{ident} {of}".strip()
    return (
        f'<div class="scroll" role="region" aria-labelledby="{named}" tabindex="0">'
        f'{opening}<caption id="{ident}">{caption}</caption>{rows}</table></div>'
    )


def _decision(number: int, entry: Entry, name: str) -> str:
    title = f'<span id="decision-{number}-title">{_esc(name)}</span>'
    heading = title + (f": {_named(entry.subject)}" if entry.subject else "")
    facts = [
        ("Status", _status_badge(entry)),
        ("Financial year", _esc(entry.year) or "–"),
        (
            "Workbook",
            f'<span class="file">{_esc(entry.workbook)}</span> '
            f"(SHA-256 {_esc(entry.workbook_sha) or '–'})",
        ),
        ("Built", _esc(when(entry.built_at)) or "–"),
        ("Sent", _sent(entry)),
    ]
    facts += [("Note", _esc(note)) for note in entry.notes]
    body = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    parts = [
        f'<section class="decision" aria-labelledby="decision-{number}">',
        f'<h2 id="decision-{number}">{heading}</h2>',
        f'<dl class="facts">{body}</dl>',
        "<h3>Files</h3>",
        _files(entry),
    ]
    if entry.funds:
        parts += ["<h3>Funds</h3>", _funds(number, entry.funds)]
    parts += ["<h3>Findings</h3>", _findings(number, entry), "</section>"]
    return "\n".join(parts)


def _set_aside(aside: Sequence[SetAside]) -> str:
    """The copies no workbook's entry records, a list of files per report folder."""
    folders = "".join(
        f"<h3>{_esc(kept.folder)}/stale/</h3>{_link_list(kept.links)}" for kept in aside
    )
    return (
        '<section class="set-aside" aria-labelledby="set-aside">'
        '<h2 id="set-aside">Set aside: not current</h2>'
        "<p>Files kept in the stale folders that no workbook above records: the reports of a "
        "decision a workbook held before it was saved over with another, or copies an earlier "
        "build set aside. They are kept as the record of what was built; none of them is "
        "current.</p>"
        f"{folders}</section>"
    )


def _sent(entry: Entry) -> str:
    if not entry.sent:
        return "Not sent"
    return "; ".join(
        f"{_esc(when(s.when))} to {counted(s.recipients, 'recipient')}" for s in entry.sent
    )


def _files(entry: Entry) -> str:
    if not entry.links:
        return "<p>No files.</p>"
    return _link_list(entry.links)


def _link_list(links: Sequence[Link]) -> str:
    items = "".join(f'<li><a href="{link.href}">{_esc(link.label)}</a></li>' for link in links)
    return f'<ul class="files">{items}</ul>'


def _funds(number: int, funds: tuple[FundFigures, ...]) -> str:
    head = '<th scope="col">Fund</th>' + "".join(
        f'<th scope="col" class="money">{label}</th>'
        for label in ("Allocation", "Committed", "Uncommitted")
    )
    rows = []
    for fund in funds:
        rows.append(
            f'<tr><th scope="row" class="text">{_named(fund.fund)}</th>'
            f'<td class="money">{format_money(fund.allocation)}</td>'
            f'<td class="money">{format_money(fund.committed)}</td>'
            f'<td class="money">{_uncommitted(fund)}</td><td>{_bar(fund)}</td></tr>'
        )
    return _table(
        f"funds-{number}",
        "Allocation and commitments per fund",
        f'<thead><tr>{head}<th scope="col">Committed share</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody>",
        of=f"decision-{number}-title",
    )


def _uncommitted(fund: FundFigures) -> str:
    if fund.uncommitted < 0:
        return f'<span class="over">over by {format_money(-fund.uncommitted)}</span>'
    return format_money(fund.uncommitted)


def _bar(fund: FundFigures) -> str:
    """A small bar: the committed share of the allocation, its words in the text beside it.

    The bar only draws the figure written beside it, so it is hidden from screen readers: as
    an image labelled with the share it made them read the percentage twice."""
    share = format_percent(fund.committed, fund.allocation)
    if fund.allocation > 0:
        ratio = min(max(fund.committed / fund.allocation, Decimal(0)), Decimal(1))
    else:
        ratio = Decimal(1) if fund.committed > 0 else Decimal(0)
    filled = int((ratio * _BAR_WIDTH).quantize(Decimal(1), ROUND_HALF_UP))
    over = fund.committed > fund.allocation
    colour = "#a1001c" if over else "#1d3f6e"
    return (
        f'<svg class="bar" width="{_BAR_WIDTH}" height="14" viewBox="0 0 {_BAR_WIDTH} 14" '
        'aria-hidden="true" focusable="false">'
        f'<rect x="0.5" y="0.5" width="{_BAR_WIDTH - 1}" height="13" fill="#ffffff" '
        'stroke="#5a5a5a"/><rect x="0.5" y="0.5" '
        f'width="{max(filled - 1, 0)}" height="13" fill="{colour}"/></svg> {share}'
        + (' <span class="over">over</span>' if over else "")
    )


def _findings(number: int, entry: Entry) -> str:
    # A message quoting a Welsh fund or subject ("committed to Cronfa Dioddefwyr lines") has
    # it marked Welsh, as the fund's own row is.
    welsh = welsh_passages([entry.subject, *(fund.fund for fund in entry.funds)])

    def message(text: str) -> str:
        return tag_passages_html(scrub_personal_data(text), welsh, for_html)

    totals = ", ".join(counted(entry.counts[s], noun) for s, _, noun in _GROUPS)
    parts = [f"<p>{totals}.</p>"]
    for severity, heading, noun in _GROUPS:
        group = [f for f in entry.findings if f.severity is severity]
        if not group:
            continue
        rows = "".join(
            f'<tr><td><span class="what">{_esc(f.what)}</span>{message(f.message)}</td>'
            f"<td>{_esc(f.where)}</td><td>{_esc(f.action)}</td></tr>"
            for f in group
        )
        head = "".join(
            f'<th scope="col">{c}</th>' for c in ("What was found", "Where", "What to do")
        )
        table = _table(
            f"{noun}s-{number}",
            f"{heading}: what was found, where, and what to do",
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody>",
            "findings",
            of=f"decision-{number}-title",
        )
        parts.append(f"<h4>{heading} ({len(group)})</h4>{table}")
    return "\n".join(parts)
