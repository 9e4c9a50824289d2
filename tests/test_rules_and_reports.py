"""The rules file (spec 3.3) and the report command (spec 5): settings, columns, cells."""

import csv
import datetime as dt

import openpyxl
import pytest

from etl import cli
from etl.rules import DEFAULT_RULES, SCHEMA, RulesError, load_rules
from metric_data import callback, load_all, repair


def test_bundled_rules_hold_the_spec_defaults_with_a_comment_on_every_line():
    rules = load_rules()
    assert (
        rules["service.sla_hours_urban"],
        rules["service.sla_hours_county"],
        rules["service.report_due_day"],
        rules["service.repeat_repair_days"],
        rules["award.min_satisfaction_rate"],
        rules["award.max_complaints_per_1000_sales"],
        rules["award.min_answered_callbacks"],
        rules["award.min_report_rate"],
        rules["settlement.fee_rate"],
        rules["settlement.missing_deduction_rate"],
        rules["settlement.missing_months_in_a_row"],
        rules["settlement.fake_penalty_multiplier"],
        rules["settlement.complaint_deduction_yuan"],
        rules["controls.complaint_rate_max"],
    ) == (24, 48, 15, 30, 0.98, 1.0, 30, 0.90, 0.01, 0.10, 3, 10, 0.0, 0.10)
    settings = [
        line
        for line in DEFAULT_RULES.read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("#")
    ]
    assert len(settings) == len(SCHEMA)
    assert all("#" in line.split("=", 1)[1] for line in settings)


@pytest.mark.parametrize(
    "body, words",
    [
        ("[award]\nmin_satisfaction = 0.9\n", 'unknown key "award.min_satisfaction"'),
        ('[service]\nsla_hours_urban = "24"\n', '"service.sla_hours_urban" must be float'),
        (
            "[award]\nmin_satisfaction_rate = 1.5\n",
            '"award.min_satisfaction_rate" is a rate and must be between 0 and 1',
        ),
        ("[service]\nreport_due_day = 2.5\n", '"service.report_due_day" must be int'),
        ("[award]\nrequire_service_center = 1\n", '"award.require_service_center" must be bool'),
        ("not toml at all [", "not a valid TOML file"),
    ],
)
def test_a_bad_rules_file_is_refused_naming_the_key(tmp_path, body, words):
    path = tmp_path / "rules.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RulesError, match=words.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        load_rules(path)


