"""The sign-off e-mail: the Circulation sheet, the .eml a build writes, and what it must carry."""

from __future__ import annotations

import email
import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import TEMPLATE_DIR, batch, mail
from pipeline.config import Config
from pipeline.deliver import no_circulation
from pipeline.load import load
from pipeline.model import Located, Recipient
from pipeline.new_workbook import WorkbookContent
from pipeline.read_circulation import plain_address
from pipeline.reconcile import Reconciliation
from pipeline.report import Report
from tests.workbooks import make_workbook

CIRCULATION = [
    ["Chief Executive", "Jane Smith", "jane.smith@example.police.uk"],
    ["Chief Finance Officer", "Raj Patel", "Raj.Patel@Example.Police.UK"],
    ["Monitoring Officer", "Aoife O'Brien", "aoife.obrien@example.police.uk"],
]
ADDRESSES = [
    "jane.smith@example.police.uk",
    "Raj.Patel@example.police.uk",
    "aoife.obrien@example.police.uk",
]  # domains normalised to lower case
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUBJECT = (
    "Request for Decision 015/2021 – Police and Crime Commissioner's Commissioning "
    "Strategy and Plan for 2021/22"
)


def with_circulation(rows: list[list[str]] = CIRCULATION) -> Callable[[WorkbookContent], None]:
    def edit(content: WorkbookContent) -> None:
        content.circulation = [list(r) for r in rows]

    return edit


