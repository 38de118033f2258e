"""The sign-off e-mail: a ready-to-send .eml with the Request for Decision attached.

The message goes to the workbook's Circulation sheet; its plain-text and HTML bodies come from
``templates/email.txt`` and ``templates/email.html`` (Jinja2, editable by a non-programmer), and
it carries the Word report (and its PDF, when one was made). It is saved as an unsent draft
(``X-Unsent: 1``), so Outlook opens it ready to press Send; ``pcc-report send`` can also send
it through the office's mail server (:mod:`pipeline.send`).

The .eml is repeatable: no date, no message id and MIME boundaries derived from the content,
so the same report gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from pipeline import TEMPLATE_DIR
from pipeline.findings import Finding, Severity, count
from pipeline.model import Decision, Recipient
from pipeline.report import Report
from pipeline.textsafe import for_header, for_publication
from pipeline.values import format_long_date, format_money, format_percent, slugify
from pipeline.welsh import tag_html

TEXT_TEMPLATE = "email.txt"
HTML_TEMPLATE = "email.html"
TEMPLATES = (TEXT_TEMPLATE, HTML_TEMPLATE)

# Named here rather than guessed by ``mimetypes``, whose table differs between machines.
MIME_TYPES = {
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".pdf": ("application", "pdf"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class _Text(str):
    """Workbook text for the templates: as it is in the plain-text body; in the HTML body,
    which escapes what it prints, escaped with its Welsh marked ``lang="cy"`` (a Welsh body's
    name or a Welsh subject was read by a screen reader with the message's English voice)."""

    __slots__ = ()

    def __html__(self) -> str:
        import html  # here: as in textsafe, its entity table is a start-up cost

        return tag_html(str(self), lambda text: html.escape(text, quote=True))


class MailTemplateError(RuntimeError):
    """An edited e-mail template is broken; the message names the file, line and field."""


class MailAddressError(ValueError):
    """A Circulation address that no mail server would take; the message names it."""


# Any line break a header could be split at, Unicode's own included.
_LINE_BREAK = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]")


@dataclass(frozen=True)
class Attachment:
    """A file to attach: the name the recipient sees and where its bytes are now."""

    name: str
    path: Path


def email_name(decision: Decision) -> str:
    """``email-015-2021.eml``."""
    return f"email-{slugify(decision.reference)}.eml"


def subject(decision: Decision) -> str:
    """``Request for Decision 015/2021 – <subject>``, on one line whatever the cells hold."""
    return for_header(f"Request for Decision {decision.reference} – {decision.subject}")


def display_name(name: str) -> str:
    """The name shown beside an address in the To: header, or ``""`` for none.

    A name holding a line break or an e-mail address (``"C. Example\\r\\nBcc: x@evil"``) is
    not a name: it is left out rather than put into the header as text.
    """
    if "@" in name or _LINE_BREAK.search(name):
        return ""
    return for_header(name)


def ascii_domain(address: str) -> str:
    """The domain of ``address`` as mail servers take it: an internationalised domain
    (``bücher.example``) encoded with IDNA (``xn--bcher-kva.example``).

    Raises :class:`MailAddressError` for an address that cannot be sent as it stands (the
    loader already reports such an address as E-EMAIL at its cell).
    """
    domain = address.rpartition("@")[2]
    if domain.isascii():
        return domain
    from email_validator import EmailNotValidError, validate_email

    try:
        return str(
            validate_email(address, check_deliverability=False, allow_smtputf8=False).ascii_domain
        )
    except EmailNotValidError as error:
        raise MailAddressError(
            f'The e-mail address "{for_header(address)}" cannot be sent ({error}); correct it '
            "on the Circulation sheet."
        ) from error


def recipients(circulation: Sequence[Recipient]) -> list[Address]:
    """The To: addresses, in the sheet's order, each address once."""
    seen: set[str] = set()
    addresses: list[Address] = []
    for person in circulation:
        local = person.email.rpartition("@")[0]
        domain = ascii_domain(person.email)
        key = f"{local}@{domain}".lower()
        if key in seen:
            continue
        seen.add(key)
        addresses.append(
            Address(display_name=display_name(person.name), username=local, domain=domain)
        )
    return addresses


