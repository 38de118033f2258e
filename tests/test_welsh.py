"""Welsh in the plan's text is recognised, so published HTML can mark it ``lang="cy"``."""

from __future__ import annotations

import html

import pytest

from pipeline.welsh import is_welsh, parts, tag_html, tag_passages_html, welsh_passages


@pytest.mark.parametrize(
    "text",
    [
        "Comisiynydd Heddlu a Throseddu Gogledd Cymru",
        "Swyddfa Comisiynydd yr Heddlu",
        "Cronfa Dioddefwyr",
        "Cronfa Diogelwch Cymunedol",
        "Strategaeth a Chynllun Comisiynu 2021/22",
        "Cefnogi dioddefwyr trais domestig",
        "Cymorth i Fenywod Cymru",  # Welsh Women's Aid
        "Cymru gyfan",  # all Wales
        "Heddlu Gogledd Cymru",
    ],
)
def test_the_welsh_of_bodies_funds_and_plans_is_welsh(text: str) -> None:
    assert is_welsh(text)


@pytest.mark.parametrize(
    "text",
    [
        "Police and Crime Commissioner for Dyfed-Powys",
        "Victims Fund",
        "Community Safety Fund",
        "Police and Crime Commissioner's Commissioning Strategy and Plan for 2021/22",
        "Victim Support Cymru",  # an English name with a Welsh word keeps its English voice
        # A UK body's Welsh branch: its English name with "Cymru" (Wales) after it was read
        # whole with a Welsh voice ("Barnardo's" said as Welsh) in the South Wales plan.
        "Barnardo's Cymru",
        "NFU Cymru",
        "Media Academy Cymru",
        "Care & Repair Cymru",
        "Cymru",
        "De Montfort University",
        "EU Exit support",
        "Dyfed-Powys",  # a name both languages use says nothing either way
        "Gwent",
        "2021/22",
        "",
        "AC",  # someone's initials, or Welsh's "and": one short word alone says nothing
        "Y",
        "AR and VR",
    ],
)
def test_english_and_names_both_languages_share_are_not(text: str) -> None:
    assert not is_welsh(text)


def test_each_side_of_a_bilingual_text_is_judged_on_its_own() -> None:
    assert parts("Cronfa Dioddefwyr / Victims Fund") == [
        ("Cronfa Dioddefwyr", True),
        (" / ", False),
        ("Victims Fund", False),
    ]
    assert parts("Heddlu Gogledd Cymru | North Wales Police")[0] == ("Heddlu Gogledd Cymru", True)
    assert parts("Community Safety Fund – Cronfa Diogelwch Cymunedol")[2] == (
        "Cronfa Diogelwch Cymunedol",
        True,
    )
    # A year, a hyphenated name and a slash without spaces part nothing.
    assert parts("Cynllun Comisiynu 2021/22") == [("Cynllun Comisiynu 2021/22", True)]
    assert parts("Dyfed-Powys Victims Fund") == [("Dyfed-Powys Victims Fund", False)]


def test_tagged_html_marks_the_welsh_and_escapes_every_part() -> None:
    tagged = tag_html("Cronfa <Dioddefwyr> & / Victims & <Fund>", html.escape)
    assert tagged == (
        '<span lang="cy">Cronfa &lt;Dioddefwyr&gt; &amp;</span> / Victims &amp; &lt;Fund&gt;'
    )
    assert tag_html("Victims Fund", html.escape) == "Victims Fund"


def test_a_message_quoting_a_welsh_passage_has_it_marked_and_the_rest_escaped() -> None:
    passages = welsh_passages(["Cronfa Dioddefwyr / Victims Fund", "Community Safety Fund"])
    said = tag_passages_html("<b> Cronfa Dioddefwyr & CRONFA DIODDEFWYR", passages, html.escape)
    assert said == (
        '&lt;b&gt; <span lang="cy">Cronfa Dioddefwyr</span> &amp; '
        '<span lang="cy">CRONFA DIODDEFWYR</span>'
    )
    assert welsh_passages(["Community Safety Fund"]) is None
    assert tag_passages_html("<b>", None, html.escape) == "&lt;b&gt;"
