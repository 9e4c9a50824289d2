"""The command line of spec 5: load, sample, report (and demo, used by the README's run command).

Every word it prints comes from the catalogs (i18n), in the language of `--lang zh|en` (given anywhere on the
command line; on report pack and rejects it is also the documents' language) or else of the environment's locale
(language()): the messages, the help texts and argparse's own words (usage, errors; ARGPARSE_WORDS).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import os
import re
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from etl import config
from i18n import LANGUAGES, N_, ngettext, say_of, t

EXIT_OK, EXIT_FILE_REJECTED, EXIT_USAGE = 0, 1, 2


def language(chosen: str | None = None) -> str:
    """The language of the command's own words: --lang, else the environment's locale (LC_ALL, LC_MESSAGES, LANG,
    the first one set) when it is Chinese (zh...), else English."""
    if chosen:
        return chosen
    locale = next((os.environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(name)), "")
    return "zh" if locale.lower().startswith("zh") else "en"


def peek_language(argv: list[str]) -> str | None:
    """The language a `--lang zh|en` (or --lang=zh) anywhere in argv names, read before parsing (the parser's help
    and errors are in it); None when there is none (or it names no language: argparse then says so)."""
    for position, token in enumerate(argv):
        if token == "--":
            break
        if token.startswith("--lang="):
            value: str | None = token.partition("=")[2]
        elif token == "--lang" and position + 1 < len(argv):
            value = argv[position + 1]
        else:
            continue
        if value in LANGUAGES:
            return value
    return None


def _lang(args) -> str:
    """The language of a command's messages: its --lang when given, else the environment's."""
    return language(getattr(args, "lang", None))


def _error(message: str, lang: str) -> None:
    print(t("cli.error", lang, message=message), file=sys.stderr)


# argparse's own words (Python's gettext domain "argparse": its msgids, argparse.py) -> the catalogs' keys; the
# ones the parser below can say (no mutually exclusive groups, no FileType, no nargs=N).
ARGPARSE_WORDS = {
    "usage: ": N_("argparse.usage"),
    "positional arguments": N_("argparse.positional_arguments"),
    "options": N_("argparse.options"),
    "show this help message and exit": N_("argparse.help"),
    "%(prog)s: error: %(message)s\n": N_("argparse.error"),
    "argument %(argument_name)s: %(message)s": N_("argparse.argument"),
    "the following arguments are required: %s": N_("argparse.required"),
    "unrecognized arguments: %s": N_("argparse.unrecognized"),
    "invalid choice: %(value)r (choose from %(choices)s)": N_("argparse.invalid_choice"),
    "invalid %(type)s value: %(value)r": N_("argparse.invalid_value"),
    "expected one argument": N_("argparse.expected_one"),
    "expected at least one argument": N_("argparse.expected_at_least_one"),
    "expected at most one argument": N_("argparse.expected_at_most_one"),
    "ignored explicit argument %r": N_("argparse.ignored_explicit"),
    "ambiguous option: %(option)s could match %(matches)s": N_("argparse.ambiguous"),
    "unexpected option string: %s": N_("argparse.unexpected_option"),
}


@contextlib.contextmanager
def argparse_words(lang: str) -> Iterator[None]:
    """argparse speaking `lang` while the parser is built and parses: argparse looks its words up through its
    module's gettext function `_` when it says them, which this swaps for the catalogs' (a word not listed passes
    through as argparse wrote it) and puts back after."""
    namespace = vars(argparse)
    original = namespace["_"]

    def words(message):
        key = ARGPARSE_WORDS.get(message) if isinstance(message, str) else None
        return t(key, lang) if key else message

    namespace["_"] = words
    try:
        yield
    finally:
        namespace["_"] = original


# Characters a terminal shows two columns wide (Chinese, full-width punctuation), and the punctuation a line of
# Chinese never starts or never ends with.
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
_NO_LINE_START = frozenset("，。；：、）」』》！？")
_NO_LINE_END = frozenset("（「『《")


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_wide(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal columns (a Chinese character takes two), broken at spaces or
    between Chinese characters, never before closing punctuation nor after opening punctuation (textwrap counts
    characters and breaks only at spaces: a Chinese help text overflowed the terminal or was cut inside a word)."""
    tokens = re.findall(r"\s+|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|.", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if token.isspace():
            line += " " if line else ""
        elif line and _columns(line + token) > width and token[0] not in _NO_LINE_START:
            carried = line[-1] if line[-1] in _NO_LINE_END and len(line) > 1 else ""
            lines.append(line[: len(line) - len(carried)].rstrip())
            line = carried + token
        else:
            line += token
    return lines + [line.rstrip()] if line.strip() else lines


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout; a text with Chinese in it wrapped by terminal columns (wrap_wide), English as
    argparse wraps it."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        if not _WIDE.search(text):
            return super()._split_lines(text, width)
        return wrap_wide(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if not _WIDE.search(text):
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in wrap_wide(" ".join(text.split()), width - len(indent)))


class _Parser(argparse.ArgumentParser):
    """The command line's parser and its subcommands' (argparse makes them of the parent's class): _HelpFormatter."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def _date(text: str, lang: str = "en") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.not_a_date", lang, text=text)) from None


def _year(text: str, lang: str = "en") -> int:
    if not text.isdigit() or not 1900 <= int(text) <= 2199:
        raise argparse.ArgumentTypeError(t("cli.not_a_year", lang, text=text))
    return int(text)


def _positive(text: str, lang: str = "en") -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(t("cli.not_a_positive", lang, text=text))
    return int(text)


def _month(text: str, lang: str = "en") -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.not_a_month", lang, text=text)) from None


def _month_text(text: str, lang: str = "en") -> str:
    """A month as sampledata takes it, YYYY-MM (2025-3 -> 2025-03), checked like --month."""
    return f"{_month(text, lang):%Y-%m}"


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


def parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser, its help texts in `lang` (default: the environment's language); argparse's own
    words follow argparse_words() around building and parsing (main)."""
    lang = language(lang)
    date, year, positive, month, month_text = (
        functools.partial(check, lang=lang) for check in (_date, _year, _positive, _month, _month_text)
    )

    def add_lang(command: argparse.ArgumentParser) -> None:
        command.add_argument("--lang", choices=["zh", "en"], help=t("cli.help.lang", lang))

    top = _Parser(prog="python -m etl", description=t("cli.help.description", lang))
    commands = top.add_subparsers(dest="command", required=True)

    load = commands.add_parser("load", help=t("cli.help.load", lang))
    load.add_argument("paths", nargs="+", metavar="PATH")
    load.add_argument("--db"), load.add_argument("--rules")
    load.add_argument("--submitted-on", type=date, help=t("cli.help.submitted_on", lang))
    load.add_argument("--json", action="store_true", help=t("cli.help.load_json", lang))
    add_lang(load)

    sample = commands.add_parser("sample", help=t("cli.help.sample", lang))
    sample.add_argument("--out", default=str(config.DEFAULT_SAMPLE_DIR))
    sample.add_argument("--seed", type=int, default=20260101)
    sample.add_argument("--end-month", type=month_text, help=t("cli.help.end_month", lang))
    sample.add_argument("--dealers", type=positive, help=t("cli.help.sample_dealers", lang))
    sample.add_argument("--months", type=positive, help=t("cli.help.sample_months", lang))
    add_lang(sample)

    report = commands.add_parser("report", help=t("cli.help.report", lang))
    report.add_argument("name", choices=["monthly", "award", "settlement", "funnel", "watchlist", "pack"])
    report.add_argument("--year", type=year)
    report.add_argument("--metric", help=t("cli.help.metric", lang))
    report.add_argument("--from", dest="from_month", type=month, help=t("cli.help.from_month", lang))
    report.add_argument("--to", dest="to_month", type=month, help=t("cli.help.to_month", lang))
    report.add_argument("--overdispersion", action="store_true", help=t("cli.help.overdispersion", lang))
    report.add_argument("--month", type=month, help=t("cli.help.report_month", lang))
    report.add_argument(
        "--kind", choices=["bulletin", "scorecard", "settlement", "award"], help=t("cli.help.pack_kind", lang)
    )
    report.add_argument("--by", choices=["region", "dealer"], help=t("cli.help.pack_by", lang))
    report.add_argument("--lang", choices=["zh", "en"], help=t("cli.help.pack_lang", lang))
    report.add_argument("--region", action="append", help=t("cli.help.pack_region", lang))
    report.add_argument("--dealer", action="append", help=t("cli.help.pack_dealer", lang))
    report.add_argument("--workers", type=positive, help=t("cli.help.pack_workers", lang))
    report.add_argument("--as-of", type=date, default=None, help=t("cli.help.as_of", lang))
    report.add_argument("--db"), report.add_argument("--rules")
    report.add_argument("--out", required=True, help=t("cli.help.report_out", lang))

    inspect = commands.add_parser("inspect", help=t("cli.help.inspect", lang))
    inspect.add_argument("paths", nargs="+", metavar="FILE")
    inspect.add_argument("--db"), inspect.add_argument("--rules")
    inspect.add_argument("--submitted-on", type=date, help=t("cli.help.as_for_load", lang))
    inspect.add_argument("--rejects", type=int, default=10, help=t("cli.help.inspect_rejects", lang))
    inspect.add_argument("--json", action="store_true", help=t("cli.help.inspect_json", lang))
    add_lang(inspect)

    rejects = commands.add_parser("rejects", help=t("cli.help.rejects", lang))
    rejects.add_argument("--file", required=True, metavar="NAME", help=t("cli.help.rejects_file", lang))
    rejects.add_argument("--out", required=True, help=t("cli.help.rejects_out", lang))
    rejects.add_argument("--lang", choices=["zh", "en"], help=t("cli.help.rejects_lang", lang))
    rejects.add_argument("--db")

    refresh = commands.add_parser("refresh", help=t("cli.help.refresh", lang))
    refresh.add_argument("--db"), refresh.add_argument("--rules")
    add_lang(refresh)

    export = commands.add_parser("export", help=t("cli.help.export", lang))
    export.add_argument("--format", choices=["parquet"], default="parquet")
    export.add_argument("--out", required=True, metavar="DIR", help=t("cli.help.export_out", lang))
    export.add_argument("--db"), export.add_argument("--rules")
    export.add_argument("--with-personal-data", action="store_true", help=t("cli.help.with_personal_data", lang))
    add_lang(export)

    cases = commands.add_parser("cases", help=t("cli.help.cases", lang))
    cases.add_argument("action", choices=["list", "export"])
    cases.add_argument("--kind", action="append", help=t("cli.help.cases_kind", lang))
    cases.add_argument("--status", action="append", help=t("cli.help.cases_status", lang))
    cases.add_argument("--dealer", help=t("cli.help.cases_dealer", lang))
    cases.add_argument("--owner", help=t("cli.help.cases_owner", lang))
    cases.add_argument("--overdue", action="store_true", help=t("cli.help.cases_overdue", lang))
    cases.add_argument("--out", help=t("cli.help.cases_out", lang))
    cases.add_argument("--db"), cases.add_argument("--rules")
    add_lang(cases)

    demo = commands.add_parser("demo", help=t("cli.help.demo", lang))
    demo.add_argument("--db"), demo.add_argument("--rules")
    add_lang(demo)

    users = commands.add_parser("users", help=t("cli.help.users", lang))
    users.add_argument("action", choices=["add", "remove", "list", "passwd"])
    users.add_argument("name", nargs="?", help=t("cli.help.users_name", lang))
    users.add_argument("--role", choices=["admin", "analyst", "regional", "callcenter", "dealer"])
    users.add_argument("--regions", help=t("cli.help.users_regions", lang))
    users.add_argument("--provinces", help=t("cli.help.users_provinces", lang))
    users.add_argument("--dealers", help=t("cli.help.users_dealers", lang))
    users.add_argument("--email", help=t("cli.help.users_email", lang))
    users.add_argument("--uploads", action="store_true", help=t("cli.help.users_uploads", lang))
    users.add_argument("--new-password", action="store_true", help=t("cli.help.users_new_password", lang))
    users.add_argument("--users", help=t("cli.help.users_file", lang))
    users.add_argument("--rules")
    add_lang(users)
    return top


def main(argv: list[str] | None = None) -> int:
    """The command's exit code; the errors of the modules it calls (rules, aliases, a database kept busy) and the
    notices of a waiting writer (etl.db.tell) in the command's language."""
    from etl.aliases import AliasesError
    from etl.db import NOTICE_LANGUAGE, DatabaseBusy
    from etl.rules import RulesError

    argv = sys.argv[1:] if argv is None else list(argv)
    lang = language(peek_language(argv))
    with argparse_words(lang):
        args = parser(lang).parse_args(argv)
    notices = NOTICE_LANGUAGE.set(_lang(args))
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
    except (RulesError, AliasesError, DatabaseBusy) as exc:
        _error(say_of(exc, _lang(args)), _lang(args))
        return EXIT_USAGE
    finally:
        NOTICE_LANGUAGE.reset(notices)


def _data_paths(arguments: list[str], lang: str = "en") -> list[Path] | None:
    """The data files the arguments name (folders expanded), or None after saying why there are none."""
    from etl.load import collect_paths

    missing = next((argument for argument in arguments if not Path(argument).exists()), None)
    if missing is not None:
        _error(t("cli.no_such_path", lang, path=missing), lang)
        return None
    try:
        paths = collect_paths(arguments)
    except FileNotFoundError as exc:  # gone since: said as it is
        _error(str(exc), lang)
        return None
    if not paths:
        _error(t("cli.no_data_files", lang, paths=", ".join(arguments)), lang)
        return None
    return paths


def _database(args, lang: str) -> Path | None:
    """The database a command reads, or None after saying there is none."""
    database = config.db_path(args.db)
    if not database.exists():
        _error(t("cli.no_database", lang, path=database), lang)
        return None
    return database


def cmd_load(args) -> int:
    from etl.load import load_paths
    from etl.rules import load_rules

    rules = load_rules(config.rules_path(args.rules))
    lang = _lang(args)
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
            notify=lambda message: emit({"waiting": say_of(message, lang)}),
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
    lang = _lang(args)
    paths = _data_paths(args.paths, lang)
    if paths is None:
        return EXIT_USAGE
    rejected = 0
    for path in paths:
        report = inspect_file(path, config.db_path(args.db), rules, args.submitted_on, max_rejects=args.rejects)
        rejected += report["status"] == "rejected"
        print(json.dumps(report, ensure_ascii=False, default=str) if args.json else describe(report, lang), flush=True)
    return EXIT_FILE_REJECTED if rejected else EXIT_OK


def cmd_rejects(args) -> int:
    """The correction sheet in --lang (default Chinese: it goes to the dealer); the messages in --lang when given,
    else in the environment's language."""
    from etl.corrections import NoRejects, correction_workbook
    from etl.db import reader

    lang = _lang(args)
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        _error(t("cli.out_xlsx", lang), lang)
        return EXIT_USAGE
    database = _database(args, lang)
    if database is None:
        return EXIT_USAGE
    with reader(database) as con:
        try:
            content = correction_workbook(con, args.file, args.lang or "zh")
        except NoRejects as exc:
            _error(say_of(exc, lang), lang)
            return EXIT_USAGE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    print(t("cli.wrote_correction_sheet", lang, file=args.file, out=out))
    return EXIT_OK


def cmd_refresh(args) -> int:
    """Every stored dealer-month recomputed (loads refresh only what they change; the writer
    rebuilds by itself when the definitions or the rules they read change)."""
    from etl import marts
    from etl.db import writer
    from etl.rules import load_rules

    lang = _lang(args)
    database = _database(args, lang)
    if database is None:
        return EXIT_USAGE
    started, opened_at = time.perf_counter(), dt.datetime.now(dt.UTC)
    with writer(database, load_rules(config.rules_path(args.rules))) as con:
        # The writer rebuilds by itself when the definitions or the rules changed: once is enough (twice had cost
        # 50 s instead of 25 s at national scale after an upgrade).
        rebuilt = con.execute("SELECT max(refreshed_at) >= ? FROM mart_state", [opened_at]).fetchall()[0][0]
        if rebuilt:
            rows = con.execute(f"SELECT count(*) FROM {marts.STORED}").fetchall()[0][0]
        else:
            con.execute("BEGIN TRANSACTION")
            rows = marts.rebuild(con)
            con.execute("COMMIT")
    seconds = time.perf_counter() - started
    print(ngettext("cli.refreshed", rows, lang, table=marts.STORED, seconds=seconds))
    return EXIT_OK


def cmd_export(args) -> int:
    from etl.db import reader
    from etl.export import ExportError, export_parquet
    from etl.rules import load_rules

    lang = _lang(args)
    database = _database(args, lang)
    if database is None:
        return EXIT_USAGE
    rules = load_rules(config.rules_path(args.rules))
    out = Path(args.out)
    started = time.perf_counter()

    def told(name: str, entry: dict) -> None:
        where = (
            ngettext("cli.export_partitions", entry["partitions"], lang, column=entry["partitioning"]["from"])
            if entry["partitioning"]
            else t("cli.export_one_file", lang)
        )
        rows = ngettext("cli.rows", entry["rows"], lang)
        print(t("cli.export_table", lang, name=name, rows=rows, where=where, mb=entry["bytes"] / 1e6), flush=True)

    try:
        with reader(database, rules) as con:
            manifest = export_parquet(con, out, rules, args.with_personal_data, database, on_table=told)
    except ExportError as exc:
        _error(say_of(exc, lang), lang)
        return EXIT_USAGE
    tables = manifest["tables"].values()
    print(
        ngettext(
            "cli.exported",
            len(tables),
            lang,
            rows=ngettext("cli.rows", sum(table["rows"] for table in tables), lang),
            mb=sum(table["bytes"] for table in tables) / 1e6,
            out=out,
            seconds=time.perf_counter() - started,
            personal=t("cli.personal_data_kept", lang)
            if args.with_personal_data
            else t("cli.personal_data_left_out", lang),
        )
    )
    return EXIT_OK


def cmd_sample(args) -> int:
    from sampledata import generate

    lang = _lang(args)
    dealers, months = getattr(args, "dealers", None), getattr(args, "months", None)
    try:
        written = generate(Path(args.out), seed=args.seed, end_month=args.end_month, dealers=dealers, months=months)
    except ValueError as exc:  # sampledata's SampleError (a catalog message), or another as it is
        _error(say_of(exc, lang), lang)
        return EXIT_USAGE
    print(ngettext("cli.wrote_files", len(written), lang, out=args.out))
    return EXIT_OK


def cmd_report(args) -> int:
    """A report file; for report pack, the documents (their language and the messages': --lang, else zh for the
    documents and the environment's for the messages)."""
    from etl import reports
    from etl.db import reader
    from etl.rules import load_rules

    lang = _lang(args)
    problem = _report_problem(args, lang)
    if problem:
        _error(problem, lang)
        return EXIT_USAGE
    if args.name == "pack":
        return cmd_pack(args)
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        _error(t("cli.out_csv_xlsx", lang), lang)
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
    print(ngettext("cli.wrote_rows", len(frame), lang, out=out))
    return EXIT_OK


def _report_problem(args, lang: str = "en") -> str | None:
    """What is wrong with a report command line, in `lang`, or None."""
    for option, names in REPORT_OPTIONS.items():
        if getattr(args, option) not in (None, False) and args.name not in names:
            flag = "--" + option.replace("_month", "").replace("_", "-")
            return t("cli.report.option_for", lang, option=flag, reports=" / ".join(names))
    if args.name == "pack":
        return _pack_problem(args, lang)
    if args.name in ("award", "settlement") and args.year is None:
        return t("cli.report.needs_year", lang, report=args.name)
    if args.name == "watchlist" and args.month is None:
        return t("cli.report.watchlist_needs_month", lang)
    if args.name == "funnel":
        from etl.metrics.quality import STAT_RATES

        if args.metric not in STAT_RATES:
            return t("cli.report.funnel_needs_metric", lang, metrics=", ".join(STAT_RATES))
        if (args.from_month is None) != (args.to_month is None):
            return t("cli.report.funnel_needs_both", lang)
        if args.from_month and args.year is not None:
            return t("cli.report.funnel_year_or_months", lang)
        if args.from_month and args.from_month > args.to_month:
            return t("cli.report.from_after_to", lang)
    return None


def _pack_problem(args, lang: str = "en") -> str | None:
    if args.kind is None:
        return t("cli.pack.needs_kind", lang)
    if (args.month is None) == (args.year is None):
        return t("cli.pack.needs_period", lang)
    if args.kind in ("settlement", "award") and args.month is not None:
        return t("cli.pack.for_a_year", lang, kind=args.kind)
    if args.kind in ("scorecard", "settlement") and args.by == "region":
        return t("cli.pack.per_dealer", lang, kind=args.kind)
    if args.kind in ("bulletin", "award") and args.by == "dealer":
        return t("cli.pack.many_dealers", lang, kind=args.kind)
    out = Path(args.out)
    if out.suffix.lower() in (".csv", ".xlsx", ".pdf") or (out.exists() and not out.is_dir()):
        return t("cli.pack.writes_folder", lang)
    return None


def cmd_pack(args) -> int:
    """report pack: the documents of the scope (national, or --region / --dealer), one PDF and one workbook per
    recipient, and index.csv; a progress bar on a terminal."""
    from etl import packs
    from etl.db import reader
    from etl.metrics.scope import Scope
    from etl.packs.pdf import FontMissing
    from etl.rules import load_rules

    lang = _lang(args)
    database = _database(args, lang)
    if database is None:
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
            _error(say_of(exc, lang), lang)
            return EXIT_USAGE
        if not docs:
            _error(t("cli.pack.no_recipient", lang), lang)
            return EXIT_USAGE
        bar = _progress(len(docs), lang)
        written = packs.write(docs, out, bar, args.workers or PACK_WORKERS)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(
        ngettext(
            "cli.pack.wrote",
            len(written),
            lang,
            pages=ngettext("cli.pages", sum(line.pages for line in written), lang),
            out=out,
            seconds=time.perf_counter() - started,
            index=out / packs.INDEX,
        )
    )
    return EXIT_OK


def _progress(total: int, lang: str = "en"):
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
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            + t("cli.pack.progress", lang, elapsed=elapsed, left=left)
            + f" {document.recipient[:20]:<20}",
            end="",
            file=sys.stderr,
            flush=True,
        )

    return show


