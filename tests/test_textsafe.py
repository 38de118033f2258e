"""The text-safety functions, one per sink, against the hostile strings people type or plant.

The hostile cells of ``tests/corpus/`` (formula-injection names, contact details in
Provision, non-Latin names) are read from the corpus workbooks themselves, so these tests
follow the corpus as it grows.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from pipeline.textsafe import (
    CUT_NOTE,
    MAX_CELL_TEXT,
    REMOVED,
    cell_text_not_formula,
    fit_cell,
    for_header,
    for_html,
    for_log,
    for_publication,
    for_terminal,
    scrub_personal_data,
    starts_like_formula,
)

CORPUS = Path(__file__).parent / "corpus"

# Every character a published document must not carry (issue 16), one string each.
INVISIBLE = [
    "\u202a",  # left-to-right embedding
    "\u202b",  # right-to-left embedding
    "\u202c",  # pop directional formatting
    "\u202d",  # left-to-right override
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u2067",  # right-to-left isolate
    "\u2068",  # first strong isolate
    "\u2069",  # pop directional isolate
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte-order mark
    "\ufffe",  # a noncharacter XML cannot hold
    "\uffff",
    "\x00",
    "\x07",  # bell: docxtpl reads \a as a new paragraph
    "\x0b",
    "\x0c",  # form feed: docxtpl reads \f as a page break
    "\x1b",
    "\x7f",
    "\x9b",  # the one-character CSI
]


def corpus_text(name: str) -> dict[str, str]:
    """Every typed text cell of a corpus workbook, by ``Sheet!A1``."""
    workbook = openpyxl.load_workbook(CORPUS / name)
    return {
        f"{ws.title}!{cell.coordinate}": cell.value
        for ws in workbook
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "s" and isinstance(cell.value, str) and cell.value
    }


# -- for_publication ---------------------------------------------------------------------------


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_publication_drops_invisible_and_xml_illegal_characters(char: str) -> None:
    assert for_publication(f"Victim{char}s Fund") == "Victims Fund"


def test_publication_keeps_wording_tabs_line_breaks_and_non_latin_text() -> None:
    text = "Cymorth i Ddioddefwyr – Łódź\n\tمركز دعم الضحايا 防止犯罪热线 📞  £1,009,000"
    assert for_publication(text) == text
    for where, cell in corpus_text("non-latin-names.xlsx").items():
        assert for_publication(cell) == cell, where


@pytest.mark.parametrize(
    "text",
    [
        "Emoji \U0001f693\U0001f46e\u200d\u2640\ufe0f service",  # woman police officer, not 👮♀️
        "\U0001f3f3\ufe0f\u200d\U0001f308 LGBT+ hate crime",  # rainbow flag after a selector
        "\U0001f469\U0001f3fd\u200d\U0001f4bb digital skills",  # skin tone, then the joiner
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 Trust",  # Persian: ZWNJ in a word
        "\u0986\u09b0\u09cd\u200d\u09af Bengali centre",  # ZWJ after a virama
    ],
)
def test_publication_keeps_the_joiners_that_spell_an_emoji_or_a_word(text: str) -> None:
    # A joiner between letters or emoji is spelling: "👮‍♀️" was published as "👮♀️" (an
    # officer and a female sign), a Persian or Bengali name in another spelling.
    assert for_publication(text) == text
    assert for_terminal(text) == text and for_log(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "\u200dVictims",
        "Victims\u200c",
        "a\u200d b",
        "a \u200cb",
        "\U0001f46e\u200b\u200d ",
        "x\u200d\u200dy",
    ],
)
def test_a_joiner_that_joins_nothing_is_dropped(text: str) -> None:
    assert not {"\u200c", "\u200d", "\u200b"} & set(for_publication(text))


def test_publication_turns_windows_and_mac_line_ends_into_newlines() -> None:
    assert for_publication("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_a_right_to_left_override_cannot_disguise_a_name() -> None:
    # "Invoice for cod.exe" that a reader would see as "Invoice for exe.doc"
    assert for_publication("Invoice for \u202ecod.exe") == "Invoice for cod.exe"


def test_html_is_published_text_with_markup_escaped() -> None:
    assert for_html('<b>"A&B"</b>\u202e') == "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"


def test_a_header_is_one_line_whatever_the_cell_holds() -> None:
    assert for_header("C. Example\r\nBcc: x@evil.example") == "C. Example Bcc: x@evil.example"
    assert for_header(" one \n\n two\u2028three\x0bfour ") == "one two three four"


# -- for_terminal and for_log ------------------------------------------------------------------


def test_terminal_shows_escape_sequences_instead_of_running_them() -> None:
    shown = for_terminal("Victims\x1b[2J\x1b]0;owned\x07 Fund\x9b31m")
    assert shown == "Victims\\x1b[2J\\x1b]0;owned\\x07 Fund\\x9b31m"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", shown)


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_terminal_and_log_show_every_invisible_character_escaped(char: str) -> None:
    expected = f"a\\x{ord(char):02x}b" if ord(char) < 0x100 else f"a\\u{ord(char):04x}b"
    assert for_terminal(f"a{char}b") == expected
    assert for_log(f"a{char}b") == expected


def test_terminal_keeps_lines_and_the_log_keeps_one() -> None:
    text = "service.xlsx\n2026-12-01 01:00 OK forged entry\ttab\rcr"
    assert for_terminal(text) == "service.xlsx\n2026-12-01 01:00 OK forged entry\ttab\\x0dcr"
    logged = for_log(text)
    assert logged == "service.xlsx\\x0a2026-12-01 01:00 OK forged entry\\x09tab\\x0dcr"
    assert "\n" not in for_log("a\u2028b\x85c\nd") and for_log("a\u2028b").count("\\u2028") == 1


def test_plain_text_passes_through_every_sink_unchanged() -> None:
    for where, cell in corpus_text("sample.xlsx").items():
        line = cell.replace("\n", " ").strip()
        for sink in (for_terminal, for_log, for_publication, for_header):
            assert sink(line) == line, (sink.__name__, where)


# -- formulas ----------------------------------------------------------------------------------


def test_the_corpus_formula_injection_names_are_recognised() -> None:
    planted = {
        "Services!B4": "=cmd|' /C calc'!A0",
        "Services!C5": "+SUM(1)",
        "Services!E6": "@x",
        "Services!J16": "-2+3",
    }
    cells = corpus_text("formula-injection-names.xlsx")
    for where, text in planted.items():
        assert cells[where] == text
        assert starts_like_formula(text), where
        assert cell_text_not_formula(text) == "'" + text
    flagged = {where for where, text in cells.items() if starts_like_formula(text)}
    assert flagged == set(planted)


@pytest.mark.parametrize(
    "text", ["=1+1", "+44", "-5", "@SUM(A1)", "\t=1", "\r=1", "  =HYPERLINK()", "＝1+1", "＠x"]
)
def test_formula_starts(text: str) -> None:
    assert starts_like_formula(text)
    assert cell_text_not_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["Victims Fund", "1 + 1 = 2", "a@b", "", "'=quoted", "£-5"])
def test_ordinary_text_is_not_a_formula(text: str) -> None:
    assert not starts_like_formula(text)
    assert cell_text_not_formula(text) == text


# -- personal data -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Call Jo on 01522 947406 or jo.bloggs@lincs.police.uk",
            "Call Jo on [removed] or [removed]",
        ),
        ("Tel: +44 (0)1522 947406.", "Tel: [removed]."),
        ("(01522) 947406 / 07700-900-123", "[removed] / [removed]"),
        ("Freephone 0800 123 4567", "Freephone [removed]"),
        ("Ring 01522.947.406 today", "Ring [removed] today"),
        ("Ring 01522.947406.", "Ring [removed]."),
        ("+44 1522 947 406 or 0044 7700 900123", "[removed] or [removed]"),
        ("+44.1522.947.406", REMOVED),
        ("Write to bob@bücher.example", "Write to [removed]"),
        ("ana@correo.españa.es and ivan@пример.рф", "[removed] and [removed]"),
        ("李@例子。中国", REMOVED),
        ("£1,009,000 committed; £1,151,444.09", "£1,009,000 committed; £1,151,444.09"),
        (
            "01/10/2018 to 31/03/2022 (1 x 12 months option to 31/03/2023)",
            "01/10/2018 to 31/03/2022 (1 x 12 months option to 31/03/2023)",
        ),
        (
            "01-10-2018 10:00, decision 015/2021, 2021/22",
            "01-10-2018 10:00, decision 015/2021, 2021/22",
        ),
        ("From 01.10.2018 10.00 to 31.03.2022", "From 01.10.2018 10.00 to 31.03.2022"),
        ("Grant ref 0123456789012 and £0.884m", "Grant ref 0123456789012 and £0.884m"),
        ("Version 0.1.2, £0.5m, 10.5%", "Version 0.1.2, £0.5m, 10.5%"),
    ],
)
def test_personal_data_is_scrubbed_and_figures_kept(text: str, expected: str) -> None:
    assert scrub_personal_data(text) == expected


# 360Giving's quality checker (lib360dataquality, LooksLikeEmail) flags any published text this
# matches as an e-mail address: nothing scrubbed may still match it.
CHECKER_EMAIL = re.compile(r"[\w.-]+@[\w.-]+\.[\w.-]+")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Contact jo@example..org or the desk", "Contact [removed] or the desk"),
        ("jo@.lincs.org", REMOVED),
        ("jo.bloggs@lincs.police.uk. Then", "[removed]. Then"),
        ("Mail jo@ex.. now", "Mail [removed] now"),
        ("team-a@x-.y-", REMOVED),
        ("a@b.", "a@b."),  # no domain: left alone, as the checker leaves it
    ],
)
def test_an_address_typed_with_a_slip_is_still_scrubbed(text: str, expected: str) -> None:
    # "jo@example..org" was published as typed: the domain had to be dot-separated words.
    scrubbed = scrub_personal_data(text)
    assert scrubbed == expected
    assert CHECKER_EMAIL.search(scrubbed) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr J Smith", REMOVED),
        ("Counselling by Mrs A. B. Jones-Patel, Lincoln", "Counselling by [removed], Lincoln"),
        ("Dr K O'Neill 01522 947406", "[removed] [removed]"),
        ("Mentoring (Ms Jane Smith)", "Mentoring ([removed])"),
        ("Miss Smith and Mx R Lee", "[removed] and [removed]"),
        # As a finance export writes names, and with a professional title or a police rank.
        ("MR J SMITH (COUNSELLOR)", "[removed] (COUNSELLOR)"),
        ("Play therapy, MRS JANE SMITH", "Play therapy, [removed]"),
        ("DR K O'NEILL", REMOVED),
        ("Prof Jane Doe and Professor A Khan", "[removed] and [removed]"),
        ("Chaplaincy (Rev. John Smith, Revd A Jones)", "Chaplaincy ([removed], [removed])"),
        ("Led by Cllr A Brown", "Led by [removed]"),
        ("Sgt Smith, Insp. Jones and Supt K Patel", "[removed], [removed] and [removed]"),
        # Not a person: no title, a title without a name, a charity named after a doctor.
        ("Victim Support", "Victim Support"),
        ("Parenting course for every Mr and Mrs", "Parenting course for every Mr and Mrs"),
        ("Dr Barnardo's Homes", "Dr Barnardo's Homes"),
        ("MS Society", "MS Society"),
        ("MS SOCIETY", "MS SOCIETY"),
        ("DR BARNARDO'S HOMES", "DR BARNARDO'S HOMES"),
        ("MISSING PEOPLE", "MISSING PEOPLE"),
        (
            "Professional Standards Review, Inspiring Women",
            "Professional Standards Review, Inspiring Women",
        ),
        ("Support for victims", "Support for victims"),
    ],
)
def test_a_person_named_with_a_title_is_scrubbed(text: str, expected: str) -> None:
    # A line for an individual (a sole trader, a counsellor) names them; published files carry
    # no one's name (Public Sector Bodies' duty under UK GDPR), as they carry no contact details.
    assert scrub_personal_data(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            r"Spec at \\opcc-fs01\finance$\Commissioning\Specs\NWCH spec v3.docx; reviewed",
            "Spec at [removed]; reviewed",
        ),
        (r"See S:\Finance\Contracts\Rape Crisis.pdf for the terms", "See [removed] for the terms"),
        (r"Notes in C:\Users\jane.smith\Desktop\notes", "Notes in [removed]"),
        ("Saved at file:///S:/Finance/plan.xlsx.", "Saved at [removed]."),
        ("Folder //opcc-fs01/finance/Commissioning (2021)", "Folder [removed] (2021)"),
        ("S:/Finance/Grants/ledger.csv", REMOVED),
        # Not a path: a web address, a ratio, a list, a time, the year.
        ("See https://www.gov.uk/guidance", "See https://www.gov.uk/guidance"),
        ("Option A: 2 years; B: 3 years", "Option A: 2 years; B: 3 years"),
        ("Yes/No, 10:30, 2021/22, and/or", "Yes/No, 10:30, 2021/22, and/or"),
    ],
)
def test_a_path_to_the_office_s_files_is_scrubbed(text: str, expected: str) -> None:
    # A Provision or How commissioned cell pointing colleagues at the specification on the
    # share was published as typed: where the office keeps its files, and an officer's name.
    assert scrub_personal_data(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DC 1234 Smith", REMOVED),
        ("Referrals via PC 1234 Jones, Lincoln", "Referrals via [removed], Lincoln"),
        ("Sgt 567 Brown and DS 89 Patel", "[removed] and [removed]"),
        ("Custody triage (PCSO 4521 J Khan)", "Custody triage ([removed])"),
        ("DC1234 SMITH; PC #2207 O'Neill", "[removed]; [removed]"),
        ("Det Sgt 1402 Ahmed, DCI 77 Lee", "[removed], [removed]"),
        # Not an officer: a number with no rank before it or no name after it, a rank in
        # lower case, a charity's or a programme's name.
        ("Phase 2 Funding", "Phase 2 Funding"),
        ("Year 3 Pupils and Unit 4 Brown Street", "Year 3 Pupils and Unit 4 Brown Street"),
        ("PC 2000 upgrade", "PC 2000 upgrade"),
        ("2 pc laptops", "2 pc laptops"),
        ("DC Leisure, PC World", "DC Leisure, PC World"),
        ("Section 143 Police Reform Act", "Section 143 Police Reform Act"),
    ],
)
def test_a_police_officer_named_with_a_collar_number_is_scrubbed(text: str, expected: str) -> None:
    # "DC 1234 Smith" on a Services line was published as typed: the rank before a collar
    # number is a title, and the number names the officer as surely as the name does.
    assert scrub_personal_data(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Contact Sarah Jones for referrals", "Contact [removed] for referrals"),
        (
            "Referrals: contact: Sarah J. Jones, ISVA service",
            "Referrals: contact: [removed], ISVA service",
        ),
        ("Ask for Dafydd Rhys-Evans on 01522 947406", "Ask for [removed] on [removed]"),
        ("Managed by Priya Patel and Tom O'Neill", "Managed by [removed] and [removed]"),
        ("Contact Mr J Smith or Siân Hughes", "Contact [removed] or [removed]"),
        ("Lead officer: Zoë Brown (Mondays)", "Lead officer: [removed] (Mondays)"),
        ("Speak to Kate Lee Monday to Friday", "Speak to [removed] Monday to Friday"),
        ("email Mohammed Khan at the hub", "email [removed] at the hub"),
        # A Welsh body's plan says it in Welsh.
        ("Cysylltwch â Siân Hughes am atgyfeiriadau", "Cysylltwch â [removed] am atgyfeiriadau"),
        ("Rheolir gan Dafydd Jones a Gwen Morgan", "Rheolir gan [removed] a [removed]"),
        ("Cysylltwch â Cymorth i Ferched Cymru", "Cysylltwch â Cymorth i Ferched Cymru"),
        # A common surname that is also a place's word, a common forename of the young, a
        # hyphenated forename (acceptance 4: all were published as typed).
        ("Contact Sarah Hall or Tom Ward", "Contact [removed] or [removed]"),
        ("Contact Sarah Jones or Paul Green", "Contact [removed] or [removed]"),
        (
            "Contact Sarah Jones, Tom Brown and Jane Hill",
            "Contact [removed], [removed] and [removed]",
        ),
        ("Contact Amy Green", "Contact [removed]"),
        ("Contact James Lane", "Contact [removed]"),
        ("Contact Olivia Hall", "Contact [removed]"),
        ("Contact Noah Williams", "Contact [removed]"),
        ("Ask for Oliver Smith", "Ask for [removed]"),
        ("Ask for Jack Smith at reception", "Ask for [removed] at reception"),
        ("Contact Isla Evans or Freddie Khan", "Contact [removed] or [removed]"),
        ("Contact Sarah-Jane Jones", "Contact [removed]"),
        # Organisations and services are kept: a name that is not a forename, an everyday
        # word as the first name, a place or an organisation's word after it, a longer name,
        # a charity named after a person.
        ("Contact Victim Support for referrals", "Contact Victim Support for referrals"),
        ("Delivered by Lincolnshire Police", "Delivered by Lincolnshire Police"),
        ("Referrals to Grace House or Hope Street", "Referrals to Grace House or Hope Street"),
        ("Contact Victoria House reception", "Contact Victoria House reception"),
        (
            "Referrals to Victoria Park or Victoria Hall",
            "Referrals to Victoria Park or Victoria Hall",
        ),
        ("Contact Hall Green Surgery", "Contact Hall Green Surgery"),
        ("Contact Amy Green Lane Surgery", "Contact Amy Green Lane Surgery"),
        ("Contact Poppy Appeal", "Contact Poppy Appeal"),
        # Charities named after a person (acceptance 4: "Anthony Nolan" was removed).
        (
            "Refer to Anthony Nolan for stem cell register",
            "Refer to Anthony Nolan for stem cell register",
        ),
        ("Referrals to Helen Bamber", "Referrals to Helen Bamber"),
        ("Delivered by Paul Sartori", "Delivered by Paul Sartori"),
        ("Delivered by Victoria Derbyshire", "Delivered by Victoria Derbyshire"),
        (
            "Contact Marie Collins or Florence Nightingale",
            "Contact Marie Collins or Florence Nightingale",
        ),
        ("Delivered by Jack Petchey Foundation", "Delivered by Jack Petchey Foundation"),
        ("Provided by Sarah Jones Associates Ltd", "Provided by Sarah Jones Associates Ltd"),
        ("Run by Marie Curie and Sue Ryder", "Run by Marie Curie and Sue Ryder"),
        ("Contact Lucy Faithfull", "Contact Lucy Faithfull"),
        ("Call Jo on the helpline", "Call Jo on the helpline"),
        ("Sarah Jones Counselling", "Sarah Jones Counselling"),
        ("ISVA led by Rape Crisis England", "ISVA led by Rape Crisis England"),
        ("Ring-fenced MoJ grant; Contact Centre", "Ring-fenced MoJ grant; Contact Centre"),
        (
            "Commissioned by Police and Crime Commissioner",
            "Commissioned by Police and Crime Commissioner",
        ),
    ],
)
def test_a_person_named_as_a_contact_without_a_title_is_scrubbed(text: str, expected: str) -> None:
    # "Contact Sarah Jones for referrals" was published as typed: a named officer, with no
    # title before her name for the title pattern to find.
    assert scrub_personal_data(text) == expected


def test_the_corpus_contact_details_are_scrubbed() -> None:
    cells = corpus_text("personal-data-in-provision.xlsx")
    assert (
        scrub_personal_data(cells["Services!E10"])
        == "Counselling; referrals to [removed] or [removed]"
    )
    assert scrub_personal_data(cells["Decision!B8"]).endswith("Telephone [removed]")


def test_patterns_are_compiled_only_for_text_that_needs_one() -> None:
    # check prints and logs plain text: compiling every sink's pattern at import was a cost
    # each run paid for nothing (issue 21).
    from pipeline import textsafe

    textsafe._compiled.cache_clear()
    for sink in (for_terminal, for_log, for_publication, scrub_personal_data):
        sink("Community Safety Fund, line 12")
    assert textsafe._compiled.cache_info().currsize == 0
    assert for_terminal("\x1b[2J") == "\\x1b[2J"
    assert textsafe._compiled.cache_info().currsize == 1


def test_a_long_list_of_names_is_read_once_not_once_for_each_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "Contact Sarah Jones, Tom Brown, ..." was scrubbed by a pass over the whole cell for each
    # name in the list (each name's cue was the [removed] before it): a cell listing 2,000
    # names took 14 seconds. The text is now read once, in order.
    from pipeline import person_names

    text = "Contact Sarah Jones" + ", Tom Brown and Amy Lee" * 1000
    pattern = person_names._named()
    read = []

    class Counted:
        def search(self, string: str, pos: int = 0) -> re.Match[str] | None:
            found = pattern.search(string, pos)
            read.append((found.end() if found else len(string)) - pos)
            return found

        def sub(self, *args: object) -> str:
            read.append(len(text))
            return str(pattern.sub(*args))  # type: ignore[call-overload]

    monkeypatch.setattr(person_names, "_named", Counted)
    scrubbed = scrub_personal_data(text)
    assert scrubbed == "Contact [removed]" + ", [removed] and [removed]" * 1000
    assert sum(read) <= 2 * len(text)


def test_text_longer_than_an_excel_cell_is_cut_between_words_and_says_so() -> None:
    fits = "x" * MAX_CELL_TEXT
    assert fit_cell(fits) is fits  # the limit itself is whole
    long = "Outreach and advocacy " * 2000  # 44,000 characters
    cut = fit_cell(long)
    assert len(cut) <= MAX_CELL_TEXT and cut.endswith(CUT_NOTE)
    kept = cut.removesuffix(CUT_NOTE)
    assert long.startswith(kept) and long[len(kept)] == " "  # a whole word, then the note


def test_an_excel_cell_counts_an_emoji_as_two_characters() -> None:
    # 20,000 police cars are 40,000 UTF-16 units: over the limit though 20,000 characters.
    cut = fit_cell("\U0001f693" * 20_000)
    assert cut.endswith(CUT_NOTE)
    assert len(cut.encode("utf-16-le")) // 2 <= MAX_CELL_TEXT
    assert set(cut.removesuffix(CUT_NOTE)) == {"\U0001f693"}  # no half of a pair left
