"""The command line of spec 5: load, sample, report (and demo, used by the README's run command)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from etl import config
from i18n import t

EXIT_OK, EXIT_FILE_REJECTED, EXIT_USAGE = 0, 1, 2


def language(chosen: str | None = None) -> str:
    """The language of the command's own words: --lang, else the environment's locale (LC_ALL, LC_MESSAGES, LANG,
    the first one set) when it is Chinese (zh...), else English."""
    if chosen:
        return chosen
    locale = next((os.environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(name)), "")
    return "zh" if locale.lower().startswith("zh") else "en"


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
REPORT_OPTIONS = {
    "metric": ("funnel",),
    "from_month": ("funnel",),
    "to_month": ("funnel",),
    "overdispersion": ("funnel",),
    "month": ("watchlist", "pack"),
    "kind": ("pack",),
    "by": ("pack",),
    "lang": ("pack",),
    "region": ("pack",),
    "dealer": ("pack",),
    "workers": ("pack",),
}
# Processes laying out a pack's documents (the machine's 2 cores: one reads the figures, both lay out).
PACK_WORKERS = 2


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m etl", description="Dealer service-quality data: load, sample, report."
    )
    commands = top.add_subparsers(dest="command", required=True)

    load = commands.add_parser("load", help="load files and folders into the database")
    load.add_argument("paths", nargs="+", metavar="PATH")
    load.add_argument("--db"), load.add_argument("--rules")
    load.add_argument(
        "--submitted-on", type=_date, help="submission date for repairs files without a submitted_on column"
    )
    load.add_argument("--json", action="store_true", help="one JSON object per line (used by the dashboard's uploads)")
    load.add_argument(
        "--lang", choices=["zh", "en"], help="language of the lines (default: zh when LANG/LC_ALL is Chinese, else en)"
    )

    sample = commands.add_parser("sample", help="write the deterministic demo data set (or a national-scale one)")
    sample.add_argument("--out", default=str(config.DEFAULT_SAMPLE_DIR))
    sample.add_argument("--seed", type=int, default=20260101)
    sample.add_argument("--end-month", help="last month of the data set (YYYY-MM); default: last month")
    sample.add_argument(
        "--dealers", type=_positive, help="national scale: this many dealers (default 3000 with --months)"
    )
    sample.add_argument("--months", type=_positive, help="national scale: this many months (default 36 with --dealers)")

    report = commands.add_parser("report", help="write a report as .csv or .xlsx, or a pack of PDFs and workbooks")
    report.add_argument("name", choices=["monthly", "award", "settlement", "funnel", "watchlist", "pack"])
    report.add_argument("--year", type=_year)
    report.add_argument("--metric", help="funnel: the rate's column in the monthly report, e.g. complaint_rate")
    report.add_argument("--from", dest="from_month", type=_month, help="funnel: first month (YYYY-MM)")
    report.add_argument("--to", dest="to_month", type=_month, help="funnel: last month (YYYY-MM)")
    report.add_argument(
        "--overdispersion",
        action="store_true",
        help="funnel: widen the limits when the dealers are overdispersed (Spiegelhalter's phi)",
    )
    report.add_argument("--month", type=_month, help="watchlist: the month to review; pack: its month (YYYY-MM)")
    report.add_argument(
        "--kind",
        choices=["bulletin", "scorecard", "settlement", "award"],
        help="pack: which document (one PDF and one workbook per recipient, and index.csv)",
    )
    report.add_argument(
        "--by",
        choices=["region", "dealer"],
        help="pack: one document per region (bulletin, award) or per dealer (scorecard, settlement)",
    )
    report.add_argument("--lang", choices=["zh", "en"], help="pack: language of the documents (default zh)")
    report.add_argument("--region", action="append", help="pack: only this region's dealers (repeatable)")
    report.add_argument("--dealer", action="append", help="pack: only this dealer (repeatable)")
    report.add_argument("--workers", type=_positive, help="pack: processes laying the documents out (default: 2)")
    report.add_argument("--as-of", type=_date, default=None, help="default: today")
    report.add_argument("--db"), report.add_argument("--rules")
    report.add_argument("--out", required=True, help="the report file (.csv, .xlsx); pack: the folder to write")

    inspect = commands.add_parser(
        "inspect", help="show how files would load (sheets, headers, dates, rejects); writes nothing"
    )
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
    export.add_argument(
        "--with-personal-data",
        action="store_true",
        help="keep customer names, phones and addresses (left out by default)",
    )

    cases = commands.add_parser("cases", help="the tracked cases (issue 16): list them, or export them to Excel")
    cases.add_argument("action", choices=["list", "export"])
    cases.add_argument("--kind", action="append", help="only this kind (repeatable): complaint, fake_record, ...")
    cases.add_argument("--status", action="append", help="only this status (repeatable): open, in_progress, ...")
    cases.add_argument("--dealer", help="only this dealer's cases")
    cases.add_argument("--owner", help="only the cases of this owner")
    cases.add_argument("--overdue", action="store_true", help="only the cases past their deadline")
    cases.add_argument("--out", help="export: the workbook to write (.xlsx)")
    cases.add_argument("--db"), cases.add_argument("--rules")

    demo = commands.add_parser("demo", help="generate and load the demo data when the database is empty")
    demo.add_argument("--db"), demo.add_argument("--rules")

    users = commands.add_parser(
        "users", help="who may sign in to the dashboard: add, remove, list, passwd (docs/access.md)"
    )
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
        return {
            "load": cmd_load,
            "sample": cmd_sample,
            "report": cmd_report,
            "demo": cmd_demo,
            "inspect": cmd_inspect,
            "rejects": cmd_rejects,
            "refresh": cmd_refresh,
            "export": cmd_export,
            "users": cmd_users,
            "cases": cmd_cases,
        }[args.command](args)
    except (RulesError, AliasesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _data_paths(arguments: list[str], lang: str = "en") -> list[Path] | None:
    """The data files the arguments name (folders expanded), or None after saying why there are none."""
    from etl.load import collect_paths

    missing = next((argument for argument in arguments if not Path(argument).exists()), None)
    if missing is not None:
        print(t("cli.error", lang, message=t("cli.no_such_path", lang, path=missing)), file=sys.stderr)
        return None
    try:
        paths = collect_paths(arguments)
    except FileNotFoundError as exc:  # gone since: said as it is
        print(t("cli.error", lang, message=str(exc)), file=sys.stderr)
        return None
    if not paths:
        print(t("cli.error", lang, message=t("cli.no_data_files", lang, paths=", ".join(arguments))), file=sys.stderr)
        return None
    return paths


def cmd_load(args) -> int:
    from etl.load import load_paths
    from etl.rules import load_rules

    rules = load_rules(config.rules_path(args.rules))
    lang = language(getattr(args, "lang", None))
    paths = _data_paths(args.paths, lang)
    if paths is None:
        return EXIT_USAGE
    started = time.perf_counter()
    if getattr(args, "json", False):
        import dataclasses
        import json

        def emit(event: dict) -> None:
            print(json.dumps(event, ensure_ascii=False), flush=True)

        results = load_paths(
            paths,
            config.db_path(args.db),
            rules,
            args.submitted_on,
            on_result=lambda r: emit(dataclasses.asdict(r)),
            notify=lambda message: emit({"waiting": message}),
        )
    else:
        results = load_paths(
            paths,
            config.db_path(args.db),
            rules,
            args.submitted_on,
            on_result=lambda r: print(r.line(lang), flush=True),
        )
    counts = {s: sum(r.status == s for r in results) for s in ("loaded", "already_loaded", "rejected")}
    summary = t(
        "cli.summary",
        lang,
        files=len(results),
        seconds=time.perf_counter() - started,
        loaded=counts["loaded"],
        already=counts["already_loaded"],
        rejected=counts["rejected"],
        rows_read=sum(r.rows_read for r in results),
        rows_loaded=sum(r.rows_loaded for r in results),
        rows_rejected=sum(r.rows_rejected for r in results),
    )
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
        where = (
            f"{entry['partitions']} partitions by year/month of {entry['partitioning']['from']}"
            if entry["partitioning"]
            else "1 file"
        )
        print(f"{name}: {entry['rows']} rows, {where}, {entry['bytes'] / 1e6:.2f} MB", flush=True)

    try:
        with reader(database, rules) as con:
            manifest = export_parquet(con, out, rules, args.with_personal_data, database, on_table=told)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    tables = manifest["tables"].values()
    print(
        f"exported {len(tables)} tables, {sum(t['rows'] for t in tables)} rows, "
        f"{sum(t['bytes'] for t in tables) / 1e6:.1f} MB to {out} in {time.perf_counter() - started:.1f} s; "
        + (
            "personal data included"
            if args.with_personal_data
            else "personal data left out (--with-personal-data keeps it)"
        )
    )
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
    if args.name == "pack":
        return cmd_pack(args)
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        print("error: --out must end in .csv or .xlsx", file=sys.stderr)
        return EXIT_USAGE
    rules = load_rules(config.rules_path(args.rules))
    as_of = args.as_of or dt.date.today()
    months = (args.from_month, args.to_month) if args.from_month else None
    with reader(config.db_path(args.db), rules) as con:
        frame = reports.build(
            con,
            args.name,
            args.year,
            as_of,
            metric=args.metric,
            months=months,
            overdispersion=args.overdispersion,
            month=args.month,
        )
    reports.write(frame, out)
    print(f"wrote {len(frame)} rows to {out}")
    return EXIT_OK


def _report_problem(args) -> str | None:
    """What is wrong with a report command line, or None."""
    for option, names in REPORT_OPTIONS.items():
        if getattr(args, option) not in (None, False) and args.name not in names:
            flag = "--" + option.replace("_month", "").replace("_", "-")
            return f"{flag} applies to report {' / '.join(names)} only"
    if args.name == "pack":
        return _pack_problem(args)
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


def _pack_problem(args) -> str | None:
    if args.kind is None:
        return "report pack needs --kind bulletin, scorecard, settlement or award"
    if (args.month is None) == (args.year is None):
        return "report pack needs --month YYYY-MM or --year YYYY (one of them)"
    if args.kind in ("settlement", "award") and args.month is not None:
        return f"the {args.kind} is for a year: --year YYYY"
    if args.kind in ("scorecard", "settlement") and args.by == "region":
        return f"the {args.kind} is one per dealer: --by region applies to bulletin and award"
    if args.kind in ("bulletin", "award") and args.by == "dealer":
        return f"the {args.kind} covers many dealers: --by dealer applies to scorecard and settlement"
    out = Path(args.out)
    if out.suffix.lower() in (".csv", ".xlsx", ".pdf") or (out.exists() and not out.is_dir()):
        return "report pack writes a folder: --out DIR"
    return None


def cmd_pack(args) -> int:
    """report pack: the documents of the scope (national, or --region / --dealer), one PDF and one workbook per
    recipient, and index.csv; a progress bar on a terminal."""
    from etl import packs
    from etl.db import reader
    from etl.metrics.scope import Scope
    from etl.packs.pdf import FontMissing
    from etl.rules import load_rules

    database = config.db_path(args.db)
    if not database.exists():
        print(f"error: no database at {database}", file=sys.stderr)
        return EXIT_USAGE
    rules = load_rules(config.rules_path(args.rules))
    period = packs.Period.month(args.month) if args.month else packs.Period.year(args.year)
    scope = Scope(regions=tuple(args.region or ()), dealer_ids=tuple(args.dealer or ()))
    out = Path(args.out)
    started = time.perf_counter()
    with reader(database, rules) as con:
        ctx = packs.Context.open(con, args.lang or "zh", args.as_of or dt.date.today(), rules)
        try:
            packs.pdf.font()
            docs = list(packs.documents(ctx, args.kind, period, scope, args.by))
        except (FontMissing, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if not docs:
            print("error: no recipient in that scope and period (no dealer under contract?)", file=sys.stderr)
            return EXIT_USAGE
        bar = _progress(len(docs))
        written = packs.write(docs, out, bar, args.workers or PACK_WORKERS)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    pages = sum(line.pages for line in written)
    print(
        f"wrote {len(written)} PDFs ({pages} pages) and {len(written)} workbooks to {out} in "
        f"{time.perf_counter() - started:.1f} s; index: {out / packs.INDEX}"
    )
    return EXIT_OK


def _progress(total: int):
    """A progress bar on stderr when it is a terminal (a national burst takes a while); nothing otherwise."""
    if not sys.stderr.isatty():
        return None
    started = time.perf_counter()

    def show(done: int, document) -> None:
        width = 30
        filled = width * done // total
        elapsed = time.perf_counter() - started
        left = elapsed / done * (total - done)
        print(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {elapsed:.0f} s, ~{left:.0f} s left "
            f"{document.recipient[:20]:<20}",
            end="",
            file=sys.stderr,
            flush=True,
        )

    return show


def cmd_cases(args) -> int:
    """cases list: one line per case, overdue first; cases export: the workbook (cases, history, figures)."""
    from etl import cases
    from etl.rules import CASE_KINDS, load_rules

    database = config.db_path(args.db)
    if not database.exists():
        print(f"error: no database at {database}", file=sys.stderr)
        return EXIT_USAGE
    unknown = sorted(set(args.kind or ()) - set(CASE_KINDS))
    if unknown:
        print(f"error: no case kind {', '.join(unknown)}; one of: {', '.join(CASE_KINDS)}", file=sys.stderr)
        return EXIT_USAGE
    rules = load_rules(config.rules_path(args.rules))
    filters = {
        "kinds": tuple(args.kind or ()),
        "statuses": tuple(args.status or ()),
        "owner": args.owner,
        "overdue_only": args.overdue,
        "dealer_id": args.dealer,
    }
    now = dt.datetime.now().replace(microsecond=0)
    if args.action == "export":
        if not args.out or not args.out.lower().endswith(".xlsx"):
            print("error: cases export needs --out FILE.xlsx", file=sys.stderr)
            return EXIT_USAGE
        written = cases.export(database, rules, Path(args.out), now, **filters)
        print(f"wrote {written} cases to {args.out}")
        return EXIT_OK
    found = cases.listed(database, rules, now, **filters)
    for row in found.to_dict("records"):
        late = "  OVERDUE" if row["overdue"] else ""
        print(
            f"#{row['case_id']} {row['kind']} {row['status']} {row['dealer_id']} owner={row['owner'] or '-'} "
            f"opened {row['opened_at']:%Y-%m-%d} due {row['due_at']:%Y-%m-%d} ({row['age_days']} days){late}"
            f"  {', '.join(row['records'] if row['records'] is not None else [])}"
        )
    print(f"{len(found)} cases, {int(found['overdue'].sum()) if len(found) else 0} overdue")
    return EXIT_OK


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