def context(
    recon: Report, findings: Sequence[Finding], attachments: Sequence[Attachment]
) -> dict[str, Any]:
    """What the e-mail templates may use (see the comment at the top of each template).

    Text from the workbook is published text (:func:`~pipeline.textsafe.for_publication`): no
    bidi override or invisible character reaches the message; in the HTML body its Welsh is
    marked as Welsh. ``uncommitted`` is the money not
    yet committed; ``headroom`` is kept as its older name for templates edited before.
    """
    decision = recon.decision

    def text(value: str) -> _Text:
        return _Text(for_publication(value))

    funds = []
    for rec in recon.funds:
        uncommitted = format_money(rec.headroom)
        funds.append(
            {
                "name": text(rec.fund.name),
                "allocation": format_money(rec.allocation),
                "committed": format_money(rec.committed),
                "uncommitted": uncommitted,
                "headroom": uncommitted,
                "percent_committed": format_percent(rec.committed, rec.allocation),
            }
        )
    review = [a.name for a in attachments if a.name.lower().startswith("review-")]
    return {
        "decision": {
            "reference": text(decision.reference),
            "subject": text(decision.subject),
            "police_area": text(decision.police_area),
            "body": text(decision.body),
            "maker": text(decision.maker),
            "maker_short": text(decision.maker_short),
            "date": format_long_date(decision.date),
            "financial_year": decision.year_label,
            "report_by": text(decision.report_by),
        },
        "funds": funds,
        "total": {
            "allocation": format_money(recon.allocation),
            "committed": format_money(recon.committed),
            "uncommitted": format_money(recon.headroom),
            "headroom": format_money(recon.headroom),
        },
        "warnings": count(findings, Severity.WARNING),
        "notes": count(findings, Severity.INFO),
        "attachments": [text(a.name) for a in attachments],
        "review_note": review[0] if review else "",
        "recipients": [
            {"role": text(p.role), "name": text(p.name)} for p in recon.plan.circulation
        ],
        "pdf": any(a.name.lower().endswith(".pdf") for a in attachments),
    }


def render_bodies(values: dict[str, Any], template_dir: Path = TEMPLATE_DIR) -> tuple[str, str]:
    """The plain-text and HTML bodies. Raises :class:`MailTemplateError` for a broken one."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,  # a misspelt field fails loudly, not as a blank
        keep_trailing_newline=True,
        trim_blocks=True,  # a line holding only {% ... %} leaves no blank line
        lstrip_blocks=True,
    )
    bodies: list[str] = []
    for name in TEMPLATES:
        try:
            bodies.append(env.get_template(name).render(values))
        except jinja2.TemplateError as error:
            line = getattr(error, "lineno", None)
            where = f"{name}, line {line}" if line else name
            raise MailTemplateError(
                f"The e-mail template templates/{where} cannot be used ({error}); correct "
                "the {{ }} or {% %} field it names (the fields are listed at the top of "
                "email.txt), or restore the template from git."
            ) from error
    return bodies[0], bodies[1]


# RFC 5322 line ends, in lines of at most 76 characters: RFC 2045 holds quoted-printable and
# base64 to 76, and the bodies take the policy's length (78 by default, a header's limit).
_SMTP = policy.SMTP.clone(max_line_length=76)


def compose(
    recon: Report,
    findings: Sequence[Finding],
    attachments: Sequence[Attachment],
    template_dir: Path = TEMPLATE_DIR,
) -> EmailMessage:
    """The sign-off message for ``recon``, addressed to its Circulation sheet."""
    text, html = render_bodies(context(recon, findings, attachments), template_dir)
    message = EmailMessage(policy=_SMTP)
    message["To"] = recipients(recon.plan.circulation)
    message["Subject"] = subject(recon.decision)
    message["X-Unsent"] = "1"  # Outlook opens it as a draft, ready to send
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, subtype = MIME_TYPES.get(
            Path(attachment.name).suffix.lower(), ("application", "octet-stream")
        )
        message.add_attachment(
            attachment.path.read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=attachment.name,
        )
    _fix_boundaries(message)
    return message


def _fix_boundaries(message: EmailMessage) -> None:
    """Boundaries from the content, not random, so equal reports give equal .eml files."""
    digest = hashlib.sha256()
    for part in message.walk():
        if not part.is_multipart():
            digest.update(part.as_bytes(policy=_SMTP))
    stem = digest.hexdigest()[:32]
    for index, part in enumerate(p for p in message.walk() if p.is_multipart()):
        part.set_boundary(f"=_pcc-report-{index}-{stem}")


def to_bytes(message: EmailMessage) -> bytes:
    """The message as an RFC 5322 file (CRLF line ends), as mail programs expect an .eml."""
    return message.as_bytes(policy=_SMTP)


def read(path: Path) -> EmailMessage:
    """An .eml file as an :class:`EmailMessage`."""
    with path.open("rb") as handle:
        parsed = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(parsed, EmailMessage)
    return parsed


def attachments_of(message: EmailMessage) -> list[dict[str, Any]]:
    """Each attachment's name, MIME type, size and SHA-256, for the log and for checks."""
    found: list[dict[str, Any]] = []
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        data = part.get_payload(decode=True)
        content = data if isinstance(data, bytes) else b""
        found.append(
            {
                "name": part.get_filename() or "",
                "content_type": part.get_content_type(),
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )
    return found