def _now() -> dt.datetime:
    """The cases' clock (their age and whether they are overdue), to the second."""
    return dt.datetime.now().replace(microsecond=0)


def cmd_cases(args) -> int:
    """cases list: one line per case, overdue first; cases export: the workbook (cases, history, figures)."""
    from etl import cases
    from etl.rules import CASE_KINDS, load_rules

    lang = _lang(args)
    database = _database(args, lang)
    if database is None:
        return EXIT_USAGE
    unknown = sorted(set(args.kind or ()) - set(CASE_KINDS))
    if unknown:
        _error(t("cli.cases.unknown_kind", lang, kinds=", ".join(unknown), known=", ".join(CASE_KINDS)), lang)
        return EXIT_USAGE
    rules = load_rules(config.rules_path(args.rules))
    filters = {
        "kinds": tuple(args.kind or ()),
        "statuses": tuple(args.status or ()),
        "owner": args.owner,
        "overdue_only": args.overdue,
        "dealer_id": args.dealer,
    }
    now = _now()
    if args.action == "export":
        if not args.out or not args.out.lower().endswith(".xlsx"):
            _error(t("cli.cases.export_needs_out", lang), lang)
            return EXIT_USAGE
        written = cases.export(database, rules, Path(args.out), now, **filters)
        print(ngettext("cli.cases.wrote", written, lang, out=args.out))
        return EXIT_OK
    found = cases.listed(database, rules, now, **filters)
    for row in found.to_dict("records"):
        line = t(
            "cli.cases.line",
            lang,
            case_id=row["case_id"],
            kind=row["kind"],
            status=row["status"],
            dealer=row["dealer_id"],
            owner=row["owner"] or "-",
            opened=f"{row['opened_at']:%Y-%m-%d}",
            due=f"{row['due_at']:%Y-%m-%d}",
            age=ngettext("cli.days", row["age_days"], lang),
        )
        late = "  " + t("cli.cases.overdue", lang) if row["overdue"] else ""
        print(f"{line}{late}  {', '.join(row['records'] if row['records'] is not None else [])}")
    overdue = int(found["overdue"].sum()) if len(found) else 0
    print(ngettext("cli.cases.total", len(found), lang, overdue=overdue))
    return EXIT_OK


