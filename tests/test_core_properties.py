"""The Word documents' core properties (docProps/core.xml) are valid OPC core properties.

docxcompose, which docxtpl imports, rebinds python-docx's ``cp`` prefix to the custom-properties
namespace for the whole process; without :func:`pipeline.docx_finish.core_properties` the
report carried two ``lastModifiedBy``, ``keywords`` and ``revision`` elements, one set in a
namespace core.xml may not hold.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pytest

from pipeline import batch
from pipeline.config import Config

CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
ALLOWED = {CORE, "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"}


def _core(docx: Path) -> ElementTree.Element:
    with zipfile.ZipFile(docx) as archive:
        return ElementTree.fromstring(archive.read("docProps/core.xml"))


@pytest.fixture(scope="module")
def built(sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import docxtpl  # noqa: F401  (what rebinds the prefix: imported first, as in any build)

    out = tmp_path_factory.mktemp("core")
    [result], _ = batch.build([sample_path], out, Config())
    assert result.outcome == "built"
    return out


@pytest.mark.parametrize("pattern", ["RfD-*.docx", "review-*.docx"])
def test_core_properties_hold_each_property_once_in_its_own_namespace(
    built: Path, pattern: str
) -> None:
    [docx] = built.rglob(pattern)
    core = _core(docx)
    names = [ElementTree.QName(child.tag).text for child in core]  # "{namespace}local"
    assert {name[1:].partition("}")[0] for name in names} <= ALLOWED, names
    assert [tag for tag, n in Counter(names).items() if n > 1] == []
    by_name = {name.partition("}")[2]: child.text for name, child in zip(names, core, strict=True)}
    assert by_name["revision"] == "1"
    assert by_name["lastModifiedBy"] in {
        "Office of the Police and Crime Commissioner for Lincolnshire",
        "pcc-report",
    }


def test_the_prefix_is_given_back_for_docxcompose(built: Path) -> None:
    from docx.oxml.ns import nsmap
    from docxcompose.utils import NS

    assert nsmap["cp"] == NS["cp"]
