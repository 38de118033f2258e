"""``pcc-report send``: a real SMTP server on 127.0.0.1 receives what the build prepared.

The server is aiosmtpd, started by a fixture on a free loopback port; the STARTTLS path uses a
self-signed certificate made in the test. Only loopback addresses are ever contacted.
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import ipaddress
import json
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pipeline import batch, outputs, send
from pipeline.cli import cli
from pipeline.config import Config
from tests.test_mail import ADDRESSES, SUBJECT, circulated
from tests.workbooks import make_workbook

SENDER = "commissioning@example.police.uk"
LOOPBACK = "127.0.0.1"


@dataclass
class Mailbox:
    """What the test SMTP server received."""

    messages: list[tuple[str, list[str], EmailMessage, bool]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), message, session.ssl is not None)
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    host: str
    port: int
    mailbox: Mailbox
    ca_file: Path | None = None


@pytest.fixture()
def smtp_server() -> Iterator[Server]:
    """A plain SMTP server on a free loopback port."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname=LOOPBACK, port=_free_port())
    controller.start()
    try:
        yield Server(LOOPBACK, controller.port, mailbox)
    finally:
        controller.stop()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key: (certificate, key) PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pcc-report test server")])
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(LOOPBACK)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture()
def tls_server(tmp_path: Path) -> Iterator[Server]:
    """An SMTP server that requires STARTTLS (self-signed certificate) and then AUTH."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    mailbox = Mailbox()

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        mailbox.logins.append((login, password))
        return AuthResult(success=(login, password) == ("pcc-reports", "s3cret"), handled=False)

    controller = Controller(
        mailbox,
        hostname=LOOPBACK,
        port=_free_port(),
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticator,
        auth_exclude_mechanism=["LOGIN"],
    )  # PLAIN: one try per login
    controller.start()
    try:
        yield Server(LOOPBACK, controller.port, mailbox, cert_file)
    finally:
        controller.stop()


@pytest.fixture()
def built(tmp_path: Path) -> Path:
    """An output folder holding a successful build with a Circulation sheet."""
    workbook = circulated(tmp_path / "input")
    out = tmp_path / "output"
    [result], _ = batch.build([workbook.parent], out, Config())
    assert result.outcome == "built", result.findings
    return out


@pytest.fixture(autouse=True)
def no_smtp_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests set the variables they mean; none leak in from the machine."""
    for variable in [*send.ENVIRONMENT.values(), send.PASSWORD_VARIABLE]:
        monkeypatch.delenv(variable, raising=False)


def run(*args: str, **env: str) -> Result:
    env.setdefault("PCC_SMTP_TIMEOUT", "20")
    return CliRunner().invoke(cli, ["send", *args], env=env, catch_exceptions=False)


def plain_env(server: Server) -> dict[str, str]:
    return {
        "PCC_SMTP_HOST": server.host,
        "PCC_SMTP_PORT": str(server.port),
        "PCC_SMTP_STARTTLS": "no",
        "PCC_SMTP_FROM": SENDER,
    }


def sent_log(out: Path) -> list[dict[str, Any]]:
    [entry] = json.loads((out / "manifest.json").read_text())["workbooks"].values()
    log: list[dict[str, Any]] = entry["sent"]
    return log


def sha(data: object) -> str:
    assert isinstance(data, bytes)
    return hashlib.sha256(data).hexdigest()


def test_dry_run_by_default_shows_what_would_be_sent(built: Path, smtp_server: Server) -> None:
    result = run("015/2021", "--out", str(built), **plain_env(smtp_server))
    assert result.exit_code == 0, result.output
    assert "Would send" in result.output and "nothing was sent" in result.output
    for address in ADDRESSES:
        assert address in result.output
    assert "RfD-015-2021.docx" in result.output
    assert f"{LOOPBACK}:{smtp_server.port} without encryption" in result.output
    assert smtp_server.mailbox.messages == []
    assert sent_log(built) == []


