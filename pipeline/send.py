"""``pcc-report send``: the prepared sign-off e-mail, through the office's mail server.

Before anything goes out the build is checked against ``output/manifest.json``: the last build
of the workbook must have been free of errors, and every output (the .eml and what it carries)
must still be the file that build wrote, by SHA-256, and the workbook must not have changed
since. Otherwise the send is refused, so nobody circulates an out-of-date report.

The mail server comes from ``[tool.pcc-report.smtp]`` in the settings file, overridden by the
environment (``PCC_SMTP_HOST``, ``PCC_SMTP_PORT``, ``PCC_SMTP_STARTTLS``, ``PCC_SMTP_USER``,
``PCC_SMTP_FROM``, ``PCC_SMTP_CA_FILE``); the password only ever comes from the environment
(``PCC_SMTP_PASSWORD``). What was sent, to whom and the SHA-256 of each attachment is logged
under the workbook's entry in the manifest (``"sent"``).
"""

from __future__ import annotations

import copy
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from pipeline import mail
from pipeline.manifest import MANIFEST, Manifest, sha256
from pipeline.outputs import LOCK, LOG
from pipeline.values import slugify

SMTP_KEYS = ("host", "port", "starttls", "user", "from", "ca_file", "timeout")
ENVIRONMENT = {
    "host": "PCC_SMTP_HOST",
    "port": "PCC_SMTP_PORT",
    "starttls": "PCC_SMTP_STARTTLS",
    "user": "PCC_SMTP_USER",
    "from": "PCC_SMTP_FROM",
    "ca_file": "PCC_SMTP_CA_FILE",
    "timeout": "PCC_SMTP_TIMEOUT",
}
PASSWORD_VARIABLE = "PCC_SMTP_PASSWORD"
LOCK_WAIT_SECONDS = 120


class SendError(RuntimeError):
    """Sending is not possible; the message says why and what to do."""


class Refused(SendError):
    """The build is not fit to send: it had errors, or its outputs are stale or missing."""


class SettingsError(SendError):
    """The mail-server settings are missing or unusable."""


# -- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    starttls: bool = True
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    ca_file: str = ""
    timeout: int = 60

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}" if self.host else ""

    def describe(self) -> str:
        """``smtp.example:587 with STARTTLS, as pcc-reports`` for the dry run."""
        if not self.host:
            return f"not set (set {ENVIRONMENT['host']}, or host in [tool.pcc-report.smtp])"
        tls = "with STARTTLS" if self.starttls else "without encryption"
        who = f", as {self.user}" if self.user else ""
        return f"{self.server} {tls}{who}"

    def check(self) -> None:
        """Raise :class:`SettingsError` unless these settings can send; it names every
        setting that is missing or wrong at once, so one fix-and-retry is enough."""
        problems: list[str] = []
        if not self.host:
            problems.append(
                f"No mail server is set: set {ENVIRONMENT['host']} (and "
                f"{ENVIRONMENT['port']}, {ENVIRONMENT['user']}, "
                f"{PASSWORD_VARIABLE}), or host in [tool.pcc-report.smtp]."
            )
        if not self.sender:
            problems.append(
                f"No sender address is set: set {ENVIRONMENT['from']} (or from "
                "in [tool.pcc-report.smtp]) to the address the e-mail is from."
            )
        if self.user and not self.password:
            problems.append(
                f"{ENVIRONMENT['user']} is set but {PASSWORD_VARIABLE} is not; "
                "set the password in the environment (never in a file)."
            )
        if self.user and not self.starttls:
            problems.append(
                "A user name is set but STARTTLS is off, so the password would "
                "cross the network unencrypted; turn STARTTLS on "
                f"({ENVIRONMENT['starttls']}=yes)."
            )
        if problems:
            raise SettingsError(" ".join(problems))


def _boolean(name: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} = {raw!r}; use yes or no.")


def _whole(
    raw: Mapping[str, tuple[str, Any]], key: str, default: int, valid: range, what: str
) -> int:
    """The whole number set for ``key`` in ``raw`` (where it was set, its value), or
    ``default``; one out of ``valid`` names the setting and what to use."""
    if key not in raw:
        return default
    name, value = raw[key]
    try:
        number = int(str(value).strip())
    except ValueError:
        number = valid.start - 1
    if number not in valid:
        raise SettingsError(f"{name} = {value!r}; use {what}, e.g. {default}.")
    return number


