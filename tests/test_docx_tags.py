"""Tags of an edited template that Jinja does not refuse but that would spoil the published
report: a tag printed as text, text lost beside a {%p %} or {%tr %} tag, a report cut short by
an {% if %} typed without its p. Each stops the build with what to change in Word."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from pipeline import batch
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.docx_tags import misplaced_tag, template_xml
from pipeline.docx_template import template_class
from pipeline.reconcile import Reconciliation
from pipeline.render_docx import DEFAULT_TEMPLATE, TemplateError, render_docx
from pipeline.report import Report
from tests.office import convert
from tests.template_edits import edited, retyped


def refused(recon: Reconciliation, template: Path) -> str:
    with pytest.raises(TemplateError) as raised:
        render_docx(Report.of(recon), io.BytesIO(), template)
    return str(raised.value)


def test_a_tag_with_a_brace_lost_is_refused_not_printed(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # Jinja reads "{ decision.subject }}" as text: the report printed it where the subject goes.
    template = edited(tmp_path, retyped("{{ decision.subject }}", "{ decision.subject }}"))
    message = refused(sample_recon, template)
    assert 'the tag "{ decision.subject }}" in the paragraph "{ decision.subject }}"' in message
    assert "has no matching opening brace" in message
    assert "Retype the tag in one go in Word" in message


def test_text_typed_beside_a_p_tag_is_refused_not_lost(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    tag = "{%p if decision.background %}"
    template = edited(tmp_path, retyped(tag, "Background as agreed: " + tag))
    message = refused(sample_recon, template)
    assert f'the paragraph "Background as agreed: {tag}" holds the tag "{tag}"' in message
    assert "press Enter before it" in message


def test_text_typed_in_a_tr_row_is_refused_not_lost(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    def note_in_the_row(document: Any) -> None:
        tag = next(
            p
            for p in document.element.body.iter(qn("w:p"))
            if "".join(p.xpath(".//w:t/text()")) == "{%tr for fund in funds %}"
        )
        row = next(a for a in tag.iterancestors() if a.tag == qn("w:tr"))
        cells = row.findall(qn("w:tc"))
        cells[-1].find(qn("w:p")).append(copy.deepcopy(tag.find(qn("w:r"))))
        cells[-1].xpath(".//w:t")[-1].text = "see note 2"

    message = refused(sample_recon, edited(tmp_path, note_in_the_row))
    assert 'the table row holding the tag "{%tr for fund in funds %}"' in message
    assert 'also holds the text "see note 2"' in message


@pytest.mark.parametrize(
    ("old", "new", "fixed"),
    [
        (
            "{%p if decision.background %}",
            "{% if decision.background %}",
            '"{%p if decision.background %}"',
        ),
        ("{%p endfor %}", "{% endfor %}", '"{%p endfor %}"'),
    ],
)
def test_a_block_tag_alone_in_its_paragraph_without_p_is_refused_not_cut_short(
    sample_recon: Reconciliation, tmp_path: Path, old: str, new: str, fixed: str
) -> None:
    # Without the p, the report's XML broke at the tag and everything after it was missing,
    # with the build reporting success.
    message = refused(sample_recon, edited(tmp_path, retyped(old, new)))
    assert f'the tag "{new}"' in message
    assert f"is typed with p: {fixed}" in message


def test_an_inline_if_in_one_paragraph_is_fine() -> None:
    assert misplaced_tag(["<w:p><w:r><w:t>a{% if x %}b{% endif %}c</w:t></w:r></w:p>"]) == ""


def test_the_build_of_a_spoiling_template_fails_with_e_render_and_no_report(
    sample_path: Path, tmp_path: Path
) -> None:
    tag = "{%p if decision.background %}"
    template = edited(tmp_path, retyped(tag, "{% if decision.background %}"))
    [result], _ = batch.build([sample_path], tmp_path / "out", Config(), template=template)
    assert result.status == "errors"
    [finding] = [f for f in result.findings if f.severity.value == "error"]
    assert finding.code == "E-RENDER"
    assert "{%p if decision.background %}" in finding.message
    # In Word's terms only: no exception name, no "report this to the maintainers".
    assert finding.message.startswith("The Request for Decision was not made: the Word template")
    assert "TemplateError" not in finding.message and "maintainers" not in finding.message
    assert not (tmp_path / "out" / "015-2021" / "RfD-015-2021.docx").exists()


@pytest.mark.slow
def test_the_committed_template_and_libreoffices_save_of_it_have_no_misplaced_tag(
    tmp_path: Path,
) -> None:
    resaved = convert(DEFAULT_TEMPLATE, "docx", tmp_path / "lo")
    for template in (DEFAULT_TEMPLATE, resaved):
        document = template_class()(str(template))
        document.init_docx()
        assert misplaced_tag(template_xml(document)) == ""


def test_the_template_fields_command_names_a_misplaced_tag_as_the_build_does(
    tmp_path: Path,
) -> None:
    tag = "{%p if decision.background %}"
    template = edited(tmp_path, retyped(tag, "Background as agreed: " + tag))
    result = CliRunner().invoke(cli, ["template-fields", "--template", str(template)])
    assert result.exit_code != 0
    assert "holds the tag" in result.output and "press Enter before it" in result.output


def test_an_empty_row_inserted_in_a_tr_loop_is_an_accessibility_warning(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # Word's Insert › Row Below on the loop's tag row: an empty row repeated after every line.
    def insert_row_below_the_tag(document: Any) -> None:
        tag = next(
            p
            for p in document.element.body.iter(qn("w:p"))
            if "".join(p.xpath(".//w:t/text()")) == "{%tr for line in fund.lines %}"
        )
        row = next(a for a in tag.iterancestors() if a.tag == qn("w:tr"))
        empty = copy.deepcopy(row.getnext())
        for text in empty.iter(qn("w:t")):
            text.text = ""
        row.addnext(empty)

    out = io.BytesIO()
    template = edited(tmp_path, insert_row_below_the_tag)
    notes = render_docx(Report.of(sample_recon), out, template)
    assert [(n.code, n.message.split(":")[0]) for n in notes] == [
        (
            "W-ACCESSIBILITY",
            'The table loop "{%tr for line in fund.lines %}" repeats 1 empty row for each item',
        )
    ]
