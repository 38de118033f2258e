"""A Word document holding what Office embeds: a chart pasted from Excel (its workbook inside the
.docx, every sheet of it) and an Excel worksheet inserted as an object (the whole workbook
inside, a picture of it shown). Built in code for the tests of what the published report keeps
(tests/test_docx_markup.py)."""

from __future__ import annotations

import base64
import io
from typing import Any

import openpyxl
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

SECRET = "Jane Example"  # on a sheet of the embedded workbooks nobody sees in Word
CHART_FIGURES = ("Victims Fund", "1009000")
_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
)
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
# A 1x1 grey PNG: the picture Word shows of an embedded object.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg=="
)


def workbook_with_a_private_sheet() -> bytes:
    """The workbook a chart or object carries: its figures, and a sheet of staff costs."""
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    funds = book.create_sheet("Funds")
    funds.append(["Fund", "Allocation"])
    funds.append(["Victims Fund", 1009000])
    funds.append(["Community Safety Fund", 556000])
    staff = book.create_sheet("Staff costs")
    staff.append([SECRET, "Commissioning officer", 38500])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _chart_xml(rid: str) -> bytes:
    cache = "".join(
        f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>'
        for i, v in enumerate(("Victims Fund", "Community Safety Fund"))
    )
    values = "".join(
        f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate((1009000, 556000))
    )
    axis = '<c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
    return (
        f"<c:chartSpace {_NS}><c:chart><c:plotArea><c:layout/><c:barChart>"
        '<c:barDir val="col"/><c:grouping val="clustered"/><c:ser><c:idx val="0"/>'
        '<c:order val="0"/><c:cat><c:strRef><c:f>Funds!$A$2:$A$3</c:f><c:strCache>'
        f'<c:ptCount val="2"/>{cache}</c:strCache></c:strRef></c:cat><c:val><c:numRef>'
        "<c:f>Funds!$B$2:$B$3</c:f><c:numCache><c:formatCode>General</c:formatCode>"
        f'<c:ptCount val="2"/>{values}</c:numCache></c:numRef></c:val></c:ser>'
        '<c:axId val="1"/><c:axId val="2"/></c:barChart>'
        f'<c:catAx><c:axId val="1"/>{axis}<c:axPos val="b"/><c:crossAx val="2"/></c:catAx>'
        f'<c:valAx><c:axId val="2"/>{axis}<c:axPos val="l"/><c:crossAx val="1"/></c:valAx>'
        f'</c:plotArea></c:chart><c:externalData r:id="{rid}"><c:autoUpdate val="0"/>'
        "</c:externalData></c:chartSpace>"
    ).encode()


def add_chart(document: Any, linked_to: str = "") -> None:
    """A chart pasted from Excel at the end of ``document``: its workbook embedded, or (with
    ``linked_to``) linked to that file."""
    package = document.part.package
    chart = Part(PackURI("/word/charts/chart1.xml"), _CHART, b"", package)
    if linked_to:
        rid = chart.rels.get_or_add_ext_rel(RT.OLE_OBJECT, linked_to)
    else:
        book = Part(
            PackURI("/word/embeddings/Microsoft_Excel_Worksheet.xlsx"),
            _XLSX,
            workbook_with_a_private_sheet(),
            package,
        )
        rid = chart.relate_to(book, RT.PACKAGE)
    chart._blob = _chart_xml(rid)
    chart_rid = document.part.relate_to(chart, RT.CHART)
    _add_run(
        document,
        (
            f'<w:r {_NS}><w:drawing><wp:inline><wp:extent cx="4572000" cy="2743200"/>'
            '<wp:docPr id="901" name="Chart 1" descr="Allocation by fund: Victims Fund '
            '£1,009,000; Community Safety Fund £556,000"/><a:graphic><a:graphicData '
            'uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            f'<c:chart r:id="{chart_rid}"/></a:graphicData></a:graphic></wp:inline>'
            "</w:drawing></w:r>"
        ),
    )


def add_object(document: Any) -> None:
    """An Excel worksheet inserted as an object (Insert › Object) at the end of ``document``:
    the workbook embedded whole, a picture of it shown."""
    package = document.part.package
    book = Part(
        PackURI("/word/embeddings/Microsoft_Excel_Worksheet1.xlsx"),
        _XLSX,
        workbook_with_a_private_sheet(),
        package,
    )
    picture = Part(PackURI("/word/media/image901.png"), "image/png", _PNG, package)
    book_rid = document.part.relate_to(book, RT.PACKAGE)
    picture_rid = document.part.relate_to(picture, RT.IMAGE)
    _add_run(
        document,
        (
            f'<w:r {_NS}><w:object w:dxaOrig="4320" w:dyaOrig="1440">'
            '<v:shape id="_x0000_i1025" style="width:216pt;height:72pt" alt="Allocation by '
            f'fund"><v:imagedata r:id="{picture_rid}" o:title=""/></v:shape>'
            '<o:OLEObject Type="Embed" ProgID="Excel.Sheet.12" ShapeID="_x0000_i1025" '
            f'DrawAspect="Content" ObjectID="_1700000001" r:id="{book_rid}"/></w:object></w:r>'
        ),
    )


def _add_run(document: Any, xml: str) -> None:
    """A paragraph at the end of ``document`` holding the run ``xml``."""
    document.add_paragraph()._p.append(parse_xml(xml))
