"""Issue 17: report packs. The PDF's text (pypdf) and the workbook's cells (openpyxl) hold the figures of
the metric layer and of the CSV reports, worked out by hand on a small warehouse; the printed filters,
the Chinese and English words, the scope a burst keeps to, the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from etl import cli, packs, reports
from etl import format as fmt
from etl.db import reader
from etl.metrics import award as awards
from etl.metrics import overview, thresholds
from etl.metrics.definitions import RATE_BY_NAME
from etl.metrics.scope import Scope
from etl.packs import pdf as pack_pdf
from etl.packs.context import rules_fingerprint
from metric_data import CALLBACK_HEADER, REPAIR_HEADER, SALES_HEADER, callback, repair

AS_OF = dt.date(2025, 5, 31)
MARCH = packs.Period.month(dt.date(2025, 3, 1))
YEAR = packs.Period.year(2025)
ROSTER = [
    [
        "dealer_id",
        "dealer_name",
        "region",
        "province",
        "city",
        "area_type",
        "technicians",
        "has_service_center",
        "joined_on",
        "left_on",
    ],
    ["D1", "一号服务部", "华东", "浙江", "杭州", "urban", 2, "Y", "", ""],
    ["D2", "二号服务部", "华东", "浙江", "宁波", "urban", 2, "Y", "", ""],
    ["D3", "三号服务部", "华北", "河北", "石家庄", "county", 2, "Y", "", ""],
]


def _build(wh):
    """March 2025: D1 4 repairs on time (1 complaint, 1 fake record with fees 10 + 5), D2 2 repairs late,
    D3 1 repair on time; April: D3's report on time with a rejected row. Sales: D1 100,000, D2 50,000,
    D3 10,000 yuan."""
    wh.load(wh.file("dealers.csv", ROSTER))
    repairs = [repair(f"A{i}", "D1", "2025-03", "2025-04-10") for i in (1, 2, 3)]
    repairs.append(repair("A4", "D1", "2025-03", "2025-04-10", labor=10, parts=5))
    repairs += [repair(f"B{i}", "D2", "2025-03", "2025-04-20") for i in (1, 2)]
    repairs.append(repair("C1", "D3", "2025-03", "2025-04-10"))
    callbacks = [
        callback("CB1", "A1", "D1", "2025-03-28 10:00", satisfaction="2", complaint="Y"),
        callback("CB2", "A2", "D1", "2025-03-28 10:00"),
        callback("CB3", "A3", "D1", "2025-03-28 10:00"),
        callback("CB4", "A4", "D1", "2025-03-28 10:00", confirmed="N", satisfaction=""),
    ]
    sales = [
        ["D1", "2025-01", 100, 10000],
        ["D1", "2025-03", 900, 90000],
        ["D2", "2025-03", 500, 50000],
        ["D3", "2025-03", 100, 10000],
    ]
    results = wh.load(
        wh.file("repairs_2025-03.csv", [REPAIR_HEADER, *repairs]),
        wh.file("callbacks_2025-03.csv", [CALLBACK_HEADER, *callbacks]),
        wh.file("sales_2025.csv", [SALES_HEADER, *sales]),
    )
    assert all(r.status == "loaded" and not r.rows_rejected for r in results), results
    april = [repair("C2", "D3", "2025-04", "2025-05-10"), repair("C3", "D3", "2025-04", "2025-05-10", parts=-5)]
    [result] = wh.load(wh.file("repairs_2025-04.csv", [REPAIR_HEADER, *april]))
    assert (result.status, result.rows_rejected) == ("loaded", 1)


@pytest.fixture
def small(wh, warehouse_templates):
    return warehouse_templates.copy_into(wh, _build)


def _docs(wh, kind, period, scope=None, lang="zh", by=None):
    with reader(wh.path, wh.rules) as con:
        ctx = packs.Context.open(con, lang, AS_OF, wh.rules, dt.datetime(2025, 6, 1, 9, 30))
        return list(packs.documents(ctx, kind, period, scope, by))


def _text(content: bytes) -> tuple[str, int]:
    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join(page.extract_text() for page in pages), len(pages)


def _sheet_rows(book, title_part: str) -> list[tuple]:
    [sheet] = [s for s in book.worksheets if title_part in s.title]
    return list(sheet.iter_rows(values_only=True))


def test_scorecard_prints_the_metric_layers_figures_and_its_filters_in_chinese(small):
    [document] = _docs(small, "scorecard", MARCH, Scope(dealer_ids=("D1",)))
    content, pages = pack_pdf.render(document)
    text, count = _text(content)
    assert pages == count >= 1
    assert "经销商服务质量成绩单" in text and "D1 一号服务部" in text
    # the printed filters: scope, period, evaluation date, rules file and fingerprint, generation time
    for printed in (
        "经销商编号: D1",
        "2025-03",
        "2025-05-31",
        f"rules.toml · {rules_fingerprint(small.rules)}",
        "2025-06-01 09:30:00",
        f"第 1 页 / 共 {count} 页",
    ):
        assert printed in text, printed
    # by hand: 1 complaint on 4 services in March
    assert "25.0 %" in text
    with reader(small.path, small.rules) as con:
        mine = overview.scope_totals(con, Scope(MARCH.first, MARCH.last, dealer_ids=("D1",))).iloc[0]
        national = overview.scope_totals(con, Scope(MARCH.first, MARCH.last)).iloc[0]
    assert mine["complaint_rate"] == pytest.approx(1 / 4)
    assert national["complaint_rate"] == pytest.approx(1 / 7)
    for name in ("complaint_rate", "satisfaction_rate", "fake_rate", "complaints_per_1000_sales"):
        assert fmt.rate(mine[name], RATE_BY_NAME[name].scale) in text, name
    assert fmt.rate(national["complaint_rate"], 1) == "14.3 %" and "14.3 %" in text
    # the 12 months up to March: January's and February's reports are missing, March's came on time
    assert "缺报与迟报的月报 2024-04 至 2025-03" in text and "待更正的退回记录" in text
    [late] = [t for t in document.tables() if t.title.startswith("缺报与迟报")]
    assert [f"{m:%Y-%m}" for m in late.frame["month"]] == ["2025-01", "2025-02"]
    assert late.frame["status"].tolist() == ["missing", "missing"]
    assert "2025 年度评奖条件" in text


def test_scorecard_workbook_cell_by_cell(small):
    [document] = _docs(small, "scorecard", MARCH, Scope(dealer_ids=("D1",)))
    book = openpyxl.load_workbook(io.BytesIO(packs.xlsx.render(document)))
    cover = book.worksheets[0]
    assert cover.title == "筛选条件" and cover.freeze_panes == "A2"
    filters = dict(list(cover.iter_rows(values_only=True))[1:])
    assert filters["范围"] == "经销商编号: D1" and filters["期间"] == "2025-03"
    assert filters["评定日期"] == "2025-05-31" and filters["生成时间"] == "2025-06-01 09:30:00"
    [rates] = [s for s in book.worksheets if "各项指标" in s.title]
    assert rates.freeze_panes == "A2" and rates.auto_filter.ref
    rows = list(rates.iter_rows(values_only=True))
    header = rows[0]
    complaint = next(r for r in rows if r[0] == "服务投诉率")
    assert complaint[header.index("分子")] == 1 and complaint[header.index("分母")] == 4
    assert complaint[header.index("数值")] == pytest.approx(0.25)
    assert complaint[header.index("全国")] == pytest.approx(1 / 7)
    row_no = rows.index(complaint) + 1
    assert rates.cell(row_no, header.index("数值") + 1).number_format == "0.0%"
    per_mille = next(r for r in rows if r[0] == "千台投诉率")  # 1 complaint on 1,000 units in 2025
    assert per_mille[header.index("数值")] == pytest.approx(1 / 900 * 1000)
    assert rates.cell(rows.index(per_mille) + 1, header.index("数值") + 1).number_format == '0.00" ‰"'
    trend = _sheet_rows(book, "近 12 个月走势")
    march = next(r for r in trend[1:] if r[0] == dt.datetime(2025, 3, 1))
    assert march[1] == 4 and march[2] == pytest.approx(0.25)


def test_settlement_statement_equals_the_settlement_report(small):
    docs = _docs(small, "settlement", YEAR)
    assert [d.recipient for d in docs] == ["D1", "D2", "D3"]
    with reader(small.path, small.rules) as con:
        report = reports.build(con, "settlement", 2025, AS_OF).set_index("dealer_id")
    # by hand: fee base 1 % of sales; D1 fake record fees 15 x 10; D2 missed Jan, Feb, Apr and was late in
    # March (4 months in a row not on time >= 3): 10 % of its base; D3 missed only Jan and Feb.
    d1 = report.loc["D1", ["fee_base", "fake_penalty", "missing_deduction", "net_fee"]].tolist()
    assert d1 == [1000, 150, 0, 850]
    assert report.loc["D2", ["fee_base", "missing_deduction", "net_fee"]].tolist() == [500, 50, 450]
    assert report.loc["D3", "net_fee"] == 100
    for document in docs:
        text, _ = _text(pack_pdf.render(document)[0])
        row = report.loc[document.recipient]
        for column in ("fee_base", "missing_deduction", "fake_penalty", "net_fee"):
            assert fmt.money(row[column]) in text, (document.recipient, column)
        book = openpyxl.load_workbook(io.BytesIO(packs.xlsx.render(document)))
        statement = _sheet_rows(book, "维修费结算")
        assert statement[-1][0] == "合计" and statement[-1][-1] == pytest.approx(row["net_fee"])
        amounts = {r[0]: r[-1] for r in statement[1:]}
        assert amounts["维修费基数"] == pytest.approx(row["fee_base"])
        assert amounts["假一罚十"] == pytest.approx(-row["fake_penalty"])
    for document in docs:  # the lists behind the deductions hold what the settlement counted
        complaints = next(t for t in document.tables() if t.title.startswith("2025 年投诉"))
        fakes = next(t for t in document.tables() if t.title.startswith("2025 年虚假记录"))
        assert len(complaints.frame) == report.loc[document.recipient, "complaints"]
        assert fakes.frame["record_no"].nunique() == report.loc[document.recipient, "fake_records"]
    d1_text, _ = _text(pack_pdf.render(docs[0])[0])
    assert "虚假记录 1 条" in d1_text and "CB4" in d1_text and "A4" in d1_text
    d2_book = openpyxl.load_workbook(io.BytesIO(packs.xlsx.render(docs[1])))
    months = _sheet_rows(d2_book, "未按时报表的月份")
    assert [r[0].month for r in months[1:]] == [1, 2, 3, 4]
    assert [r[-1] for r in months[1:]] == ["缺报", "缺报", "逾期", "缺报"]
    runs = [r[months[0].index("连续未按时月数")] for r in months[1:]]
    assert runs == [4, 4, 4, 4] and max(runs) == report.loc["D2", "max_consecutive_missing"]


def test_bulletin_in_english_for_a_region(small):
    [document] = _docs(small, "bulletin", MARCH, Scope(regions=("华东",)), lang="en")
    content, pages = pack_pdf.render(document)
    text, _ = _text(content)
    assert "Service quality bulletin" in text and "Region: 华东" in text and f"page 1 of {pages}" in text
    # by hand: 1 complaint on 6 services of D1 and D2; D3 (华北) is not in the bulletin
    assert "16.7 %" in text and "D3" not in text
    assert "Ranking of dealers" in text and "D1" in text and "D2" in text
    book = openpyxl.load_workbook(io.BytesIO(packs.xlsx.render(document)))
    late = _sheet_rows(book, "Reports missing or late")
    assert [(r[0], r[2]) for r in late[1:]] == [("D2", dt.datetime(2025, 3, 1))]
    assert late[1][late[0].index("Days after deadline")] == 5
    fakes = _sheet_rows(book, "Fake records found")
    assert [r[0] for r in fakes[1:]] == ["D1"]
    ranking = _sheet_rows(book, "Ranking")
    assert sorted(r[1] for r in ranking[1:]) == ["D1", "D2"]


def test_bulletin_lists_the_open_cases_of_its_scope(small):
    """Issue 16's cases, opened after the loads: the bulletin's table is cases.figures' dealers with open cases."""
    from etl import cases as case_writer
    from etl.metrics import cases

    now = dt.datetime(2025, 6, 1, 9, 30)
    assert case_writer.open_after_load(small.path, small.rules, now=now) is not None
    [document] = _docs(small, "bulletin", MARCH, Scope(regions=("华东",)))
    table = next(t for t in document.tables() if t.title == "未结与逾期案件（按经销商）")
    with reader(small.path, small.rules) as con:
        figures = cases.figures(con, now, "dealer", Scope(regions=("华东",)))
    expected = figures[figures["cases_open"] > 0]
    assert len(expected) >= 1 and set(expected["dealer_id"]) <= {"D1", "D2"}  # D3 is in 华北
    assert (
        table.frame[["dealer_id", "cases_open", "cases_overdue"]].values.tolist()
        == expected[["dealer_id", "cases_open", "cases_overdue"]].values.tolist()
    )
    text, _ = _text(pack_pdf.render(document)[0])
    assert "未结与逾期案件（按经销商）" in text and "没有未结案件" not in text


