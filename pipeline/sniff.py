"""Is this file a workbook we can open? Decided from its size and first bytes, before any parser.

Every limit is checked before the work it protects: the file's size before it is read, the
zip's member count (from its end record, a few bytes) before its directory is parsed, the
unpacked sizes before anything is unpacked, and the first bytes of each XML part for a
document type declaration before an XML parser sees it.
"""

from __future__ import annotations

import stat
import struct
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a zip is opened: a no-op rerun opens none (#21)
    import zipfile

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member, beyond any real worksheet
# A workbook of 250 sheets has about 600 parts; 10,000 is far beyond any plan, and parsing a
# zip directory of 200,000 entries takes seconds before anything else can be said.
MAX_MEMBERS = 10_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_END_RECORD = b"PK\x05\x06"
_END_RECORD_SIZE = 22
_MAX_COMMENT = 65_535
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# Rights management (a sensitivity label that encrypts, or Restrict Access): the data space
# and transform that name it, per MS-OFFCRYPTO's IRMDS.
_RIGHTS_MANAGED = tuple(
    name.encode("utf-16-le") for name in ("DRMEncryptedDataSpace", "DRMEncryptedTransform")
)
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")

_SAVE_AS_XLSX = "open it in Excel and use File > Save As > Excel Workbook (.xlsx)"


def sniff(path: Path) -> str | None:
    """Why ``path`` is not a workbook we can open, in words a finance officer can act on.

    None when it looks like an .xlsx/.xlsm within the limits; the message otherwise starts
    after the file's name (``"<name> is an empty file ..."``).
    """
    if path.name.startswith("~$"):
        return (
            "is an Excel owner file (~$), left while someone has the workbook open; "
            "it is not a workbook - close the workbook in Excel and ignore this file"
        )
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A named pipe or a device would block the read below for ever, or never end.
            return (
                "is not a file but a folder, pipe or device; name the workbook file itself "
                "(e.g. input/plan-2021-22.xlsx)"
            )
        size = info.st_size
        if size > MAX_FILE_BYTES:  # before a single byte is read
            return (
                f"is {size // (1024 * 1024):,} MB, over the {MAX_FILE_BYTES // (1024 * 1024)} MB "
                "limit for a plan workbook; remove pictures or unused sheets and save it again"
            )
        with path.open("rb") as handle:
            head = handle.read(8)
            body = head + handle.read(4 * 1024 * 1024) if head == _OLE_MAGIC else b""
    except PermissionError:
        return "cannot be opened: it is locked by another program; close it in Excel and run again"
    except OSError as error:
        return f"cannot be opened ({error.strerror}); check the file is on the shared folder"
    if size == 0:
        return "is an empty file (0 bytes), perhaps an interrupted copy; copy the workbook again"
    if head == _OLE_MAGIC:
        if any(name in body for name in _RIGHTS_MANAGED):
            # No password to remove: "remove the password" sent people looking for one.
            return (
                "is encrypted by its sensitivity label or rights management (Restrict "
                "Access), so only Office signed in as a permitted user can open it; in Excel, "
                "choose a sensitivity label that does not encrypt (Home > Sensitivity) or "
                "File > Info > Protect Workbook > Restrict Access > Unrestricted Access, and "
                "save it"
            )
        if _ENCRYPTED_STREAM in body:
            return (
                "is password-protected (encrypted); open it in Excel, remove the password "
                "(File > Info > Protect Workbook > Encrypt with Password) and save it"
            )
        return f"is an old Excel 97-2003 (.xls) workbook; {_SAVE_AS_XLSX}"
    if head[:4] != _ZIP_MAGIC:
        return f"is not an Excel workbook (it looks like text or CSV); {_SAVE_AS_XLSX}"
    return _member_count_problem(path, size) or _check_zip(path)


def _member_count_problem(path: Path, size: int) -> str | None:
    """Refuse a zip of too many members from its end record, before its directory is read."""
    tail_size = min(size, _END_RECORD_SIZE + _MAX_COMMENT)
    try:
        with path.open("rb") as handle:
            handle.seek(size - tail_size)
            tail = handle.read(tail_size)
    except OSError as error:
        return f"cannot be opened ({error.strerror}); check the file is on the shared folder"
    at = tail.rfind(_END_RECORD)
    if at < 0 or at + _END_RECORD_SIZE > len(tail):
        return None  # no end record: zipfile says "damaged" below
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    # 0xFFFF means "see the zip64 record": more entries than a plain zip holds, so too many.
    if entries > MAX_MEMBERS:
        shown = "over 65,000" if entries == 0xFFFF else f"{entries:,}"
        return (
            f"is a zip of {shown} parts, far more than any workbook has (a plan has a few "
            f"dozen; the limit is {MAX_MEMBERS:,}); it was not opened. Save the plan again "
            "from Excel"
        )
    return None


WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}  # what the input folder is searched for
TEXT_EXPORT_SUFFIXES = (".csv", ".txt", ".tsv")  # a ledger exported as text (spend files)
# Spreadsheets of another format: a plan saved as one is not built, and a build says so even
# without --verbose (beside other workbooks it was left out without a word).
OTHER_SPREADSHEETS = frozenset((".xls", ".xlsb", ".xlt", ".ods", ".fods", ".numbers"))


