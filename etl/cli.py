"""The command line of spec 5: load, sample, report (and demo, used by the README's run command)."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from etl import config

EXIT_OK, EXIT_FILE_REJECTED, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def _year(text: str) -> int:
    if not text.isdigit() or not 1900 <= int(text) <= 2199:
        raise argparse.ArgumentTypeError(f"not a year: {text}")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text}")
    return int(text)


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text}") from None


# Options that only some reports take: option -> the reports it applies to.
REPORT_OPTIONS = {"metric": ("funnel",), "from_month": ("funnel",), "to_month": ("funnel",),
                  "overdispersion": ("funnel",), "month": ("watchlist",)}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m etl", description="Dealer service-quality data: load, sample, report.")
    commands = top.add_subparsers(dest="command", required=True)

    load = commands.add_parser("load", help="load files and folders into the database")
    load.add_argument("paths", nargs="+", metavar="PATH")
    load.add_argument("--db"), load.add_argument("--rules")
    load.add_argument("--submitted-on", type=_date, help="submission date for repairs files without a submitted_on column")
    load.add_argument("--json", action="store_true", help="one JSON object per line (used by the dashboard's uploads)")

    sample = commands.add_parser("sample", help="write the deterministic demo data set (or a national-scale one)")
    sample.add_argument("--out", default=str(config.DEFAULT_SAMPLE_DIR))
    sample.add_argument("--seed", type=int, default=20260101)
    sample.add_argument("--end-month", help="last month of the data set (YYYY-MM); default: last month")
    sample.add_argument("--dealers", type=_positive, help="national scale: this many dealers (default 3000 with --months)")
    sample.add_argument("--months", type=_positive, help="national scale: this many months (default 36 with --dealers)")

    report = commands.add_parser("report", help="write a report as .csv or .xlsx")
    report.add_argument("name", choices=["monthly", "award", "settlement", "funnel", "watchlist"])
    report.add_argument("--year", type=_year)
    report.add_argument("--metric", help="funnel: the rate's column in the monthly report, e.g. complaint_rate")
    report.add_argument("--from", dest="from_month", type=_month, help="funnel: first month (YYYY-MM)")
    report.add_argument("--to", dest="to_month", type=_month, help="funnel: last month (YYYY-MM)")
    report.add_argument("--overdispersion", action="store_true",
                        help="funnel: widen the limits when the dealers are overdispersed (Spiegelhalter's phi)")
    report.add_argument("--month", type=_month, help="watchlist: the month to review (YYYY-MM)")
    report.add_argument("--as-of", type=_date, default=None, help="default: today")
    report.add_argument("--db"), report.add_argument("--rules")
    report.add_argument("--out", required=True)

    inspect = commands.add_parser("inspect", help="show how files would load (sheets, headers, dates, rejects); writes nothing")
    inspect.add_argument("paths", nargs="+", metavar="FILE")
    inspect.add_argument("--db"), inspect.add_argument("--rules")
    inspect.add_argument("--submitted-on", type=_date, help="as for load")
    inspect.add_argument("--rejects", type=int, default=10, help="how many rejected rows to show per file (default 10)")
    inspect.add_argument("--json", action="store_true", help="one JSON object per file (used by the dashboard)")

    rejects = commands.add_parser("rejects", help="write a file's correction sheet for the dealer (.xlsx)")
    rejects.add_argument("--file", required=True, metavar="NAME", help="the loaded file's name, as in the load log")
    rejects.add_argument("--out", required=True, help="the workbook to write (.xlsx)")
    rejects.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the sheet (default zh)")
    rejects.add_argument("--db")

    refresh = commands.add_parser("refresh", help="recompute the stored dealer-month counts from their definition")
    refresh.add_argument("--db"), refresh.add_argument("--rules")

    export = commands.add_parser("export", help="write the loaded and the metric tables as Hive-partitioned Parquet")
    export.add_argument("--format", choices=["parquet"], default="parquet")
    export.add_argument("--out", required=True, metavar="DIR", help="the folder to write (docs/parquet.md)")
    export.add_argument("--db"), export.add_argument("--rules")
    export.add_argument("--with-personal-data", action="store_true",
                        help="keep customer names, phones and addresses (left out by default)")

    demo = commands.add_parser("demo", help="generate and load the demo data when the database is empty")
    demo.add_argument("--db"), demo.add_argument("--rules")

    users = commands.add_parser("users", help="who may sign in to the dashboard: add, remove, list, passwd (docs/access.md)")
    users.add_argument("action", choices=["add", "remove", "list", "passwd"])
    users.add_argument("name", nargs="?", help="the user's sign-in name (lower-case letters, digits, . _ - @)")
    users.add_argument("--role", choices=["admin", "analyst", "regional", "callcenter", "dealer"])
    users.add_argument("--regions", help="regional / callcenter: regions, comma-separated")
    users.add_argument("--provinces", help="regional / callcenter: provinces, comma-separated")
    users.add_argument("--dealers", help="dealer: the dealer id(s), comma-separated")
    users.add_argument("--email", help="the single sign-on (st.login) account's e-mail this user is")
    users.add_argument("--uploads", action="store_true", help="analyst: may upload files")
    users.add_argument("--new-password", action="store_true", help="add on an existing user: ask a new password too")
    users.add_argument("--users", help="the users file (default: SERVICE_QC_USERS, else data/users.toml)")
    users.add_argument("--rules")
    return top


def main(argv: list[str] | None = None) -> int:
    from etl.aliases import AliasesError
    from etl.rules import RulesError
    args = parser().parse_args(argv)
    try:
        return {"load": cmd_load, "sample": cmd_sample, "report": cmd_report, "demo": cmd_demo,
                "inspect": cmd_inspect, "rejects": cmd_rejects, "refresh": cmd_refresh,
                "export": cmd_export, "users": cmd_users}[args.command](args)
    except (RulesError, AliasesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _data_paths(arguments: list[str]) -> list[Path] | None:
    """The data files the arguments name (folders expanded), or None after saying why there are none."""
    from etl.load import collect_paths
    try:
        paths = collect_paths(arguments)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    if not paths:
        print("error: no data files (.csv .tsv .txt .xlsx .xlsm .xls .ods) found in " + ", ".join(arguments),
              file=sys.stderr)
        return None
    return paths


def cmd_load(args) -> int:
    from etl.load import load_paths
    from etl.rules import load_rules
    rules = load_rules(config.rules_path(args.rules))
    paths = _data_paths(args.paths)
    if paths is None:
        return EXIT_USAGE
    started = time.perf_counter()
    if getattr(args, "json", False):
        import dataclasses
        import json

        def emit(event: dict) -> None:
            print(json.dumps(event, ensure_ascii=False), flush=True)
        results = load_paths(paths, config.db_path(args.db), rules, args.submitted_on,
                             on_result=lambda r: emit(dataclasses.asdict(r)),
                             notify=lambda message: emit({"waiting": message}))
    else:
        results = load_paths(paths, config.db_path(args.db), rules, args.submitted_on,
                             on_result=lambda r: print(r.line(), flush=True))
    counts = {s: sum(r.status == s for r in results) for s in ("loaded", "already_loaded", "rejected")}
    summary = (f"{len(results)} files in {time.perf_counter() - started:.1f} s: {counts['loaded']} loaded, "
               f"{counts['already_loaded']} already loaded, {counts['rejected']} rejected; rows: "
               f"{sum(r.rows_read for r in results)} read, {sum(r.rows_loaded for r in results)} loaded, "
               f"{sum(r.rows_rejected for r in results)} rejected")
    print(summary if not getattr(args, "json", False) else json.dumps({"summary": summary}, ensure_ascii=False))
    return EXIT_FILE_REJECTED if counts["rejected"] else EXIT_OK


def cmd_inspect(args) -> int:
    """Exit 0 when every file would load (rows may be rejected), 1 when one would be rejected whole."""
    import json

    from etl.preview import describe, inspect_file
    from etl.rules import load_rules
    rules = load_rules(config.rules_path(args.rules))
    paths = _data_paths(args.paths)
    if paths is None:
        return EXIT_USAGE
    rejected = 0
    for path in paths:
        report = inspect_file(path, config.db_path(args.db), rules, args.submitted_on, max_rejects=args.rejects)
        rejected += report["status"] == "rejected"
        print(json.dumps(report, ensure_ascii=False, default=str) if args.json else describe(report), flush=True)
    return EXIT_FILE_REJECTED if rejected else EXIT_OK


def cmd_rejects(args) -> int:
    from etl.corrections import NoRejects, correction_workbook
    from etl.db import reader
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print("error: --out must end in .xlsx", file=sys.stderr)
        return EXIT_USAGE
    database = config.db_path(args.db)
    if not database.exists():
        print(f"error: no database at {database}", file=sys.stderr)
        return EXIT_USAGE
    with reader(database) as con:
        try:
            content = correction_workbook(con, args.file, args.lang)
        except NoRejects as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    print(f"wrote the correction sheet of {args.file} to {out}")
    return EXIT_OK


def cmd_refresh(args) -> int:
    """Every stored dealer-month recomputed (loads refresh only what they change; the writer
    rebuilds by itself when the definitions or the rules they read change)."""
    import time

    from etl import marts
    from etl.db import writer
    from etl.rules import load_rules
    database = config.db_path(args.db)
    if not database.exists():
        print(f"error: no database at {database}", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    with writer(database, load_rules(config.rules_path(args.rules))) as con:
        con.execute("BEGIN TRANSACTION")
        rows = marts.rebuild(con)
        con.execute("COMMIT")
    print(f"refreshed {marts.STORED}: {rows} dealer-months in {time.perf_counter() - started:.1f} s")
    return EXIT_OK


def cmd_export(args) -> int:
    from etl.db import reader
    from etl.export import ExportError, export_parquet
    from etl.rules import load_rules
    database = config.db_path(args.db)
    if not database.exists():
        print(f"error: no database at {database}", file=sys.stderr)
        return EXIT_USAGE
    rules = load_rules(config.rules_path(args.rules))
    out = Path(args.out)
    started = time.perf_counter()

    def told(name: str, entry: dict) -> None:
        where = (f"{entry['partitions']} partitions by year/month of {entry['partitioning']['from']}"
                 if entry["partitioning"] else "1 file")
        print(f"{name}: {entry['rows']} rows, {where}, {entry['bytes'] / 1e6:.2f} MB", flush=True)
    try:
        with reader(database, rules) as con:
            manifest = export_parquet(con, out, rules, args.with_personal_data, database, on_table=told)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    tables = manifest["tables"].values()
    print(f"exported {len(tables)} tables, {sum(t['rows'] for t in tables)} rows, "
          f"{sum(t['bytes'] for t in tables) / 1e6:.1f} MB to {out} in {time.perf_counter() - started:.1f} s; "
          + ("personal data included" if args.with_personal_data else
             "personal data left out (--with-personal-data keeps it)"))
    return EXIT_OK


def cmd_sample(args) -> int:
    from sampledata import generate
    dealers, months = getattr(args, "dealers", None), getattr(args, "months", None)
    try:
        written = generate(Path(args.out), seed=args.seed, end_month=args.end_month, dealers=dealers, months=months)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {len(written)} files to {args.out}")
    return EXIT_OK


def cmd_report(args) -> int:
    from etl import reports
    from etl.db import reader
    from etl.rules import load_rules
    problem = _report_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        print("error: --out must end in .csv or .xlsx", file=sys.stderr)
        return EXIT_USAGE
    rules = load_rules(config.rules_path(args.rules))
    as_of = args.as_of or dt.date.today()
    months = (args.from_month, args.to_month) if args.from_month else None
    with reader(config.db_path(args.db), rules) as con:
        frame = reports.build(con, args.name, args.year, as_of, metric=args.metric, months=months,
                              overdispersion=args.overdispersion, month=args.month)
    reports.write(frame, out)
    print(f"wrote {len(frame)} rows to {out}")
    return EXIT_OK


def _report_problem(args) -> str | None:
    """What is wrong with a report command line, or None."""
    for option, names in REPORT_OPTIONS.items():
        if getattr(args, option) not in (None, False) and args.name not in names:
            flag = "--" + option.replace("_month", "").replace("_", "-")
            return f"{flag} applies to report {' / '.join(names)} only"
    if args.name in ("award", "settlement") and args.year is None:
        return f"report {args.name} needs --year"
    if args.name == "watchlist" and args.month is None:
        return "report watchlist needs --month YYYY-MM"
    if args.name == "funnel":
        from etl.metrics.quality import STAT_RATES
        if args.metric not in STAT_RATES:
            return f"report funnel needs --metric, one of: {', '.join(STAT_RATES)}"
        if (args.from_month is None) != (args.to_month is None):
            return "report funnel needs both --from and --to (or --year)"
        if args.from_month and args.year is not None:
            return "report funnel takes --year or --from/--to, not both"
        if args.from_month and args.from_month > args.to_month:
            return "--from is after --to"
    return None


def cmd_demo(args) -> int:
    """Used by the README's run command: a first start gets the demo data generated and loaded."""
    from etl.db import reader
    database = config.db_path(args.db)
    if database.exists():
        with reader(database) as con:
            if con.execute("SELECT count(*) FROM load_log WHERE status = 'loaded'").fetchone()[0]:
                print(f"{database} already holds data; nothing to do")
                return EXIT_OK
    out = config.DEFAULT_SAMPLE_DIR
    cmd_sample(argparse.Namespace(out=str(out), seed=20260101, end_month=None))
    code = cmd_load(argparse.Namespace(paths=[str(out)], db=args.db, rules=args.rules, submitted_on=None, json=False))
    return EXIT_OK if code in (EXIT_OK, EXIT_FILE_REJECTED) else code


def cmd_users(args) -> int:
    """Manage the users file; the password is typed (getpass), never given on the command line."""
    import getpass

    from etl.users import UsersError, run_command
    if args.action != "list" and not args.name:
        print(f"error: users {args.action} needs a NAME", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "add" and not args.role:
        print("error: users add needs --role (admin, analyst, regional, callcenter, dealer)", file=sys.stderr)
        return EXIT_USAGE
    try:
        return run_command(args, getpass.getpass, sys.stdout)
    except UsersError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FILE_REJECTED
