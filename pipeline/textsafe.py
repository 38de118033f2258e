"""Text from a workbook made safe for each place it goes: one small function per sink.

Workbook text is typed (or planted) by people and is hostile everywhere it lands: in a
terminal an ESC sequence clears the screen, in a log a line break forges an entry, in a
published document a right-to-left override reverses what a reader sees, in a spreadsheet or
CSV a leading ``=`` runs as a formula, and in an e-mail header a line break adds a header.
Each sink cleans at the sink, with the function named for it:

=========================  ==================================================================
sink                       function
=========================  ==================================================================
console                    :func:`for_terminal` (controls and bidi shown escaped)
log file                   :func:`for_log` (the same, and never a line break)
Word, Excel, PDF, e-mail   :func:`for_publication` (invisible and XML-illegal characters out)
HTML                       :func:`for_html` (published text, markup escaped)
e-mail header              :func:`for_header` (published text on one line)
CSV / xlsx cell            :func:`starts_like_formula`, :func:`cell_text_not_formula`,
                           :func:`fit_cell` (Excel's 32,767 characters)
public documents           :func:`scrub_personal_data` (e-mail addresses, UK phone numbers,
                           people named with a title or as a contact, paths to files)
=========================  ==================================================================

Showing escaped (``\\x1b``, ``\\u202e``) rather than dropping is for people reading about a
workbook (console, log): they must see that the cell holds something odd to fix it. Published
documents drop the characters instead: a reader of the summary has nothing to fix.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pipeline.person_names import scrub_named_people

REMOVED = "[removed]"
MAX_CELL_TEXT = 32_767  # Excel's limit of characters in a cell (UTF-16 code units)
CUT_NOTE = " … [cut here: a spreadsheet cell holds at most 32,767 characters]"

# Bidirectional formatting: embeddings and overrides U+202A–202E, isolates U+2066–2069, the
# marks LRM/RLM and the Arabic letter mark. They reorder what a reader sees ("evil.exe" shown
# as "exe.live") and are never needed in English public documents.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Invisible: zero-width space, non-joiner, joiner, word joiner, byte-order mark. The joiners
# are kept between two letters or emoji, one of them not ASCII (:func:`_kept`): there they are
# spelling ("👮‍♀️" is one emoji, "👮♀️" without; Persian, Urdu and Bengali words need them).
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
_JOINERS = "\u200c\u200d"
# Not allowed in XML 1.0 (or unencodable in UTF-8): C0 controls but tab and newline, lone
# surrogates, U+FFFE and U+FFFF. DEL and the C1 controls are legal XML but invisible junk in a
# document (and C1 holds terminal controls), so they go too.
_XML_ILLEGAL = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_UNPUBLISHABLE = f"[{_BIDI}{_ZERO_WIDTH}{_XML_ILLEGAL}]"

# For a person reading the console: every control but tab and newline, DEL, C1 (U+009B is a
# one-character CSI), bidi, zero-width, the Unicode line and paragraph separators.
_TERMINAL_UNSAFE = (
    f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_ZERO_WIDTH}\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)
# A log line additionally keeps no tab or line break of any kind.
_LOG_UNSAFE = f"[\x00-\x1f\x7f-\x9f{_BIDI}{_ZERO_WIDTH}\u2028\u2029\ud800-\udfff\ufffe\uffff]"
_LINE_BREAKS = r"\s*(?:\r\n|[\r\n\x0b\x0c\x85\u2028\u2029])\s*"

# Text a spreadsheet would read as a formula (and CSV tools on import): OWASP's list, plus
# the full-width forms some Excel locales accept as the same operators.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# An e-mail address, including internationalised ones: ``\w`` is Unicode, so
# ``jo@bücher.example`` and ``ana@correo.españa.es`` match; the ideographic full stops some
# keyboards type between labels count as dots.
# The domain is any run of labels and dots, empty labels included: an address typed with a
# slip ("jo@example..org", "jo@.lincs.org") is still someone's address, and 360Giving's quality
# checker flags it as one ([\w.-]+@[\w.-]+\.[\w.-]+). Dots it ends with are a sentence's, given
# back by _address.
_DOTS = ".\u3002\uff0e\uff61"
_DOT = f"[{_DOTS}]"
_EMAIL = r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]*(?:" + _DOT + r"[\w-]*)+"
# A UK telephone number: +44 / 0044 (optionally "(0)") or a leading 0, then 9–10 more digits
# with at most two spaces, hyphens or dots (and a bracket) between them: 01522 947406,
# 01522-947-406, 01522.947.406, +44 (0)1522 947406. Slashes, commas and colons neither
# separate nor follow it, so dates (01/10/2018, 01-10-2018 10:00, 01.10.2018 10.00), times
# and money (£82,661) never match, and neither does a longer run of digits.
_DIGIT_RUN = re.compile(r"\d{3}")  # every UK number has a group of three digits or more
_PHONE = (
    r"(?<![\w£$€.,/])"
    r"(?!\d{1,2}([-.])\d{1,2}\1\d{2,4}(?!\d))"  # a date, e.g. 01-10-2018 or 01.10.2018
    r"(?:(?:\+|00)[\s.]?44[\s.]?(?:\(0\)\s?)?|\(?0)"
    r"(?:\)?[ .-]{0,2}\d){9,10}"
    r"(?![\d/:])"
)

# A person named with a title: "Mr J Smith", "Mrs A. B. Jones-Patel", "Ms Jane Smith", "Miss
# Smith", as a finance export writes it ("MR J SMITH"), or with a professional title or police
# rank ("Prof Jane Doe", "Rev. J Smith", "Cllr A Brown", "Sgt Smith", "Insp. Jones").
# "Dr" only with initials ("Dr K O'Neill"), so a charity named after a doctor ("Dr
# Barnardo's Homes") stays; a title with no capitalised name after it ("every Mr and Mrs") too,
# and so does "MS" in capitals ("MS Society", a charity).
_NAME_WORD = r"[A-Z][\w'’-]*[^\W\d_]"
_INITIALS = r"(?:[A-Z](?:\.\s*|\s+))+"
_TITLE = r"Mr|Mrs|Ms|Miss|Mx|MR|MRS|MISS|Prof|Professor|Rev|Revd|Reverend|Cllr|Sgt|Insp|Supt"
_PERSON = (
    r"\b(?:(?:" + _TITLE + r")\.?\s+(?:" + _INITIALS + r"|" + _NAME_WORD + r"\s+)?"
    r"|(?:Dr|DR)\.?\s+" + _INITIALS + r")" + _NAME_WORD + r"(?![\w'’-])"
)
# A police officer named by rank and collar (shoulder) number: "PC 1234 Jones", "DC1234 SMITH",
# "Sgt 567 Brown", "DS 89 Patel", "PCSO 4521 J Khan", "Det Sgt 1402 Ahmed". The rank is typed
# in capitals (or as "Sgt", "Insp"), the number of up to five digits (after "#" or "No." too)
# is the officer's own, and a name follows: "PC 2000 upgrade", "2 pc laptops" and "PC World"
# stay. The whole is removed, the number with the name.
_RANK = (
    r"PCSO|PC|DC|TDC|DS|DI|DCI|DSU|DSupt|DCS|Sgt|SGT|Insp|INSP|Supt|SUPT|Ch\.?\s*Insp"
    r"|Det\.?\s*(?:Sgt|Insp|Con|Supt)|[AT]/(?:Sgt|Insp|DS|DI)"
)
_COLLAR = (
    r"(?<![\w/])(?:" + _RANK + r")\.?\s*(?:#|No\.?\s*)?\d{1,5}\s+"
    r"(?:" + _INITIALS + r"|" + _NAME_WORD + r"\s+)?" + _NAME_WORD + r"(?![\w'’-])"
)
_RANKS = ("PC", "DC", "DS", "DI", "Sgt", "SGT", "Insp", "INSP", "Supt", "SUPT")
_DIGIT = re.compile(r"\d")
# A path to a file or folder: a share (\\server\share, //server/share), a drive (S:\, C:/),
# a file: URL. Folders between separators may hold spaces; the last part runs to its extension
# (``NWCH spec v3.docx``), or else to a space. Web addresses (https://) are not paths.
_PATH_PART = r"[^\\/\r\n<>|\"*?:;]"
_PATH = (
    r"(?:\\\\|(?<![\w:/])//(?=\w)|\bfile:/{0,3}(?:[A-Za-z]:[\\/])?|(?<!\w)[A-Za-z]:[\\/])"
    rf"(?:{_PATH_PART}*[\\/])*"
    rf"(?:{_PATH_PART}{{0,80}}?\.[A-Za-z0-9]{{1,5}}\b|[^\s\\/<>|\"*?:;,()]*)"
)
# A cheap test before the pattern ("Mrs" holds "Mr", "Revd" and "Reverend" hold "Rev").
_TITLES = (
    *("Mr", "MR", "Ms", "Mx", "Miss", "MISS", "Dr", "DR"),
    *("Prof", "Rev", "Cllr", "Sgt", "Insp", "Supt"),
)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled on first use. The patterns above are kept as text: most texts take
    a fast path that needs none, and compiling them all at import (about 2 ms) was a cost
    every ``check`` paid for nothing (issue 21)."""
    return re.compile(pattern)