def circulated(
    folder: Path, name: str = "lincolnshire-2021-22.xlsx", rows: list[list[str]] = CIRCULATION
) -> Path:
    """The sample with a Circulation sheet, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return make_workbook(folder, name, edit=with_circulation(rows))


def parse(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def sha(data: object) -> str:
    assert isinstance(data, bytes)
    return hashlib.sha256(data).hexdigest()


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None and part.get_content_type() == f"text/{kind}"
    content = part.get_content()
    assert isinstance(content, str)
    return content


def test_circulation_sheet_is_read_with_located_recipients(tmp_path: Path) -> None:
    result = load(circulated(tmp_path))
    assert result.plan is not None, result.findings
    assert [(p.role, p.name, p.email) for p in result.plan.circulation] == [
        (role, name, address)
        for (role, name, _), address in zip(CIRCULATION, ADDRESSES, strict=True)
    ]
    assert result.plan.circulation[1].at.cell("email") == "C3"
    assert not [f for f in result.findings if f.sheet == "Circulation"]


def test_a_bad_or_blank_address_is_a_located_finding(tmp_path: Path) -> None:
    rows = [
        CIRCULATION[0],
        ["Chief Finance Officer", "Raj Patel", "raj.patel@example"],
        ["Monitoring Officer", "Aoife O'Brien", "aoife obrien@example.police.uk"],
        ["PCC", "Marc Jones", ""],
    ]
    findings = load(circulated(tmp_path, rows=rows)).findings
    located = sorted((f.code, f.sheet, f.cell) for f in findings if f.sheet == "Circulation")
    assert located == [
        ("E-EMAIL", "Circulation", "C3"),
        ("E-EMAIL", "Circulation", "C4"),
        ("E-REQUIRED", "Circulation", "C5"),
    ]
    bad = next(f for f in findings if f.cell == "C3")
    assert "Raj Patel" in bad.message and '"raj.patel@example"' in bad.message
    assert "Correct it" in bad.message


def test_a_build_writes_the_eml_to_the_circulation(tmp_path: Path) -> None:
    workbook = circulated(tmp_path / "input")
    out = tmp_path / "output"
    [result], _ = batch.build([workbook.parent], out, Config())
    assert result.outcome == "built", result.findings
    folder = out / "015-2021"
    eml = folder / "email-015-2021.eml"
    message = parse(eml)

    assert [a.addr_spec for a in message["To"].addresses] == ADDRESSES
    assert [a.display_name for a in message["To"].addresses] == [r[1] for r in CIRCULATION]
    assert message["Subject"] == SUBJECT
    assert message["X-Unsent"] == "1"  # Outlook opens it as a draft to send
    assert message.get_content_type() == "multipart/mixed"

    text, html = body(message, "plain"), body(message, "html")
    for figure in (
        "£1,009,000",
        "£805,212",
        "£203,788",
        "£556,000",
        "£464,058",
        "£91,942",
        "£1,269,270",
    ):
        assert figure in text and figure in html
    warnings = sum(f.severity.value == "warning" for f in result.findings)
    assert f"raised {warnings} warnings" in text
    assert f"<strong>{warnings} warnings</strong>" in html

    # The Word report and the internal review note for the Chief Finance Officer.
    attachment, review = list(message.iter_attachments())
    assert attachment.get_filename() == "RfD-015-2021.docx"
    assert attachment.get_content_type() == DOCX
    docx = folder / "RfD-015-2021.docx"
    assert sha(attachment.get_payload(decode=True)) == sha(docx.read_bytes())
    assert review.get_filename() == "review-015-2021.docx"
    assert review.get_content_type() == DOCX
    note = folder / "review-015-2021.docx"
    assert sha(review.get_payload(decode=True)) == sha(note.read_bytes())
    assert "attached review note" in text and "attached review note" in html

    entry = next(iter(json.loads((out / "manifest.json").read_text())["workbooks"].values()))
    recorded = {Path(o["path"]).name: o["sha256"] for o in entry["outputs"]}
    assert recorded["email-015-2021.eml"] == sha(eml.read_bytes())
    assert entry["sent"] == []


def test_no_circulation_sheet_means_no_eml_and_a_note(tmp_path: Path) -> None:
    out = tmp_path / "output"
    workbook = make_workbook(tmp_path, edit=lambda c: setattr(c, "circulation", None))
    [result], _ = batch.build([workbook], out, Config())
    assert result.outcome == "built"
    assert not list((out / "015-2021").glob("*.eml"))
    findings = json.loads((out / "015-2021" / "findings.json").read_text())["findings"]
    [note] = [f for f in findings if f["code"] == "I-NO-CIRCULATION"]
    assert note["severity"] == "info" and "Circulation" in note["message"]


@pytest.mark.parametrize("rows", [[], [["", "", ""]]], ids=["headers only", "a blank row"])
def test_an_empty_circulation_sheet_is_said_to_be_empty(
    tmp_path: Path, rows: list[list[str]]
) -> None:
    """pcc-report new-workbook's Circulation sheet, left as it came: the note said the
    workbook had no Circulation sheet and asked for one to be added."""
    workbook = make_workbook(tmp_path, edit=lambda c: setattr(c, "circulation", rows))
    result = load(workbook)
    assert result.plan is not None, result.findings
    note = no_circulation(str(workbook), result.plan)
    assert note is not None and note.code == "I-NO-CIRCULATION"
    assert note.sheet == "Circulation" and note.cell == "A2"
    assert "no Circulation sheet" not in note.message and "Add a sheet" not in note.message
    assert "the Circulation sheet lists nobody" in note.message
    assert "Role, Name and E-mail" in note.message


def test_a_bad_address_stops_the_build_and_no_eml_is_left(tmp_path: Path) -> None:
    workbook = circulated(tmp_path / "input", rows=[["CEO", "Jane Smith", "jane@@example.org"]])
    out = tmp_path / "output"
    [result], _ = batch.build([workbook.parent], out, Config())
    assert result.outcome == "failed"
    assert [(f.code, f.cell) for f in result.findings if f.severity.value == "error"] == [
        ("E-EMAIL", "C2")
    ]
    assert {p.name for p in (out / "015-2021").iterdir()} == {"findings.json"}


def test_the_public_summary_never_holds_the_circulation(tmp_path: Path) -> None:
    workbook = circulated(tmp_path / "input")
    out = tmp_path / "output"
    batch.build([workbook.parent], out, Config())
    summary = out / "015-2021" / "commissioning-summary-2021-22.xlsx"
    with zipfile.ZipFile(summary) as archive:
        text = b"".join(archive.read(name) for name in archive.namelist()).lower()
    for _role, name, address in CIRCULATION:
        assert address.lower().encode() not in text
        assert name.lower().encode() not in text
    assert b"@example.police.uk" not in text


def _recon_with(sample_recon: Reconciliation, subject: str) -> Reconciliation:
    decision = replace(sample_recon.decision, subject=subject)
    people = (
        Recipient(
            "Chief Executive",
            "Smith, Jane",
            "jane.smith@example.police.uk",
            Located("Circulation", 2),
        ),
        Recipient(
            "Deputy", "Jane again", "JANE.SMITH@example.police.uk", Located("Circulation", 3)
        ),
    )
    plan = replace(sample_recon.plan, decision=decision, circulation=people)
    return replace(sample_recon, plan=plan, decision=decision)


def test_bodies_escape_html_and_the_message_is_repeatable(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    recon = _recon_with(sample_recon, "Victims & <Witnesses> plan")
    report = tmp_path / "report.docx"
    report.write_bytes(b"PK\x03\x04 a Word report")
    attachments = [mail.Attachment("RfD-015-2021.docx", report)]
    message = mail.compose(Report.of(recon), recon.findings, attachments)
    data = mail.to_bytes(message)
    assert data == mail.to_bytes(mail.compose(Report.of(recon), recon.findings, attachments))
    assert b"\r\n" in data  # RFC 5322 line ends, as mail programs expect in an .eml

    parsed = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Request for Decision 015/2021 – Victims & <Witnesses> plan"
    assert "Victims &amp; &lt;Witnesses&gt; plan" in body(parsed, "html")
    assert '"Victims & <Witnesses> plan"' in body(parsed, "plain")
    # A display name with a comma is quoted; one address listed twice is sent once.
    assert [a.addr_spec for a in parsed["To"].addresses] == ["jane.smith@example.police.uk"]
    assert parsed["To"].addresses[0].display_name == "Smith, Jane"


def test_encoded_lines_keep_to_76_characters(sample_recon: Reconciliation, tmp_path: Path) -> None:
    # RFC 2045 (6.7, 6.8): quoted-printable and base64 lines are at most 76 characters. The
    # bodies came out in lines of 78 (the line length headers may have), which strict mail
    # gateways and validators refuse or rewrap (breaking the byte-for-byte repeatable file).
    report = tmp_path / "report.docx"
    report.write_bytes(bytes(range(256)) * 4)
    attachments = [mail.Attachment("RfD-015-2021.docx", report)]
    data = mail.to_bytes(mail.compose(Report.of(sample_recon), sample_recon.findings, attachments))
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    encodings = []
    for part in parsed.walk():
        if not part.is_multipart():
            encodings.append(part["Content-Transfer-Encoding"])
            encoded = str(part.get_payload(decode=False))  # the body as sent
            assert [line for line in encoded.splitlines() if len(line) > 76] == []
    assert encodings == ["quoted-printable", "quoted-printable", "base64"]
    assert "Please find attached Request for Decision 015/2021" in body(parsed, "plain")


def test_a_broken_template_names_the_file_line_and_field(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    for name in mail.TEMPLATES:
        (tmp_path / name).write_text((TEMPLATE_DIR / name).read_text())
    (tmp_path / "email.html").write_text("<p>\n{{ decision.refrence }}</p>\n")
    values = mail.context(Report.of(sample_recon), sample_recon.findings, [])
    with pytest.raises(mail.MailTemplateError, match=r"email.html.*refrence"):
        mail.render_bodies(values, tmp_path)


def _recon_circulating(sample_recon: Reconciliation, *people: tuple[str, str]) -> Reconciliation:
    circulation = tuple(
        Recipient("Role", name, address, Located("Circulation", row))
        for row, (name, address) in enumerate(people, start=2)
    )
    plan = replace(sample_recon.plan, circulation=circulation)
    return replace(sample_recon, plan=plan)


def test_an_internationalised_domain_is_sent_encoded_with_idna(tmp_path: Path) -> None:
    rows = [["Chief Executive", "Jürgen Bäcker", "jurgen@bücher.example"], CIRCULATION[0]]
    workbook = circulated(tmp_path / "input", rows=rows)
    out = tmp_path / "output"
    [result], _ = batch.build([workbook.parent], out, Config())
    assert result.outcome == "built", result.findings
    raw = (out / "015-2021" / "email-015-2021.eml").read_bytes()
    to_header = raw.split(b"To: ", 1)[1].split(b"\r\nSubject:", 1)[0]
    assert b"xn--bcher-kva.example" in to_header and b"@=?" not in to_header
    message = parse(out / "015-2021" / "email-015-2021.eml")
    assert [a.addr_spec for a in message["To"].addresses] == [
        "jurgen@xn--bcher-kva.example",
        "jane.smith@example.police.uk",
    ]
    assert message["To"].addresses[0].display_name == "Jürgen Bäcker"  # names may be Unicode


@pytest.mark.parametrize(
    "name",
    [
        "C. Example\r\nBcc: x@evil.example",
        "C. Example\nBcc: x@evil.example",
        "C. Example\u2028Bcc: x@evil.example",
        "x@evil.example",
        "Jane <x@evil.example>",
    ],
)
def test_a_name_holding_a_line_break_or_an_address_never_reaches_the_to_header(
    sample_recon: Reconciliation, name: str
) -> None:
    recon = _recon_circulating(sample_recon, (name, "jane.smith@example.police.uk"))
    data = mail.to_bytes(mail.compose(Report.of(recon), recon.findings, []))
    headers = data.split(b"\r\n\r\n", 1)[0]
    assert b"evil" not in headers and b"Bcc" not in headers
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert parsed["Bcc"] is None
    [address] = parsed["To"].addresses
    assert (address.addr_spec, address.display_name) == ("jane.smith@example.police.uk", "")


def test_bidi_controls_never_reach_the_headers(sample_recon: Reconciliation) -> None:
    recon = _recon_circulating(sample_recon, ("Jane\u202e Smith\u200b", "jane@example.police.uk"))
    recon = replace(recon, decision=replace(recon.decision, subject="Plan\u202e\r\nBcc: x@y.z"))
    parsed = email.message_from_bytes(
        mail.to_bytes(mail.compose(Report.of(recon), recon.findings, [])), policy=policy.default
    )
    assert parsed["To"].addresses[0].display_name == "Jane Smith"
    assert parsed["Subject"] == "Request for Decision 015/2021 – Plan Bcc: x@y.z"
    assert parsed["Bcc"] is None


def test_an_address_no_server_would_take_is_refused_by_name() -> None:
    with pytest.raises(mail.MailAddressError, match="bücher"):
        mail.ascii_domain("bob@bücher..example")


def _bodies(recon: Reconciliation, attachments: list[mail.Attachment]) -> tuple[str, str]:
    parsed = email.message_from_bytes(
        mail.to_bytes(mail.compose(Report.of(recon), recon.findings, attachments)),
        policy=policy.default,
    )
    assert isinstance(parsed, EmailMessage)
    return body(parsed, "plain"), body(parsed, "html")


def test_the_email_says_uncommitted_and_signs_for_the_body(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    recon = _recon_circulating(sample_recon, ("Jane Smith", "jane@example.police.uk"))
    text, html = _bodies(recon, [])
    for content in (text, html):
        assert not re.search(r"headroom|unallocated", content, re.IGNORECASE)
        assert "Office of the Police and Crime Commissioner for Lincolnshire" in content
    assert (
        "Victims Fund: allocation £1,009,000; committed £805,212 (79.8%); uncommitted £203,788"
        in text
    )
    assert (
        '<th scope="col" style="text-align: right; border-bottom: 1px solid #999;">Uncommitted</th>'
        in html
    )

    decision = replace(
        recon.decision,
        organisation="Greater Manchester Combined Authority",
        decision_maker="Mayor",
        subject="Commissioning plan",
    )
    mayoral = replace(recon, plan=replace(recon.plan, decision=decision), decision=decision)
    for content in _bodies(mayoral, []):
        assert "Greater Manchester Combined Authority" in content
        assert "Police and Crime Commissioner" not in content
        assert not re.search(r"\bPCC\b", content)


def test_the_email_points_to_the_attached_review_note(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    recon = _recon_circulating(sample_recon, ("Jane Smith", "jane@example.police.uk"))
    note = tmp_path / "review-015-2021.docx"
    note.write_bytes(b"PK\x03\x04 a review note")
    text, html = _bodies(recon, [mail.Attachment(note.name, note)])
    assert "listed in the attached review note, review-015-2021.docx." in text
    assert "listed in the attached review note, review-015-2021.docx." in html
    assert "reconciliation section of the report" not in text  # the report holds no findings


def test_no_bidi_or_invisible_character_reaches_the_bodies(sample_recon: Reconciliation) -> None:
    recon = _recon_circulating(sample_recon, ("Jane Smith", "jane@example.police.uk"))
    fund = replace(recon.funds[0].fund, name="Victims\u202e Fund\u200b")
    funds = (replace(recon.funds[0], fund=fund), *recon.funds[1:])
    recon = replace(recon, funds=funds)
    for content in _bodies(recon, []):
        assert "Victims Fund" in content
        assert not {"\u202e", "\u200b"} & set(content)


# Up to four words and their dots: within the 64 characters a local part may have (RFC 5321).
_WORD = st.text("abcXYZ019_+-", min_size=1, max_size=15)
_LABEL = st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,2}", fullmatch=True)
_TLD = st.sampled_from(["uk", "com", "org", "net"])


def _accepted_unchanged(address: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return False
    return valid.normalized == address


@given(st.lists(_WORD, min_size=1, max_size=4), st.lists(_LABEL, min_size=1, max_size=4), _TLD)
def test_a_plain_address_is_one_email_validator_accepts_unchanged(
    words: list[str], labels: list[str], tld: str
) -> None:
    """The Circulation reader takes a plain address without importing email_validator
    (issue 21): each must be one the library would accept, unchanged."""
    address = ".".join(words) + "@" + ".".join([*labels, tld])
    assert plain_address(address)
    assert _accepted_unchanged(address)


@given(
    st.text("aZ09._+-@!#", max_size=40)
    | st.from_regex(r"[a-z.]{0,70}@[a-z.-]{0,70}", fullmatch=True)
)
def test_nothing_but_a_valid_address_is_taken_as_plain(text: str) -> None:
    if plain_address(text):
        assert _accepted_unchanged(text)


@pytest.mark.parametrize(
    "address",
    [
        "Jane.Smith@Example.police.uk",  # a capital in the domain: the library lower-cases it
        "jane..smith@example.police.uk",
        ".jane@example.police.uk",
        "jane@example.test",  # a special-use domain the library refuses
        "jane@localhost",
        "jane@example",
        "jane@-example.org",
        "jane@exa--mple.org",
        "jané@example.org",
        "jane smith@example.org",
        "j" * 65 + "@example.org",
        "jane@" + "e" * 64 + ".org",
    ],
)
def test_any_other_address_is_left_to_email_validator(address: str) -> None:
    assert not plain_address(address)


def test_plain_and_other_addresses_are_read_alike(tmp_path: Path) -> None:
    """Plain ones as they are, the capitalised one as email_validator normalises it."""
    plan = load(circulated(tmp_path)).plan
    assert plan is not None
    assert [r.email for r in plan.circulation] == ADDRESSES


def test_each_fund_row_of_the_html_table_is_headed_by_its_fund(
    sample_recon: Reconciliation,
) -> None:
    # A screen reader names a cell by its row's header ("Victims Fund, Committed, £805,212"):
    # the Total row had one, the funds' rows had plain cells, so their figures went unnamed.
    import html5lib

    _, html = _bodies(_recon_circulating(sample_recon, ("Jane Smith", "jane@x.police.uk")), [])
    ns = "{http://www.w3.org/1999/xhtml}"
    table = html5lib.parse(html).find(f".//{ns}table")
    assert table is not None
    body = table.find(f"{ns}tbody")
    assert body is not None
    heads = [(row[0].tag, row[0].get("scope"), row[0].text) for row in body.findall(f"{ns}tr")]
    assert heads == [
        (f"{ns}th", "row", "Victims Fund"),
        (f"{ns}th", "row", "Community Safety Fund"),
        (f"{ns}th", "row", "Total"),
    ]


def test_welsh_names_are_marked_welsh_in_the_html_body_only(
    sample_recon: Reconciliation,
) -> None:
    # A Welsh body's name and a bilingual subject were read by a screen reader with the
    # message's English voice (WCAG 3.1.2, Language of Parts).
    import html5lib

    recon = _recon_circulating(sample_recon, ("Jane Smith", "jane@x.police.uk"))
    decision = replace(
        recon.decision,
        organisation="Comisiynydd Heddlu a Throseddu Gogledd Cymru",
        subject="Cynllun Comisiynu & <Strategaeth> / Commissioning Plan",
    )
    welsh = replace(recon, plan=replace(recon.plan, decision=decision), decision=decision)
    text, html = _bodies(welsh, [])
    ns = "{http://www.w3.org/1999/xhtml}"
    marked = [
        " ".join(span.itertext())
        for span in html5lib.parse(html).iter(f"{ns}span")
        if span.get("lang") == "cy"
    ]
    assert marked == [
        "Cynllun Comisiynu & <Strategaeth>",
        "Comisiynydd Heddlu a Throseddu Gogledd Cymru",
    ]
    assert "&amp; &lt;Strategaeth&gt;</span> / Commissioning Plan" in html
    assert "<span" not in text and "Cynllun Comisiynu & <Strategaeth> / Commissioning" in text
    assert "Comisiynydd Heddlu a Throseddu Gogledd Cymru" in text