def test_award_list_has_every_dealer_and_each_criterion(small):
    [document] = _docs(small, "award", YEAR)
    with reader(small.path, small.rules) as con:
        award = awards.award_ranked(con, 2025, AS_OF)
    book = openpyxl.load_workbook(io.BytesIO(packs.xlsx.render(document)))
    rows = _sheet_rows(book, "各经销商评选条件")
    assert [r[0] for r in rows[1:]] == award["dealer_id"].tolist()
    assert rows[0].count("判定") == len(awards.AWARD_CRITERIA)
    eligible = {r[0]: r[3] for r in rows[1:]}
    assert eligible == {d: ("达标" if e else "未达标") for d, e in zip(award["dealer_id"], award["eligible"])}
    assert document.landscape and pack_pdf.render(document)[1] >= 1


def test_a_burst_keeps_to_its_scope(small):
    with reader(small.path, small.rules) as con:
        ctx = packs.Context.open(con, "zh", AS_OF, small.rules)

        def recipients(kind, period, scope=None, by=None):
            return [d.recipient for d in packs.documents(ctx, kind, period, scope, by)]

        assert recipients("scorecard", MARCH, Scope(regions=("华北",))) == ["D3"]
        assert recipients("settlement", YEAR, Scope(dealer_ids=("D2",))) == ["D2"]
        assert recipients("award", YEAR, by="region") == ["华东", "华北"]  # sorted
        assert recipients("award", YEAR, Scope(regions=("华北",)), by="region") == ["华北"]
        [d3] = packs.documents(ctx, "scorecard", MARCH, Scope(dealer_ids=("D3",)))
        [d1] = packs.documents(ctx, "scorecard", MARCH, Scope(dealer_ids=("D1",)))
    rejects = next(t for t in d3.tables() if t.title == "待更正的退回记录")
    assert rejects.frame["file_name"].tolist() == ["repairs_2025-04.csv"]
    assert rejects.frame["row_no"].tolist() == [3]  # the header is row 1, C2 row 2
    assert "配件费" in rejects.frame["reason"].iloc[0]
    assert next(t for t in d1.tables() if t.title == "待更正的退回记录").frame.empty


