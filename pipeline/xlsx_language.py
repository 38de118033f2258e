"""The language of a published workbook, recorded where readers look for it.

A Word document says its language in ``docProps/core.xml`` (``dc:language``), and so may a
workbook: the Public Sector Bodies Accessibility Regulations ask a published document to say
what language it is in (WCAG 3.1.1), and assistive technology, a search engine and the PDF a
reader makes from the workbook take it from there. xlsxwriter has no document property for
it, so its packager is given a core-properties writer that adds the one element.

The workbooks are in English (United Kingdom): every heading, label and note in them is
written in English by this tool, whatever the body; a Welsh body's names in the cells do not
make the sheet Welsh (a workbook has no language mark of its parts).
"""

from __future__ import annotations

import functools
import re
from io import StringIO
from pathlib import Path
from typing import Any

ENGLISH_GB = "en-GB"
# xlsxwriter marks a chart's language, and each run of its text, as American English.
_CHART_LANGUAGE = re.compile(r'(<c:lang val=|<a:(?:rPr|endParaRPr|defRPr) lang=)"en-US"')


@functools.cache
def workbook_class() -> type:
    """xlsxwriter's Workbook, whose ``docProps/core.xml`` carries ``dc:language`` (en-GB).

    xlsxwriter documents ``Workbook._get_packager`` as the place to override its packager;
    the core-properties part is the one thing written differently.
    """
    from xlsxwriter.core import Core
    from xlsxwriter.packager import Packager
    from xlsxwriter.workbook import Workbook

    class LanguageCore(Core):  # type: ignore[misc]
        def _write_cp_content_status(self) -> None:
            # The last element xlsxwriter writes; core properties may come in any order.
            super()._write_cp_content_status()
            self._xml_data_element("dc:language", self.properties.get("language", ENGLISH_GB))

    class LanguagePackager(Packager):  # type: ignore[misc]
        def _write_core_file(self) -> None:
            core = LanguageCore()
            core._set_properties(self.workbook.doc_properties)
            core._set_xml_writer(self._filename("docProps/core.xml"))
            core._assemble_xml_file()

        def _write_chart_files(self) -> None:
            super()._write_chart_files()
            for written, name, _ in self.filenames:
                if name.startswith("xl/charts/"):
                    _chart_in_english(written)

    class LanguageWorkbook(Workbook):  # type: ignore[misc]
        def _get_packager(self) -> Any:
            return LanguagePackager()

    return LanguageWorkbook


def _chart_in_english(written: StringIO | str) -> None:
    """A chart part xlsxwriter has written, its language marks made en-GB (in tags only: an
    escaped ``<`` keeps text in the chart from matching)."""
    text = written.getvalue() if isinstance(written, StringIO) else Path(written).read_text("utf-8")
    english = _CHART_LANGUAGE.sub(rf'\1"{ENGLISH_GB}"', text)
    if isinstance(written, StringIO):
        written.seek(0)
        written.truncate()
        written.write(english)
    else:
        Path(written).write_text(english, "utf-8")