def test_a_rules_file_overrides_only_its_keys_and_changes_the_figures(wh, tmp_path, capsys):
    load_all(wh, repairs=[repair("R1", requested="2025-03-01 08:00", arrived="2025-03-02 20:00")])
    lenient = tmp_path / "lenient.toml"
    lenient.write_text("[service]\nsla_hours_urban = 48 # county rules for everyone\n", encoding="utf-8")
    assert load_rules(lenient)["service.sla_hours_county"] == 48
    out_default, out_lenient = tmp_path / "default.csv", tmp_path / "lenient.csv"
    assert cli.main(["report", "monthly", "--db", str(wh.path), "--out", str(out_default)]) == 0
    assert (
        cli.main(["report", "monthly", "--db", str(wh.path), "--rules", str(lenient), "--out", str(out_lenient)]) == 0
    )
    assert [r["on_time"] for r in csv.DictReader(out_default.open(encoding="utf-8"))] == ["0"]
    assert [r["on_time"] for r in csv.DictReader(out_lenient.open(encoding="utf-8"))] == ["1"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[award]\nmin_report_rate = 90\n", encoding="utf-8")
    assert cli.main(["report", "monthly", "--db", str(wh.path), "--rules", str(bad), "--out", str(out_default)]) == 2
    assert '"award.min_report_rate" is a rate' in capsys.readouterr().err


def test_monthly_report_columns_and_cells(wh, tmp_path):
    load_all(
        wh,
        repairs=[repair("R1", status="open"), repair("R2", dealer_callback="Y")],
        callbacks=[callback("C1", "R2", called="2025-04-03 10:00", satisfaction="4")],
        sales=[["D1", "2025-05", 200, 40000]],
    )
    out = tmp_path / "monthly.csv"
    assert cli.main(["report", "monthly", "--db", str(wh.path), "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "dealer_id",
        "month",
        "services",
        "complaints",
        "units_sold",
        "complaints_per_1000_sales",
        "complaint_rate",
        "requests",
        "misses",
        "miss_rate",
        "callbacks",
        "callbacks_reached",
        "callbacks_answered",
        "satisfied",
        "satisfaction_rate",
        "dissatisfied",
        "dissatisfaction_rate",
        "fake_records",
        "fake_rate",
        "on_time",
        "on_time_base",
        "on_time_rate",
        "dealer_callbacks",
        "dealer_callback_rate",
        "repeat_repairs",
        "repeat_base",
        "repeat_repair_rate",
        "report_submitted_on",
        "report_on_time",
    ]
    assert [(r["dealer_id"], r["month"]) for r in rows] == [("D1", "2025-03"), ("D1", "2025-04"), ("D1", "2025-05")]
    march, april, may = rows
    assert (
        march["services"],
        march["misses"],
        march["miss_rate"],
        march["dealer_callback_rate"],
        march["units_sold"],
        march["complaints_per_1000_sales"],
        march["report_submitted_on"],
        march["report_on_time"],
    ) == ("2", "1", "0.5", "0.5", "0", "", "2025-04-10", "true")
    assert (
        april["services"],
        april["satisfaction_rate"],
        april["complaint_rate"],
        april["report_on_time"],
        april["report_submitted_on"],
    ) == ("0", "1.0", "", "false", "")
    assert (may["units_sold"], may["complaints_per_1000_sales"]) == ("200", "0.0")


def test_award_and_settlement_reports_as_csv_and_excel(wh, tmp_path):
    load_all(
        wh,
        repairs=[repair("R1", labor=30, parts=12.5)],
        callbacks=[callback("C1", "R1", called="2025-04-03 10:00", confirmed="N")],
        sales=[["D1", "2025-03", 100, 12345.67]],
    )
    award_csv, settlement_xlsx = tmp_path / "award.csv", tmp_path / "settlement.xlsx"
    assert (
        cli.main(
            [
                "report",
                "award",
                "--year",
                "2025",
                "--as-of",
                "2026-01-31",
                "--db",
                str(wh.path),
                "--out",
                str(award_csv),
            ]
        )
        == 0
    )
    with award_csv.open(encoding="utf-8") as handle:
        award = {r["dealer_id"]: r for r in csv.DictReader(handle)}
    assert list(award["D1"])[-3:] == ["pass_notices", "eligible", "reasons"]
    assert (
        award["D1"]["eligible"],
        award["D1"]["pass_network"],
        award["D1"]["technicians"],
        award["D1"]["has_service_center"],
    ) == ("false", "true", "2", "true")
    assert (
        cli.main(
            [
                "report",
                "settlement",
                "--year",
                "2025",
                "--as-of",
                "2026-01-31",
                "--db",
                str(wh.path),
                "--out",
                str(settlement_xlsx),
            ]
        )
        == 0
    )
    sheet = openpyxl.load_workbook(settlement_xlsx).active
    rows = list(sheet.values)
    assert rows[0] == (
        "dealer_id",
        "dealer_name",
        "year",
        "sales_amount",
        "fee_base",
        "max_consecutive_missing",
        "missing_deduction",
        "fake_records",
        "fake_penalty",
        "complaints",
        "complaint_deduction",
        "net_fee",
    )
    d1 = dict(zip(rows[0], rows[1]))
    # Fee 1 % of 12,345.67 = 123.4567 -> 123.46; only March reported of 12 due: run Apr-Dec, 10 % = 12.35;
    # fake penalty 10 x 42.50 = 425; net max(123.4567 - 12.34567 - 425, 0) = 0.
    assert (d1["fee_base"], d1["missing_deduction"], d1["fake_records"], d1["fake_penalty"], d1["net_fee"]) == (
        123.46,
        12.35,
        1,
        425.0,
        0.0,
    )
    # issue 14: the report is the first sheet, notes after; header frozen with an autofilter; money in yuan
    book = openpyxl.load_workbook(settlement_xlsx)
    assert book.sheetnames == ["report", "notes"] and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:L{len(rows)}"
    assert sheet["E2"].number_format == '"¥"#,##0.00' and sheet["H2"].number_format == "General"
    monthly_xlsx = tmp_path / "monthly.xlsx"
    assert cli.main(["report", "monthly", "--year", "2025", "--db", str(wh.path), "--out", str(monthly_xlsx)]) == 0
    monthly = openpyxl.load_workbook(monthly_xlsx)["report"]
    header = [cell.value for cell in monthly[1]]
    month = monthly.cell(2, header.index("month") + 1)
    assert month.value == dt.datetime(2025, 3, 1) and month.number_format == "yyyy-mm"  # a date, not text
    rate = monthly.cell(2, header.index("miss_rate") + 1)
    assert rate.number_format == "0.0%"
    assert monthly.cell(2, header.index("complaints_per_1000_sales") + 1).number_format == '0.00" ‰"'
    submitted = monthly.cell(2, header.index("report_submitted_on") + 1)
    assert isinstance(submitted.value, dt.datetime) and submitted.number_format == "yyyy-mm-dd"


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "award", "--out", "x.csv"],  # award needs --year
        ["report", "monthly", "--out", "x.pdf"],  # only .csv / .xlsx
        ["report", "weekly", "--out", "x.csv"],
        ["report", "award", "--year", "20x5", "--out", "x.csv"],
        ["load"],
    ],
)
def test_a_wrong_command_line_exits_2(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        code = cli.main(argv + ["--db", str(tmp_path / "w.duckdb")] if argv[0] == "report" else argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