def test_a_user_limited_to_some_dealers_gets_packs_of_those_only(small):
    """Issue 15's Scope.allowed (a regional manager's or a dealer's own dealers) holds in every pack."""
    mine = Scope(allowed=("D1",))
    with reader(small.path, small.rules) as con:
        ctx = packs.Context.open(con, "zh", AS_OF, small.rules)
        assert [d.recipient for d in packs.documents(ctx, "scorecard", MARCH, mine)] == ["D1"]
        assert [d.recipient for d in packs.documents(ctx, "settlement", YEAR, Scope(allowed=()))] == []
        [bulletin] = packs.documents(ctx, "bulletin", MARCH, mine, by="region")
        [award] = packs.documents(ctx, "award", YEAR, mine)
    assert bulletin.recipient == "华东" and dict(bulletin.header)["范围"] == "大区: 华东; 限于您可查看的 1 家经销商"
    ranking = next(t for t in bulletin.tables() if t.title == "经销商排名")
    assert ranking.frame["dealer_id"].tolist() == ["D1"]
    headline = bulletin.sections[0].frame.set_index("rate")
    assert headline.loc["complaint_rate", "value"] == pytest.approx(1 / 4)  # D1's alone, not 1 / 6
    assert award.tables()[0].frame["dealer_id"].tolist() == ["D1"]