def cmd_demo(args) -> int:
    """Used by the README's run command: a first start gets the demo data generated and loaded."""
    from etl.db import reader

    lang = _lang(args)
    database = config.db_path(args.db)
    if database.exists():
        with reader(database) as con:
            if con.execute("SELECT count(*) FROM load_log WHERE status = 'loaded'").fetchone()[0]:
                print(t("cli.demo_has_data", lang, path=database))
                return EXIT_OK
    out = config.DEFAULT_SAMPLE_DIR
    cmd_sample(argparse.Namespace(out=str(out), seed=20260101, end_month=None, lang=lang))
    code = cmd_load(
        argparse.Namespace(paths=[str(out)], db=args.db, rules=args.rules, submitted_on=None, json=False, lang=lang)
    )
    return EXIT_OK if code in (EXIT_OK, EXIT_FILE_REJECTED) else code


def cmd_users(args) -> int:
    """Manage the users file; the password is typed (getpass), never given on the command line."""
    import getpass

    from etl.users import UsersError, run_command

    lang = _lang(args)
    if args.action != "list" and not args.name:
        _error(t("cli.users.needs_name", lang, action=args.action), lang)
        return EXIT_USAGE
    if args.action == "add" and not args.role:
        _error(t("cli.users.needs_role", lang), lang)
        return EXIT_USAGE
    try:
        return run_command(args, getpass.getpass, sys.stdout, lang)
    except UsersError as exc:
        _error(say_of(exc, lang), lang)
        return EXIT_FILE_REJECTED