def test_send_delivers_the_message_and_logs_it(built: Path, smtp_server: Server) -> None:
    folder = built / "015-2021"
    result = run(str(folder), "--send", **plain_env(smtp_server))
    assert result.exit_code == 0, result.output
    [(mail_from, rcpt_tos, message, tls)] = smtp_server.mailbox.messages
    assert mail_from == SENDER and not tls
    assert rcpt_tos == ADDRESSES
    assert [a.addr_spec for a in message["To"].addresses] == ADDRESSES
    assert message["From"] == SENDER
    assert message["Subject"] == SUBJECT
    assert message["X-Unsent"] is None and message["Date"] and message["Message-ID"]
    attachment, review = list(message.iter_attachments())
    docx = (folder / "RfD-015-2021.docx").read_bytes()
    note = (folder / "review-015-2021.docx").read_bytes()
    assert sha(attachment.get_payload(decode=True)) == sha(docx)
    assert sha(review.get_payload(decode=True)) == sha(note)

    [record] = sent_log(built)
    assert record["to"] == ADDRESSES and record["from"] == SENDER
    assert record["server"] == f"{LOOPBACK}:{smtp_server.port}"
    assert record["message_id"] == message["Message-ID"]
    assert record["attachments"] == [
        {
            "name": "RfD-015-2021.docx",
            "size": len(docx),
            "sha256": sha(docx),
            "content_type": attachment.get_content_type(),
        },
        {
            "name": "review-015-2021.docx",
            "size": len(note),
            "sha256": sha(note),
            "content_type": review.get_content_type(),
        },
    ]
    assert record["eml_sha256"] == sha((folder / "email-015-2021.eml").read_bytes())
    assert "sent" in (built / outputs.LOG).read_text()
    # The log survives a rebuild of the same workbook.
    [rebuilt], _ = batch.build([built.parent / "input"], built, Config(), force=True)
    assert rebuilt.outcome == "built"
    assert len(sent_log(built)) == 1


def test_starttls_with_a_self_signed_certificate_and_login(built: Path, tls_server: Server) -> None:
    env = {
        "PCC_SMTP_HOST": tls_server.host,
        "PCC_SMTP_PORT": str(tls_server.port),
        "PCC_SMTP_STARTTLS": "yes",
        "PCC_SMTP_USER": "pcc-reports",
        "PCC_SMTP_PASSWORD": "s3cret",
        "PCC_SMTP_FROM": SENDER,
    }
    # Without trusting the certificate, the client refuses the server: nothing is sent.
    refused = run("015/2021", "--out", str(built), "--send", **env)
    assert refused.exit_code == 1
    assert "CERTIFICATE_VERIFY_FAILED" in refused.output and "Nothing was logged" in refused.output
    assert tls_server.mailbox.messages == [] and sent_log(built) == []

    assert tls_server.ca_file is not None
    result = run(
        "015/2021", "--out", str(built), "--send", PCC_SMTP_CA_FILE=str(tls_server.ca_file), **env
    )
    assert result.exit_code == 0, result.output
    assert tls_server.mailbox.logins == [("pcc-reports", "s3cret")]
    [(_, rcpt_tos, message, tls)] = tls_server.mailbox.messages
    assert tls, "the message must have travelled inside STARTTLS"
    assert rcpt_tos == ADDRESSES and message["Subject"] == SUBJECT
    [record] = sent_log(built)
    assert record["starttls"] is True
    assert "s3cret" not in (built / "manifest.json").read_text()


def test_wrong_password_is_reported_and_nothing_logged(built: Path, tls_server: Server) -> None:
    assert tls_server.ca_file is not None
    result = run(
        "015/2021",
        "--out",
        str(built),
        "--send",
        PCC_SMTP_HOST=tls_server.host,
        PCC_SMTP_PORT=str(tls_server.port),
        PCC_SMTP_USER="pcc-reports",
        PCC_SMTP_PASSWORD="wrong",
        PCC_SMTP_FROM=SENDER,
        PCC_SMTP_CA_FILE=str(tls_server.ca_file),
    )
    assert result.exit_code == 1
    assert "did not accept the user name and password" in result.output
    assert tls_server.mailbox.messages == [] and sent_log(built) == []


def test_send_refuses_a_build_with_errors(built: Path, smtp_server: Server) -> None:
    drop = built.parent / "input"
    make_workbook(
        drop,
        "lincolnshire-2021-22.xlsx",
        edit=lambda c: setattr(c, "funds", [[*row[:1], 1, *row[2:]] for row in c.funds]),
    )  # allocations of £1
    [result], _ = batch.build([drop], built, Config())
    assert result.outcome == "failed"
    refused = run("015/2021", "--out", str(built), "--send", **plain_env(smtp_server))
    assert refused.exit_code == 1
    assert "Refused" in refused.output and "error" in refused.output
    assert smtp_server.mailbox.messages == []


@pytest.mark.parametrize("change", ["report", "email", "workbook"])
def test_send_refuses_stale_outputs(built: Path, smtp_server: Server, change: str) -> None:
    folder = built / "015-2021"
    if change == "report":
        with (folder / "RfD-015-2021.docx").open("ab") as handle:
            handle.write(b"\0")  # edited by hand after the build
    elif change == "email":
        (folder / "email-015-2021.eml").unlink()
    else:
        circulated(
            built.parent / "input",
            rows=[["Chief Executive", "Jane Smith", "jane.smith@example.police.uk"]],
        )
    refused = run("015/2021", "--out", str(built), "--send", **plain_env(smtp_server))
    assert refused.exit_code == 1, refused.output
    assert "stale" in refused.output and "pcc-report build" in refused.output
    assert smtp_server.mailbox.messages == []