def test_tiles_read_a_bursts_verdicts_as_they_judge_one_dealer(small):
    with reader(small.path, small.rules) as con:
        limits = thresholds.thresholds(con)
        ranking = overview.dealer_ranking(con, Scope(MARCH.first, MARCH.last))
        judged = thresholds.judge(ranking, limits)
        for n in range(len(ranking)):
            one = overview.tiles(ranking.iloc[[n]].reset_index(drop=True), None, limits)
            burst = overview.tiles(judged.iloc[[n]].reset_index(drop=True), None, limits)
            assert one["ok"].tolist() == burst["ok"].tolist()
    assert judged["complaint_rate_ok"].tolist() == [False, True, True]  # 25 % and 0 % against < 10 %


def test_command_line_burst_writes_a_pdf_and_workbook_per_dealer_and_an_index(small, tmp_path, capsys):
    out = tmp_path / "pack"
    code = cli.main(
        [
            "report",
            "pack",
            "--kind",
            "scorecard",
            "--month",
            "2025-03",
            "--db",
            str(small.path),
            "--as-of",
            "2025-05-31",
            "--lang",
            "en",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr()
    with (out / "index.csv").open(encoding="utf-8-sig") as handle:
        index = list(csv.DictReader(handle))
    assert [line["recipient"] for line in index] == ["D1", "D2", "D3"]
    for line in index:
        assert line["file"] == f"scorecard_2025-03_{line['name']}.pdf"
        assert int(line["pages"]) == len(PdfReader(out / line["file"]).pages)
        assert openpyxl.load_workbook(out / line["workbook"]).worksheets[0].title == "Filters"
    for bad in (
        ["--kind", "award", "--month", "2025-03"],
        ["--month", "2025-03"],
        ["--kind", "scorecard", "--year", "2025", "--by", "region"],
        ["--kind", "bulletin", "--month", "2025-03", "--year", "2025"],
    ):
        assert cli.main(["report", "pack", *bad, "--db", str(small.path), "--out", str(tmp_path / "x")]) == 2
    assert "--kind" in capsys.readouterr().err


def test_zip_of_a_burst_holds_every_file_and_the_index(small):
    docs = _docs(small, "settlement", YEAR, Scope(regions=("华东",)))
    content, written = packs.zip_bytes(docs)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert sorted(names) == sorted([w.file for w in written] + [w.workbook for w in written] + ["index.csv"])
    assert [w.file for w in written] == ["维修费结算单_2025_D1 一号服务部.pdf", "维修费结算单_2025_D2 二号服务部.pdf"]


def test_a_missing_font_is_named_not_printed_as_boxes(monkeypatch, tmp_path):
    monkeypatch.setattr(pack_pdf, "FONT_FILES", (tmp_path / "none.ttc",))
    pack_pdf.font.cache_clear()
    try:
        with pytest.raises(pack_pdf.FontMissing, match="fonts-wqy-zenhei"):
            pack_pdf.font()
    finally:
        monkeypatch.undo()
        pack_pdf.font.cache_clear()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (test.sh installs it)")
def test_a_rendered_page_is_kept_to_look_at(small, tmp_path):
    """pdftoppm draws the scorecard's first page; tests/screenshots/packs_scorecard.png is there to look at."""
    from pathlib import Path

    [document] = _docs(small, "scorecard", MARCH, Scope(dealer_ids=("D1",)))
    source = tmp_path / "scorecard.pdf"
    source.write_bytes(pack_pdf.render(document)[0])
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(source), str(tmp_path / "page")],
        check=True,
    )
    image = (tmp_path / "page.png").read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 20_000  # a page with text, tables and a chart
    shots = Path(__file__).with_name("screenshots")
    shots.mkdir(exist_ok=True)
    (shots / "packs_scorecard.png").write_bytes(image)