def settings(file_section: Mapping[str, Any], environ: Mapping[str, str]) -> SmtpSettings:
    """The SMTP settings: the settings file's ``[tool.pcc-report.smtp]``, then the environment."""
    unknown = sorted(set(file_section) - set(SMTP_KEYS))
    if unknown:
        raise SettingsError(
            f"[tool.pcc-report.smtp] has unknown setting(s) "
            f"{', '.join(unknown)}; known settings: {', '.join(SMTP_KEYS)} "
            f"(the password goes only in {PASSWORD_VARIABLE})."
        )
    raw: dict[str, tuple[str, Any]] = {
        key: (f"[tool.pcc-report.smtp] {key}", value) for key, value in file_section.items()
    }
    for key, variable in ENVIRONMENT.items():
        if environ.get(variable, "").strip():
            raw[key] = (variable, environ[variable].strip())

    def text(key: str) -> str:
        return str(raw[key][1]).strip() if key in raw else ""

    starttls = _boolean(*raw["starttls"]) if "starttls" in raw else True
    port = _whole(raw, "port", 587 if starttls else 25, range(1, 65536), "the mail server's port")
    timeout = _whole(raw, "timeout", 60, range(1, 2**31), "a whole number of seconds")
    sender = text("from") or (text("user") if "@" in text("user") else "")
    if sender:
        sender = _address(raw.get("from", raw.get("user", ("", "")))[0], sender)
    ca_file = text("ca_file")
    if ca_file and not Path(ca_file).is_file():
        raise SettingsError(f"{raw['ca_file'][0]} names {ca_file}, which is not a file.")
    return SmtpSettings(
        host=text("host"),
        port=port,
        starttls=starttls,
        user=text("user"),
        password=environ.get(PASSWORD_VARIABLE, ""),
        sender=sender,
        ca_file=ca_file,
        timeout=timeout,
    )