def may_be_a_spreadsheet(path: Path) -> bool:
    """Whether a file named by itself should be read as a plan: a spreadsheet's suffix, or
    the zip or OLE container every Excel workbook is, whatever its name (``plan.xlsx.bak``).
    Anything else -- a ledger export, a README -- is no plan that failed, only a wrong name."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES | OTHER_SPREADSHEETS:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_OLE_MAGIC))
    except OSError:
        return True  # read_workbook says why it cannot be opened
    return head.startswith(_ZIP_MAGIC) or head == _OLE_MAGIC


# Other office suites' own formats, by file suffix: what the file is and that suite's way to
# save it as .xlsx (telling a LibreOffice user to use Excel helps no one).
OTHER_SUITES = {
    ".ods": (
        "is an OpenDocument spreadsheet (.ods, LibreOffice's own format), not an Excel "
        "workbook; open it in LibreOffice and use File > Save As with the file type "
        '"Excel 2007-365 (.xlsx)"'
    ),
    ".numbers": (
        "is an Apple Numbers file, not an Excel workbook; open it in Numbers and use "
        "File > Export To > Excel"
    ),
}


def _other_office_file(archive: zipfile.ZipFile, names: set[str]) -> str:
    """What a zip that is not an Excel workbook is, where another office suite saved it."""
    if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype")[:100]:
        return OTHER_SUITES[".ods"]
    if "Index/Document.iwa" in names or "Index.zip" in names:
        return OTHER_SUITES[".numbers"]
    return "is a zip file but not an Excel workbook; save the plan from Excel as .xlsx"


def _check_zip(path: Path) -> str | None:
    # Here: a no-op rerun reads MAX_FILE_BYTES from this module and opens no zip (#21).
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if total > MAX_UNZIPPED_BYTES or (
                    member.file_size > 10_000_000 and ratio > MAX_RATIO
                ):
                    return (
                        "unpacks to far more data than any plan workbook (a 'zip bomb'); "
                        "it was not opened. Save the plan again from Excel"
                    )
            if "xl/workbook.xml" not in names:
                if "xl/workbook.bin" in names:
                    return f"is an Excel binary workbook (.xlsb); {_SAVE_AS_XLSX}"
                return _other_office_file(archive, names)
            # Excel never writes a DTD; one is how an entity-expansion ("billion laughs") file
            # starts. defusedxml (used by openpyxl) would refuse it too, less clearly.
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    with archive.open(member) as part:
                        start = part.read(4096).upper()
                    if any(marker in start for marker in _DTD_MARKERS):
                        return (
                            f"contains an XML document type declaration ({member.filename}), "
                            "which Excel never writes and which can expand to gigabytes "
                            "('billion laughs'); it was not opened. Save the plan again "
                            "from Excel"
                        )
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ):
        return (
            "is damaged (an incomplete or corrupt .xlsx); copy it again from the original, "
            "or open it in Excel and save it"
        )
    return None
