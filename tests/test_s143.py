"""The s143 purpose of a Community Safety Fund line as a Welsh body types it: in Welsh, or in
Welsh and English. Each was E-PURPOSE ('which is not an s143 purpose') on a line that names
its purpose, and the decision could not be built."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.load import load
from pipeline.new_workbook import WorkbookContent
from pipeline.reconcile import reconcile
from pipeline.s143 import S143_PURPOSES, s143_purpose
from tests.workbooks import SERVICE_KEYS, make_workbook

CRIME, SUBSTANCES, REOFFENDING, VICTIMS = S143_PURPOSES


@pytest.mark.parametrize(
    ("purpose", "named"),
    [
        ("Lleihau troseddu ac anhrefn", CRIME),
        ("Lleihau trosedd ac anhrefn, gan gynnwys ymddygiad gwrthgymdeithasol", CRIME),
        ("Ymddygiad gwrthgymdeithasol", CRIME),
        ("Lleihau camddefnyddio cyffuriau, alcohol a sylweddau eraill", SUBSTANCES),
        ("Camddefnyddio sylweddau", SUBSTANCES),
        ("Lleihau aildroseddu", REOFFENDING),
        ("Lleihau ail-droseddu", REOFFENDING),
        ("Helpu dioddefwyr a thystion", VICTIMS),
        ("Cefnogi dioddefwyr trosedd", VICTIMS),
        ("Lleihau aildroseddu / Reducing re-offending", REOFFENDING),
        ("Diogelwch ar y ffyrdd", None),  # road safety: no s143 purpose in either language
        ("Amherthnasol", None),  # not applicable
    ],
)
def test_a_purpose_typed_in_welsh_is_one_of_the_four(purpose: str, named: str | None) -> None:
    assert s143_purpose(purpose) == named


def _welsh_purposes(content: WorkbookContent) -> None:
    where = SERVICE_KEYS.index("purpose")
    rows = [list(r) for r in content.services]
    for row in rows:
        if row[where]:
            row[where] = "Lleihau aildroseddu"
    content.services = rows


def test_a_welsh_plan_s_purposes_build(tmp_path: Path) -> None:
    plan = load(make_workbook(tmp_path, edit=_welsh_purposes)).plan
    assert plan is not None
    assert any(line.purpose == "Lleihau aildroseddu" for line in plan.lines)
    codes = [f.code for f in reconcile(plan, Config()).findings]
    assert "E-PURPOSE" not in codes


def _bilingual_community_safety(content: WorkbookContent) -> None:
    bilingual = "Cronfa Diogelwch Cymunedol / Community Safety Fund"
    for part in ("funds", "sources", "services"):
        rows = getattr(content, part)
        setattr(
            content,
            part,
            [[bilingual if v == "Community Safety Fund" else v for v in r] for r in rows],
        )
    where = SERVICE_KEYS.index("purpose")
    rows = [list(r) for r in content.services]
    first = next(r for r in rows if r[0] == bilingual)
    first[where] = ""
    content.services = rows


def test_a_bilingual_community_safety_fund_s_lines_need_a_purpose(tmp_path: Path) -> None:
    # A Welsh body names the fund in both languages: it was not the Community Safety Fund of
    # the s143_funds setting, and a line with no purpose went through without a word.
    plan = load(make_workbook(tmp_path, edit=_bilingual_community_safety)).plan
    assert plan is not None
    found = [f for f in reconcile(plan, Config()).findings if f.code == "E-PURPOSE"]
    assert len(found) == 1
    assert "has no s143 purpose" in found[0].message
    assert found[0].sheet == "Services"


def _renamed_s143_fund(content: WorkbookContent) -> None:
    # A Mayor's office's fund under s143, named its own way; one line without a purpose.
    renamed = "Crime Reduction Grants"
    for part in ("funds", "sources", "services"):
        rows = [
            [renamed if v == "Community Safety Fund" else v for v in r]
            for r in getattr(content, part)
        ]
        setattr(content, part, rows)
    where = SERVICE_KEYS.index("purpose")
    services = [list(r) for r in content.services]
    next(r for r in services if r[0] == renamed)[where] = ""
    content.services = services


@pytest.mark.parametrize(
    "basis", ["Section 143 Anti-social Behaviour, Crime and Policing Act 2014", "ASBCPA 2014 s.143"]
)
def test_a_fund_whose_legal_basis_is_s143_needs_purposes_whatever_its_name(
    tmp_path: Path, basis: str
) -> None:
    # Only a fund named as the s143_funds setting names it was checked: a fund under s143
    # named otherwise ("Crime Reduction Grants") passed a line with no purpose without a word.
    def edit(content: WorkbookContent) -> None:
        _renamed_s143_fund(content)
        funds = [list(r) for r in content.funds]
        next(r for r in funds if r[0] == "Crime Reduction Grants")[2] = basis
        content.funds = funds

    plan = load(make_workbook(tmp_path, edit=edit)).plan
    assert plan is not None
    found = [f for f in reconcile(plan, Config()).findings if f.code == "E-PURPOSE"]
    assert [(f.sheet, "has no s143 purpose" in f.message) for f in found] == [("Services", True)]
