"""A person named without a title in the plan's free text ("Contact Sarah Jones for referrals")
is published in none of the files a reader receives: the Word report, the public summary, the
360Giving files, the Transparency Code CSVs and the index page; the organisations' names beside
it are published as typed."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from pipeline import batch
from pipeline.config import Config
from tests.workbooks import make_workbook


def _published_text(path: Path) -> str:
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return path.read_text(encoding="utf-8-sig")


def test_a_named_contact_is_removed_from_every_published_file(tmp_path: Path) -> None:
    def plant(content: Any) -> None:
        victims = [row for row in content.services if row[0] == "Victims Fund"]
        victims[0][4] = "Outreach. Contact Sarah Jones for referrals"
        community = [row for row in content.services if row[0] == "Community Safety Fund"]
        community[0][4] = "Mentoring led by Priya Patel with Grace House"

    (tmp_path / "input").mkdir()
    workbook = make_workbook(tmp_path / "input", edit=plant)
    out = tmp_path / "output"
    [result], _ = batch.build([workbook], out, Config(funder_prefix="examplepcc"))
    assert result.status == "ok", result.findings
    published = [
        p
        for p in out.rglob("*")
        if p.suffix in (".docx", ".xlsx", ".json", ".csv", ".html")
        and not p.name.startswith(("review-", "findings", "manifest"))
    ]
    names = {p.name for p in published}
    assert {"RfD-015-2021.docx", "360giving-015-2021.json", "index.html"} <= names, names
    for path in published:
        text = _published_text(path)
        assert "Sarah Jones" not in text and "Priya Patel" not in text, path.name
    summary = _published_text(out / "015-2021" / "commissioning-summary-2021-22.xlsx")
    assert "Outreach. Contact [removed] for referrals" in summary
    assert "Mentoring led by [removed] with Grace House" in summary


def test_an_organisation_the_plan_names_is_never_removed_as_a_person(tmp_path: Path) -> None:
    # "Refer to Anthony Nolan for stem cell register" was published as "Refer to [removed] ...":
    # a charity named after a person, unknown to any list. A name the plan itself gives as a
    # line's organisation is an organisation's name wherever the plan's text uses it; a person
    # named beside it is still removed.
    def plant(content: Any) -> None:
        victims = [row for row in content.services if row[0] == "Victims Fund"]
        victims[0][2] = "Ruth Blake"  # a contract line's organisation
        victims[0][4] = "Hospice care. Delivered by Ruth Blake; contact Sarah Jones"
        grant = next(row for row in victims if row[2] == "Stop Hate")
        grant[4] = "Delivered by Ruth Blake; contact Sarah Jones"  # named on another line

    (tmp_path / "input").mkdir()
    workbook = make_workbook(tmp_path / "input", edit=plant)
    out = tmp_path / "output"
    [result], _ = batch.build([workbook], out, Config(funder_prefix="examplepcc"))
    assert result.status == "ok", result.findings
    summary = _published_text(out / "015-2021" / "commissioning-summary-2021-22.xlsx")
    assert "Hospice care. Delivered by Ruth Blake; contact [removed]" in summary
    grants = _published_text(out / "015-2021" / "360giving-015-2021.json")
    assert "Delivered by Ruth Blake; contact [removed]" in grants
    # Outside the plan's context the same words are a person's.
    from pipeline.textsafe import scrub_personal_data

    assert scrub_personal_data("Delivered by Ruth Blake") == "Delivered by [removed]"