def test_the_pages_offer_their_packs_and_the_download_is_the_burst(small, monkeypatch):
    """Overview (bulletin), Dealers (scorecards), Award, Settlement: a button each; the zip they hand out is
    the burst of the page's scope (app.data.load_pack, the same documents as the command line)."""
    from app import data
    from app_pages import open_page

    monkeypatch.setenv("SERVICE_QC_DB", str(small.path))
    labels = {
        name: [
            b.label for b in open_page(name, **({"section": "watchlist"} if name == "overview" else {})).download_button
        ]
        for name in ("overview", "dealers", "award", "settlement")
    }
    assert any(label.endswith("售后服务质量通报（PDF 与 Excel）") for label in labels["overview"]), labels
    assert any(label.startswith("范围内每家经销商的成绩单") for label in labels["dealers"]), labels
    assert any(label.endswith("年评奖名单（PDF 与 Excel）") for label in labels["award"]), labels
    assert any(label.startswith("每家经销商的") for label in labels["settlement"]), labels
    source = data.Source.of(small.path, small.rules)
    content = data.load_pack(source, "zh", "scorecard", MARCH, Scope(regions=("华东",)), AS_OF)
    archive = zipfile.ZipFile(io.BytesIO(content))
    index = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert [line["recipient"] for line in index] == ["D1", "D2"]
    text, pages = _text(archive.read(index[0]["file"]))
    assert "D1 一号服务部" in text and int(index[0]["pages"]) == pages


