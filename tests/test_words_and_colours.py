"""Issue 14: the words and colours of the Data and Callbacks pages: file kinds and conduct issues in the page's
language, one colour per callback answer and "no" not in a warning colour."""

from __future__ import annotations

import pandas as pd

from app import charts, tables, vega
from app.i18n import has
from etl.schema import KINDS


def test_file_kinds_read_in_the_pages_language():
    for spec in (tables.LOAD_RESULT, tables.PREVIEW, tables.REJECTS, tables.LOAD_HISTORY):
        assert dict(spec)["kind"] == "code"
    zh, en = tables.formatter("code", "zh"), tables.formatter("code", "en")
    assert (zh("repairs"), en("repairs")) == ("维修记录", "repair records")
    assert (zh("hotline"), en("hotline")) == ("400热线工单", "hotline tickets")
    assert all(has(f"code.{kind.name}") and zh(kind.name) != kind.name for kind in KINDS)


def test_conduct_issues_are_named_in_english_on_an_english_page():
    issues = pd.DataFrame(
        {
            "dealer_id": ["D1", "D1", "D2"],
            "dealer_name": ["一", "一", "二"],
            "conduct_issue": ["未穿鞋套", "收礼", "态度差"],
            "callbacks": [2, 1, 1],
        }
    )
    english = vega.spec(charts.conduct_issues(issues, "en"))["encoding"]["color"]["scale"]["domain"]
    assert sorted(english) == ["Accepted gifts", "No shoe covers", "态度差"]  # the unknown one as written
    chinese = vega.spec(charts.conduct_issues(issues, "zh"))["encoding"]["color"]["scale"]["domain"]
    assert sorted(chinese) == sorted(["收礼", "未穿鞋套", "态度差"])
    assert charts.conduct_in_words(" 吸烟 ", "en") == "Smoking"


def test_each_answer_has_its_own_colour_and_no_is_not_a_warning():
    colours = charts.ANSWER_COLORS
    assert len(set(colours.values())) == len(colours)
    assert colours["no"] not in (charts.BAD, charts.LIMIT) and colours["yes"] not in (charts.BAD, charts.LIMIT)
    answers = pd.DataFrame(
        {"question": ["complaint", "complaint"], "answer": ["no", "yes"], "share": [0.8, 0.2], "callbacks": [8, 2]}
    )
    chart = charts.answer_distribution(answers, "en")
    scale = vega.spec(chart)["layer"][0]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {"yes": colours["yes"], "no": colours["no"]}
    assert [(r["answer"], r["start"], r["end"], r["inside"]) for r in vega.rows(chart)] == [
        ("yes", 0.0, 0.2, "20 %"),  # yes first, at the left
        ("no", 0.2, 1.0, "80 %"),
    ]