def _address(name: str, address: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(address, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError as error:
        raise SettingsError(f"{name} = {address!r} is not an e-mail address ({error}).") from error


# -- what would be sent -----------------------------------------------------------------------


@dataclass
class Prepared:
    """A build that passed the checks, and its message ready to send."""

    out: Path
    key: str  # the workbook's manifest key
    entry: dict[str, Any]
    eml: Path
    message: EmailMessage
    attachments: list[dict[str, Any]]
    to: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")


def _folder_of(target: str, out: Path) -> tuple[Path, Path]:
    """(output folder, report folder) for a reference, a report folder or an .eml file."""
    path = Path(target)
    if path.is_file() and path.suffix.lower() == ".eml":
        path = path.parent
    if path.is_dir():
        folder = path.resolve()
        if (folder / MANIFEST).is_file():
            raise SendError(
                f"{target} is the output folder; name one report in it, e.g. "
                f"{path / '015-2021'} or the reference 015/2021."
            )
        return folder.parent, folder
    return out.resolve(), (out / slugify(target)).resolve()


def _workbook_of(key: str, entry: dict[str, Any], out: Path) -> Path | None:
    """The workbook a build was made from, found from any folder: where the manifest says it
    is (absolute, then relative to the output folder), else the key from here."""
    candidates = [
        entry.get("workbook_path"),
        str(out / entry["workbook_from_output"]) if entry.get("workbook_from_output") else None,
        key,
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def prepare(target: str, out: Path) -> Prepared:
    """Find the build of ``target`` (reference, folder or .eml) and check it may be sent.

    Raises :class:`Refused` (the build had errors, or is stale) or :class:`SendError`.
    """
    out, folder = _folder_of(target, out)
    manifest = Manifest.read(out)
    entries = [
        (key, entry)
        for key, entry in manifest.entries.items()
        if any((out / o["path"]).resolve().parent == folder for o in entry.get("outputs", []))
    ]
    if not entries:
        raise SendError(
            f"No build of {target} is recorded in {out / MANIFEST}; run pcc-report "
            "build first (or name the report folder, e.g. output/015-2021)."
        )
    key, entry = max(entries, key=lambda pair: str(pair[1].get("built_at", "")))
    label = f"{key} (decision {entry.get('reference') or '?'})"
    if entry.get("status") != "ok":
        errors = entry.get("counts", {}).get("error", 0)
        raise Refused(
            f"The last build of {label} had {errors} error(s), so it is not sent. "
            f"Correct the workbook (see {folder / 'findings.json'}), run pcc-report "
            "build, then send again."
        )
    outputs = {Path(o["path"]).name: o for o in entry.get("outputs", [])}
    changed = [
        name
        for name, o in outputs.items()
        if not (out / o["path"]).is_file() or sha256(out / o["path"]) != o["sha256"]
    ]
    if changed:
        raise Refused(
            f"{', '.join(sorted(changed))} in {folder} changed (or went) after the "
            f"build of {label}, so the outputs are stale and nothing is sent. Run "
            "pcc-report build --force to make them afresh, then send again."
        )
    notes: list[str] = []
    source = _workbook_of(key, entry, out)
    if source is None:
        raise Refused(
            f"The workbook {key} cannot be found to check that the report is still current "
            f"(it was at {entry.get('workbook_path') or key}), so nothing is sent. Put it "
            "back, or build again from where it is now, then send."
        )
    if sha256(source) != entry.get("sha256"):
        raise Refused(
            f"The workbook {key} changed after its report was built, so the "
            "report is stale and nothing is sent. Run pcc-report build, then "
            "send again."
        )
    emls = [o for name, o in outputs.items() if name.endswith(".eml")]
    if not emls:
        raise Refused(
            f"The build of {label} prepared no e-mail: the workbook has no "
            "Circulation sheet. Add one (Role, Name, E-mail), build again, then send."
        )
    eml = out / emls[0]["path"]
    message = mail.read(eml)
    attachments = mail.attachments_of(message)
    for attachment in attachments:
        built = outputs.get(attachment["name"])
        if built is None or built["sha256"] != attachment["sha256"]:
            raise Refused(
                f"{eml.name} carries {attachment['name']}, which is not the file the "
                f"build of {label} wrote; run pcc-report build --force, then send."
            )
    to = [address.addr_spec for address in message["To"].addresses] if message["To"] else []
    if not to:
        raise Refused(
            f"{eml.name} has no recipients; fill in the Circulation sheet and build again."
        )
    for previous in entry.get("sent", []):
        if previous.get("eml_sha256") == emls[0]["sha256"]:
            notes.append(
                f"This e-mail was already sent on {previous.get('sent_at')} to "
                f"{', '.join(previous.get('to', []))}."
            )
    return Prepared(out, key, entry, eml, message, attachments, to, notes)


# -- sending ----------------------------------------------------------------------------------


def outgoing(prepared: Prepared, smtp: SmtpSettings) -> EmailMessage:
    """The draft made ready to leave: sender, date and message id set, the draft mark removed."""
    message = copy.deepcopy(prepared.message)
    del message["X-Unsent"]
    del message["From"]
    message["From"] = smtp.sender
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2])
    return message


def send(prepared: Prepared, smtp: SmtpSettings) -> dict[str, Any]:
    """Send ``prepared`` through ``smtp`` and log it in the manifest; return the log record."""
    smtp.check()
    message = outgoing(prepared, smtp)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
            server.ehlo()
            if smtp.starttls:
                context = ssl.create_default_context(cafile=smtp.ca_file or None)
                server.starttls(context=context)
                server.ehlo()
            if smtp.user:
                server.login(smtp.user, smtp.password)
            refused = server.send_message(message, from_addr=smtp.sender, to_addrs=prepared.to)
    except smtplib.SMTPAuthenticationError as error:
        raise SendError(
            f"The mail server {smtp.server} did not accept the user name and "
            f"password ({_smtp_reason(error)}); check {ENVIRONMENT['user']} and "
            f"{PASSWORD_VARIABLE}. Nothing was sent."
        ) from error
    except smtplib.SMTPRecipientsRefused as error:
        raise SendError(
            f"The mail server {smtp.server} refused every recipient "
            f"({', '.join(error.recipients)}). Nothing was sent."
        ) from error
    except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
        raise SendError(
            f"Sending through {smtp.server} failed ({type(error).__name__}: "
            f"{error}); check the mail-server settings. Nothing was logged as "
            "sent."
        ) from error
    record = {
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "to": [a for a in prepared.to if a not in refused],
        "refused": {address: _smtp_reason(reply) for address, reply in refused.items()},
        "from": smtp.sender,
        "subject": prepared.subject,
        "message_id": str(message["Message-ID"]),
        "server": smtp.server,
        "starttls": smtp.starttls,
        "eml": str(prepared.eml.resolve().relative_to(prepared.out.resolve())),
        "eml_sha256": sha256(prepared.eml),
        "attachments": prepared.attachments,
    }
    _log(prepared, record)
    return record


def _smtp_reason(reply: Any) -> str:
    code, text = (
        (reply.smtp_code, reply.smtp_error)
        if isinstance(reply, smtplib.SMTPResponseException)
        else reply
    )
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {detail}".strip()


def _log(prepared: Prepared, record: dict[str, Any]) -> None:
    """Append ``record`` to the workbook's ``sent`` list, under the build's lock."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(prepared.out / LOCK))
    try:
        lock.acquire(timeout=LOCK_WAIT_SECONDS)
    except Timeout as error:
        raise SendError(
            f"The e-mail WAS sent, but {prepared.out / MANIFEST} stayed locked by a "
            f"build, so it is not logged there: {record}"
        ) from error
    try:
        manifest = Manifest.read(prepared.out)
        entry = manifest.entries.setdefault(prepared.key, dict(prepared.entry))
        entry.setdefault("sent", []).append(record)
        manifest.write()
    finally:
        lock.release()
    try:
        with (prepared.out / LOG).open("a", encoding="utf-8") as log:
            log.write(
                f"{record['sent_at']} sent       {prepared.key} -> {', '.join(record['to'])}\n"
            )
    except OSError:
        pass  # the log is a convenience; the manifest is the record