def test_the_packs_rates_are_the_pages_rates(small):
    """The bulletin's headline rates are the Overview's tiles and a scorecard's those of the Dealers page's
    drill-down, as app.data computes them for the same filters (from the page's stored metric rows)."""
    from app import data

    source = data.Source.of(small.path, small.rules)
    scope = Scope(MARCH.first, MARCH.last, regions=("华东",))
    rows = data.load_metric_rows(source, Scope(MARCH.first, MARCH.last))
    page_tiles = data.load_overview(source, scope, rows).tiles.set_index("rate")
    dealer_tiles = data.load_dealer(source, scope, "D2", AS_OF, rows).tiles.set_index("rate")
    [bulletin] = _docs(small, "bulletin", MARCH, Scope(regions=("华东",)))
    [card] = _docs(small, "scorecard", MARCH, Scope(regions=("华东",), dealer_ids=("D2",)))
    for document, tiles in ((bulletin, page_tiles), (card, dealer_tiles)):
        printed = document.sections[0 if document is bulletin else 1].frame.set_index("rate")
        for column in ("value", "low", "high", "previous", "numerator", "denominator", "ok"):
            pd.testing.assert_series_equal(
                printed[column],
                tiles.loc[printed.index, column],
                check_exact=True,
                check_dtype=False,
                check_names=False,
                obj=f"{document.kind} {column}",
            )