def test_send_refuses_a_build_without_circulation(tmp_path: Path, smtp_server: Server) -> None:
    out = tmp_path / "output"
    workbook = make_workbook(tmp_path, edit=lambda c: setattr(c, "circulation", None))
    batch.build([workbook], out, Config())
    refused = run("015/2021", "--out", str(out), "--send", **plain_env(smtp_server))
    assert refused.exit_code == 1
    assert "Circulation" in refused.output


def test_unknown_report_and_missing_server_are_usage_errors(built: Path) -> None:
    unknown = run("099/2021", "--out", str(built))
    assert unknown.exit_code == 2 and "pcc-report build" in unknown.output
    no_server = run("015/2021", "--out", str(built), "--send")
    assert no_server.exit_code == 2 and "PCC_SMTP_HOST" in no_server.output


def test_the_password_is_never_read_from_a_file(built: Path, tmp_path: Path) -> None:
    config = tmp_path / "pcc-report.toml"
    config.write_text('[smtp]\nhost = "127.0.0.1"\npassword = "s3cret"\n')
    result = run("015/2021", "--out", str(built), "--config", str(config))
    assert result.exit_code == 2
    assert "PCC_SMTP_PASSWORD" in result.output


def test_settings_come_from_the_file_then_the_environment(tmp_path: Path) -> None:
    section = {"host": "127.0.0.1", "port": 2525, "starttls": False, "from": SENDER}
    smtp = send.settings(section, {})
    assert (smtp.host, smtp.port, smtp.starttls, smtp.sender) == ("127.0.0.1", 2525, False, SENDER)
    smtp = send.settings(
        section,
        {
            "PCC_SMTP_PORT": "587",
            "PCC_SMTP_STARTTLS": "yes",
            "PCC_SMTP_USER": "reports@example.police.uk",
            "PCC_SMTP_PASSWORD": "pw",
        },
    )
    assert (smtp.port, smtp.starttls, smtp.user, smtp.password) == (
        587,
        True,
        "reports@example.police.uk",
        "pw",
    )
    assert "pw" not in repr(smtp)
    with pytest.raises(send.SettingsError, match="unencrypted"):
        send.settings(
            {"host": "127.0.0.1", "starttls": False, "user": "u", "from": SENDER},
            {"PCC_SMTP_PASSWORD": "pw"},
        ).check()
    with pytest.raises(send.SettingsError, match="PCC_SMTP_PORT"):
        send.settings({}, {"PCC_SMTP_PORT": "smtp"})
    with pytest.raises(send.SettingsError, match=r"port = 70000; use the mail server's port"):
        send.settings({"port": 70000}, {})
    for timeout in (0, "soon"):
        with pytest.raises(send.SettingsError, match=r"timeout = .*whole number of seconds"):
            send.settings({"timeout": timeout}, {})
    assert send.settings({"timeout": " 30 "}, {}).timeout == 30
    with pytest.raises(send.SettingsError, match="not an e-mail address"):
        send.settings({}, {"PCC_SMTP_FROM": "commissioning"})


def test_send_from_another_folder_still_checks_the_workbook(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest records where the workbook is, so send finds it from anywhere; a workbook
    changed since the build is refused wherever send is run from."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    folder = str(built / "015-2021")
    assert run(folder).exit_code == 0
    workbook = tmp_path / "input" / "lincolnshire-2021-22.xlsx"
    workbook.write_bytes(workbook.read_bytes() + b"\0")  # saved again since the build
    refused = run(folder)
    assert refused.exit_code == 1
    assert "changed after its report was built" in refused.output


def test_send_refuses_when_the_workbook_cannot_be_verified(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "input" / "lincolnshire-2021-22.xlsx").rename(tmp_path / "moved.xlsx")
    monkeypatch.chdir(tmp_path)
    refused = run(str(built / "015-2021"))
    assert refused.exit_code == 1
    assert "cannot be found to check that the report is still current" in refused.output


def test_builds_from_two_working_folders_keep_one_entry(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path / "input")
    [result], _ = batch.build([Path(".")], built, Config())
    assert result.outcome == "up to date"
    batch.build([Path(".")], built, Config(), force=True)
    entries = json.loads((built / "manifest.json").read_text())["workbooks"]
    assert len(entries) == 1
    [entry] = entries.values()
    assert entry["workbook_path"] == str(tmp_path / "input" / "lincolnshire-2021-22.xlsx")
    assert entry["workbook_from_output"] == "../input/lincolnshire-2021-22.xlsx"