def _kept(match: re.Match[str]) -> bool:
    """Whether the one character matched is a joiner that joins: between two letters, marks or
    emoji (a skin tone, a variation selector), not both ASCII. Elsewhere (at an end, beside a
    space, inside "Victims") it is only a way to make two names that look alike differ."""
    text, at = match.string, match.start()
    if text[at] not in _JOINERS or at == 0 or at + 1 == len(text):
        return False
    pair = text[at - 1] + text[at + 1]
    categories = {unicodedata.category(c) for c in pair}
    joinable = all(c[0] in "LM" or c in ("So", "Sk") for c in categories)  # Sk: a skin tone
    return joinable and not pair.isascii()


def _dropped(match: re.Match[str]) -> str:
    """Nothing for an unpublishable character; a joiner that joins stays."""
    return match.group() if _kept(match) else ""


def _escape(match: re.Match[str]) -> str:
    """``\\x1b`` for a character below U+0100, ``\\u202e`` above: how Python shows it (a
    joiner that joins is shown as it is)."""
    if _kept(match):
        return match.group()
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """``text`` safe to print on a console: controls, bidi and invisible characters escaped.

    An ESC or CSI sequence shows as ``\\x1b[2J`` instead of clearing the screen; a
    right-to-left override as ``\\u202e``. Tab and newline are kept (messages have lines).
    """
    if text.isprintable():  # the usual case: no control, format or unassigned character
        return text
    return _compiled(_TERMINAL_UNSAFE).sub(_escape, text)


def for_log(text: str) -> str:
    """``text`` as part of one log line: as :func:`for_terminal`, and line breaks and tabs
    escaped too (``\\n``), so a file name holding a newline cannot forge a log entry."""
    if text.isprintable():
        return text
    return _compiled(_LOG_UNSAFE).sub(_escape, text)


def for_publication(text: str) -> str:
    """``text`` as it may appear in a published document (Word, Excel, PDF, e-mail body).

    Bidi controls, zero-width characters (a joiner between letters or emoji apart) and
    characters XML cannot hold are dropped; Windows
    and old Mac line ends become ``\\n``. Spaces and wording are left alone.
    """
    if text.isprintable():  # nothing to drop: the fast path for almost every cell
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _compiled(_UNPUBLISHABLE).sub(_dropped, text)


def for_html(text: str) -> str:
    """Published text for an HTML page: :func:`for_publication`, then ``<``, ``&`` and quotes
    escaped (for a page not built with an autoescaping template)."""
    import html  # here: its entity table is a cost every command would pay at start-up (#21)

    return html.escape(for_publication(text), quote=True)


def for_header(text: str) -> str:
    """Published text on one line, for an e-mail header or a document property: every line
    break (and the spaces around it) becomes one space, so no header can be added."""
    return for_publication(_compiled(_LINE_BREAKS).sub(" ", text)).strip()


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` typed into a cell as a formula.

    ``=``, ``+``, ``-``, ``@`` (and their full-width forms), or a leading tab or carriage
    return; leading spaces do not hide one.
    """
    return text.lstrip(" ").startswith(_FORMULA_START)


def cell_text_not_formula(text: str) -> str:
    """``text`` for a CSV cell: with a leading apostrophe when it starts like a formula, so
    Excel and LibreOffice show it as text (``=cmd|' /C calc'!A0`` → ``'=cmd|' /C calc'!A0``).

    In an .xlsx, write the text unchanged with a quote-prefix cell format instead
    (:func:`starts_like_formula` says when).
    """
    return f"'{text}" if starts_like_formula(text) else text


def fit_cell(text: str) -> str:
    """``text`` for an xlsx cell: whole when it fits Excel's 32,767 characters, else cut
    (between words where one ends near the limit) and ending with :data:`CUT_NOTE`, so a
    reader sees that the rest is missing. Excel counts in UTF-16: an emoji counts two.

    A longer cell makes Excel say the file has unreadable content and "repair" it;
    XlsxWriter cuts one to the limit without a word.
    """
    units = len(text.encode("utf-16-le")) // 2
    if units <= MAX_CELL_TEXT:
        return text
    keep = (MAX_CELL_TEXT - len(CUT_NOTE)) * 2
    # A pair of surrogates cut in two is dropped whole by "ignore".
    head = text.encode("utf-16-le")[:keep].decode("utf-16-le", errors="ignore")
    space = head.rfind(" ", len(head) - 80)
    return (head[:space] if space > 0 else head).rstrip() + CUT_NOTE


def _address(match: re.Match[str]) -> str:
    """``[removed]`` for an e-mail address, the full stop after it kept ("… jo@x.org.").

    ``a@b.`` (no dot inside the domain, one after it) is no address: it is left as it is.
    """
    found = match.group()
    address = found.rstrip(_DOTS)
    if any(dot in address.partition("@")[2] for dot in _DOTS):
        return REMOVED + found[len(address) :]
    return found if len(found) - len(address) == 1 else REMOVED


def scrub_personal_data(text: str) -> str:
    """``text`` with e-mail addresses, UK telephone numbers, people named with a title
    (``Mr J Smith``) or after words that introduce one (``Contact Sarah Jones``,
    :mod:`pipeline.person_names`) and paths to the office's files (``S:\\Finance\\spec.docx``) replaced
    by ``[removed]``.

    Staff sometimes type a contact into Provision or How commissioned, name the individual a
    line pays, or point colleagues at the specification on the share (where the office keeps
    its files, and in ``C:\\Users\\jane.smith`` an officer's name); published documents are
    public. Money (``£1,009,000``), dates (``31/03/2023``, ``01.10.2018``), references
    (``015/2021``) and web addresses are left alone.
    """
    if "\\" in text or ":/" in text or "//" in text:
        text = _compiled(_PATH).sub(REMOVED, text)
    if any(rank in text for rank in _RANKS) and _DIGIT.search(text):
        text = _compiled(_COLLAR).sub(REMOVED, text)
    if any(title in text for title in _TITLES):
        text = _compiled(_PERSON).sub(REMOVED, text)
    text = scrub_named_people(text, REMOVED)
    if "@" in text:
        text = _compiled(_EMAIL).sub(_address, text)
    if _DIGIT_RUN.search(text):  # most cells hold no number at all: skip the slower pattern
        text = _compiled(_PHONE).sub(REMOVED, text)
    return text
