"""The national-scale data set: thousands of dealers, tens of millions of repair records.

`generate_national(out_dir, seed, end_month, dealers, months)` writes clean files in the formats
of spec section 2 (UTF-8 CSV, the spec's Chinese headers and choice values, one file per kind
and month) for a benchmark: `python -m etl sample --dealers 3000 --months 36` gives about 20 M
repair records, 3 M HQ callbacks and 1 M hotline tickets. Memory stays bounded: the dealer-level
plan (a few numbers per dealer and month) is drawn with numpy, every record is made by DuckDB SQL
from `range()`, one month at a time, with hash-based pseudo-random numbers keyed by the record
and the seed, and written with `COPY ... TO`; callbacks and hotline tickets wait in a small DuckDB
table until their month is complete. The same arguments give byte-identical files.

Volumes, for D dealers and M months (mean, within a few per cent):
- repairs: about 196 records per dealer-month under contract (by season and the dealer's size);
  4 % of the contracts begin and 4 % end inside the span and about 1 % of the dealer-months
  send no report (their records appear in no file), so about 185 x D x M records are written
  (3000 x 36: 20 M in 36 files of about 550,000 rows);
- callbacks: 10-20 % of every delivered dealer-month's records (about 15 %), called 1-8 days
  after the report came in and before the end of the span: none in the first month's file, none
  on the last month's records;
- hotline: about 5.5 % of the records: answered repair requests (3 % of installs and repairs,
  their ticket id in the record's hq_ticket_id), unanswered requests, inquiries (1.8 % of
  services), complaints about records, complaints that repeat a callback complaint, and
  complaints without a record number;
- sales: one row per dealer-month under contract; notices: a few a year, mostly at poor dealers.

What the metrics see: dealers are excellent (20 %), ordinary (70 %) or poor (10 %), with the
demo's profiles (`sampledata.roles`); poor dealers have three crisis months each, a third of
them fake records; complaints from callbacks and verified hotline tickets (some about the same
record, so they merge), dissatisfied answers, open records and records found unresolved by a
later callback (misses), late arrivals (24 h in town, 48 h in a county), late (after the 15th)
and missing reports, repeat repairs of a serial within 30 days (a few at the town dealer of the
same city), answered hotline requests received up to three days before the visit was logged
(so some fall in the previous month) and unanswered ones, dealers joining and leaving in the span.

Files (4 x M + 1: 145 for 36 months): dealers.csv; per month YYYY-MM: sales_YYYY-MM.csv,
repairs_YYYY-MM.csv (report_month and submitted_on columns), callbacks_YYYY-MM.csv (by month
of called_at; none for the first month), hotline_YYYY-MM.csv (by month of received_at);
notices.csv. Dealer ids are JX10001, JX10002, ...; dealer 2k (town, 市区) and 2k + 1 (county,
郊县) share a city. No row is meant to be rejected.
"""
from __future__ import annotations

import pathlib

import duckdb
import numpy as np
import pandas as pd

from etl.schema import CALLBACKS, DEALERS, HOTLINE, NOTICES, REPAIRS, SALES, Kind
from sampledata.reference import (
    AREA_ZH,
    COMMENTS,
    COMMUNITIES,
    CONDUCT_ISSUES,
    COUNTY_BRANDS,
    GIVEN_CHARS,
    LOCATIONS,
    MOBILE_PREFIXES,
    NAME_SUFFIXES,
    PRODUCTS,
    SATISFACTION_ZH,
    SERVICE_ZH,
    STATUS_ZH,
    STREETS,
    SURNAMES,
    TICKET_ZH,
    TOWNS,
    UNREACHED_COMMENTS,
    VILLAGES,
    short_name,
)
from sampledata.repairs import month_frame
from sampledata.roles import EXCELLENT, ORDINARY, POOR, Profile
from sampledata.span import Span, default_end_month

NATIONAL_DEALERS = 3000
NATIONAL_MONTHS = 36
RECORDS_PER_DEALER_MONTH = 196
MAX_RECORDS_PER_DEALER_MONTH = 99_999  # record numbers and keys have five digits for it
MAX_DEALER_MONTHS = 999_999  # record keys (and serial numbers) stay below 10^11
TIERS: tuple[tuple[str, float, Profile], ...] = (
    ("excellent", 0.2, EXCELLENT), ("ordinary", 0.7, ORDINARY), ("poor", 0.1, POOR))
TIERS_BY_NAME = {name: profile for name, _, profile in TIERS}
MISSING = {"excellent": 0.002, "ordinary": 0.01, "poor": 0.04}  # chance a dealer-month has no report
FAKE_DEALERS = 1 / 3    # share of poor dealers (the first and every third) whose callbacks find fake records ...
FAKE_RATE = (0.03, 0.08)  # ... in this share of their reached callbacks
CROSSING = 0.04         # share of contracts that begin, and of those that end, inside the span
CALLBACK_SHARE = (0.10, 0.20)
ANSWERED_SHARE = 0.03   # installs and repairs that answer a hotline repair request
EARLY_TICKETS = 0.2     # of those, share received 2 hours to 3 days before the request was logged
INQUIRIES = (0.3, 0.018)  # inquiry tickets a dealer-month: a constant plus a share of services
CALLBACK_ALSO_HOTLINE = 0.35  # customers who complained in a callback and also called the hotline
DAY = 1440  # minutes
FAKE_COMMENTS = ("用户称未报修，无此次服务", "用户表示师傅没有上门", "用户不认可此维修单")

# Salts of the hash-based random numbers: one per independent draw about a record or ticket.
(S_DAY, S_HOUR, S_SERVICE, S_OPEN, S_RETURN, S_FAMILY, S_MODEL, S_FAULT, S_WAIT1, S_WAIT2, S_JOB1, S_JOB2,
 S_WORK, S_NOT_ARRIVED, S_LABOR, S_LABOR_PICK, S_PARTS, S_PARTS_PICK, S_PARTS1, S_PARTS2, S_AGE, S_NO_PURCHASE,
 S_WARRANTY_BLANK, S_NAME, S_PHONE, S_ADDRESS, S_SERIAL_BLANK, S_TECH, S_SIGNED, S_DEALER_CB,
 S_DEALER_CB_SPREAD, S_DEALER_CB_ANGLE, S_REPEAT, S_REPEAT_BACK, S_CROSS, S_TICKET, S_TICKET_EARLY,
 S_TICKET_MINUTES, S_CB, S_CB_DAYS, S_CB_MINUTE, S_REACHED, S_FAKE, S_UNRESOLVED, S_SCORE, S_LOW_SCORE,
 S_CONDUCT, S_CONDUCT_PICK, S_BLANK_SCORE, S_COMPLAINT, S_MEMORY, S_COMMENT, S_RECORD_COMPLAINT, S_RC_DAYS,
 S_VERIFIED, S_VERIFIED_BLANK, S_ALSO_HOTLINE, S_HOTLINE_SHIFT, S_LOOSE_TIME, S_LOOSE_PHONE) = range(1, 61)


def generate_national(out_dir: pathlib.Path, seed: int, end_month: str | None, dealers: int,
                      months: int) -> list[pathlib.Path]:
    """Write the national-scale data set into out_dir (flat) and return the written paths."""
    if dealers < 2 or months < 1 or dealers * months > MAX_DEALER_MONTHS:
        raise ValueError(f"the national data set needs 2 or more dealers, 1 or more months and at most "
                         f"{MAX_DEALER_MONTHS:,} dealer-months")
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    last = np.datetime64(end_month or default_end_month(), "M")
    span = Span(months=np.arange(last - (months - 1), last + 1))
    rng = np.random.default_rng(seed)
    roster = national_dealers(rng, span, dealers)
    plan = month_plan(rng, roster, span)
    notices = national_notices(rng, roster, span)
    con = duckdb.connect()
    try:
        _run(con, "SET preserve_insertion_order = true")  # rows are written in the order they are made
        _run(con, "SET enable_progress_bar = false")
        _run(con, "SET memory_limit = '2GB'")
        _macros(con, seed, serial=(int(rng.integers(10**5, 10**6)) * 10 + 3, int(rng.integers(0, 10**11))))
        return _write_all(con, out_dir, span, roster, plan, notices)
    finally:
        con.close()


# ---------------------------------------------------------------- dealer-level plan (numpy)


def national_dealers(rng: np.random.Generator, span: Span, n: int) -> pd.DataFrame:
    """The roster and each dealer's behaviour: tier, size, shares, contract dates."""
    index = np.arange(n)
    place = np.asarray(LOCATIONS, dtype=object)[(index // 2) % len(LOCATIONS)]
    urban = index % 2 == 0
    tier_names = np.array([t[0] for t in TIERS])
    tier = tier_names[rng.choice(len(TIERS), n, p=[t[1] for t in TIERS])]
    profiles = [dict(TIERS_BY_NAME[t].__dict__) for t in tier]

    def column(name: str) -> np.ndarray:
        return np.array([p[name] for p in profiles], dtype=float)

    def drawn(name: str, log: bool = False) -> np.ndarray:
        bounds = np.array([p[name] for p in profiles], dtype=float)
        low, high = (np.log(bounds[:, 0]), np.log(bounds[:, 1])) if log else (bounds[:, 0], bounds[:, 1])
        value = low + rng.random(n) * (high - low)
        return np.exp(value) if log else value

    frame = pd.DataFrame({
        "dealer": index,
        "dealer_id": np.char.add("JX", (10001 + index).astype(str)),
        "region": [p[0] for p in place], "province": [p[1] for p in place], "city": [p[2] for p in place],
        "place": np.where(urban, [p[3] for p in place], [p[4] for p in place]),
        "area_type": np.where(urban, "urban", "county"), "urban": urban, "tier": tier,
    })
    suffix = [NAME_SUFFIXES[(i if i % 2 == 0 else i + 3) % len(NAME_SUFFIXES)] for i in index]
    brand = [COUNTY_BRANDS[(i // 2) % len(COUNTY_BRANDS)] for i in index]
    frame["dealer_name"] = [
        f"{short_name(city)}{short_name(where)}{suffix[i]}" if urban[i] else f"{short_name(where)}{brand[i]}{suffix[i]}"
        for i, city, where in zip(index, frame["city"], frame["place"])]
    rounds = index // (2 * len(LOCATIONS))  # the same city again: a number in the name tells them apart
    frame["dealer_name"] = np.where(rounds > 0, frame["dealer_name"] + np.char.add("第", (rounds + 1).astype(str))
                                    + "分部", frame["dealer_name"])
    frame["size"] = drawn("size", log=True)
    for name in ("units_per_repair", "satisfied", "dealer_callback"):
        frame[name] = drawn(name)
    for name in ("top_share", "dissatisfied_share", "callback_complaint", "unresolved", "open_rate",
                 "arrival_hours", "arrival_spread", "signed", "conduct", "hotline_complaints",
                 "complaints_per_service", "verified", "unanswered", "late", "repeat"):
        frame[name] = column(name)
    frame["on_time_low"] = [p["on_time_days"][0] for p in profiles]
    frame["on_time_high"] = [p["on_time_days"][1] for p in profiles]
    low, high = np.array([p["technicians"] for p in profiles]).T
    frame["technicians"] = rng.integers(low, high + 1)
    gaps = rng.random(n)
    frame["has_service_center"] = ~((tier != "excellent") & (gaps < 0.03))
    frame.loc[(tier == "poor") & (gaps > 0.97), "technicians"] = 0
    poor_rank = np.cumsum(tier == "poor") - 1
    every = round(1 / FAKE_DEALERS)
    frame["fake"] = np.where((tier == "poor") & (poor_rank % every == 0), rng.uniform(*FAKE_RATE, n), 0.0)
    frame["missing"] = [MISSING[t] for t in tier]
    frame["unit_price"] = rng.uniform(2200, 4200, n).round(-1)
    _contracts(rng, frame, span)
    # Scale the sizes: about RECORDS_PER_DEALER_MONTH records per dealer-month under contract.
    plan = month_frame(frame, span)
    expected = frame["size"].to_numpy()[plan["dealer"].to_numpy()] * plan["season"].to_numpy()
    frame["size"] *= RECORDS_PER_DEALER_MONTH * plan["share"].sum() / (expected * plan["share"].to_numpy()).sum()
    return frame


def _contracts(rng: np.random.Generator, frame: pd.DataFrame, span: Span) -> None:
    """Most dealers joined years ago; a few join or leave inside the span (never both)."""
    n = len(frame)
    days = int((span.end - span.start).astype(int))
    earliest = min(np.datetime64("2009-03-01"), span.start - 3650)
    joined = earliest + rng.integers(0, int((span.start - 400 - earliest).astype(int)), n)
    change = rng.random(n)
    inside = span.start + rng.integers(1, max(days - 1, 2), n)
    frame["joined_on"] = np.where(change < CROSSING, inside, joined).astype("datetime64[D]")
    frame["left_on"] = np.where(change > 1 - CROSSING, inside, np.datetime64("NaT")).astype("datetime64[D]")


def month_plan(rng: np.random.Generator, roster: pd.DataFrame, span: Span) -> pd.DataFrame:
    """One row per dealer-month: records, report, callback share, hotline counts, sales."""
    plan = month_frame(roster, span)
    n_dealers, n_months = len(roster), len(span.months)
    dealer = plan["dealer"].to_numpy()
    d = roster.iloc[dealer]
    expected = d["size"].to_numpy() * plan["season"].to_numpy() * plan["share"].to_numpy()
    records = np.where(plan["active"], np.maximum(rng.poisson(expected), 1), 0)
    plan["records"] = np.minimum(records, MAX_RECORDS_PER_DEALER_MONTH)
    crisis = np.zeros((n_dealers, n_months), dtype=bool)
    for index in np.nonzero(roster["tier"].to_numpy() == "poor")[0]:
        crisis[index, rng.choice(n_months, min(3, n_months), replace=False)] = True
    plan["crisis"] = crisis.ravel()
    late = rng.random(len(plan)) < d["late"].to_numpy()
    day = np.where(late, rng.integers(16, 29, len(plan)),
                   rng.integers(d["on_time_low"].to_numpy(), d["on_time_high"].to_numpy() + 1))
    next_month = (span.months[plan["month"].to_numpy()] + 1).astype("datetime64[D]")
    plan["submitted_on"] = np.minimum(next_month + (day - 1).astype("timedelta64[D]"), span.end)
    plan["delivered"] = (plan["records"] > 0) & (rng.random(len(plan)) >= d["missing"].to_numpy())
    plan["callback_share"] = rng.uniform(*CALLBACK_SHARE, len(plan))
    share = d["unanswered"].to_numpy()
    answered = plan["records"].to_numpy() * 0.85 * ANSWERED_SHARE
    active = plan["active"].to_numpy()
    plan["unanswered"] = np.where(active, rng.poisson(answered * share / (1 - share)), 0)
    plan["loose_complaints"] = np.where(
        active, rng.poisson(d["hotline_complaints"].to_numpy() + np.where(plan["crisis"], 3, 0)), 0)
    plan["inquiries"] = np.where(active, rng.poisson(INQUIRIES[0] + INQUIRIES[1] * plan["records"].to_numpy()), 0)
    units = np.maximum(1, np.round(expected * d["units_per_repair"].to_numpy()
                                   * np.exp(0.15 * rng.standard_normal(len(plan))))).astype(int)
    plan["units_sold"] = np.where(active, units, 0)
    plan["sales_amount"] = np.round(units * d["unit_price"].to_numpy() * rng.uniform(0.95, 1.05, len(plan)), 2)
    plan["month_start"] = span.months.astype("datetime64[D]")[plan["month"].to_numpy()]
    # The town dealer of the same city (dealer - 1 of an odd dealer), for repeats at another dealer.
    town = np.maximum(np.arange(len(plan)) - n_months, 0)
    county = dealer % 2 == 1
    plan["pair_records"] = np.where(county, plan["records"].to_numpy()[town], 0)
    plan["pair_first_day"] = plan["first_day"].to_numpy()[town]
    plan["pair_end_day"] = plan["end_day"].to_numpy()[town]
    plan["pair_place"] = roster["place"].to_numpy()[np.maximum(dealer - 1, 0)]
    plan["pair_repeat_rate"] = roster["repeat"].to_numpy()[np.maximum(dealer - 1, 0)]
    return plan


def national_notices(rng: np.random.Generator, roster: pd.DataFrame, span: Span) -> pd.DataFrame:
    """Media and regulator notices: a poor dealer one year in five, anybody else one in 500."""
    years = np.unique(span.months.astype("datetime64[Y]"))
    sources = ("{province}12315平台", "{city}电视台《民生直通车》", "{city}市场监督管理局",
               "{province}消费者权益保护委员会")
    texts = ("多名用户反映维修后乱收费，平台通报", "维修人员虚报配件更换被媒体曝光",
             "以旧配件冒充新配件，被市场监管部门通报", "用户投诉多次上门未修好，消委会通报")
    chance = np.where(roster["tier"].to_numpy() == "poor", 0.2, 0.002)
    rows: list[dict[str, str]] = []
    for year in years:
        first = max(year.astype("datetime64[D]"), span.start)
        last = min((year + 1).astype("datetime64[D]"), span.end)
        for index in np.nonzero(rng.random(len(roster)) < chance)[0]:
            dealer = roster.iloc[index]
            day = first + int(rng.integers(0, int((last - first).astype(int))))
            which = int(rng.integers(0, len(sources)))
            rows.append({"notice_id": f"TB{str(day)[:4]}{len(rows) + 1:05d}", "dealer_id": dealer["dealer_id"],
                         "notice_date": str(day),
                         "source": sources[which].format(province=dealer["province"], city=short_name(dealer["city"])),
                         "description": f"{dealer['dealer_name']}{texts[which]}"})
    return pd.DataFrame(rows, columns=["notice_id", "dealer_id", "notice_date", "source", "description"])


# ---------------------------------------------------------------- SQL helpers


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """Run a statement to its end (DuckDB wants a result finished before the next statement)."""
    return con.execute(sql).fetchall()


def _literal(values) -> str:
    """A SQL list literal of texts or numbers."""
    if isinstance(values[0], str):
        return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"
    return "[" + ", ".join(map(str, values)) + "]"


def _pick(values, bits: str) -> str:
    """SQL for one of the values chosen by random bits (a literal list and its length are fast)."""
    return f"{_literal(values)}[1 + (({bits}) % {len(values)})::INTEGER]"


def _macros(con: duckdb.DuckDBPyConnection, seed: int, serial: tuple[int, int]) -> None:
    """Everything about a record that is drawn is a macro of its key k, so the source of a repeat
    repair can be recomputed instead of joined: hv(k, salt) gives 64 random bits, u(k, salt) a
    uniform number in [0, 1)."""
    multiplier, offset = serial
    shares = np.cumsum([p[1] for p in PRODUCTS]) / sum(p[1] for p in PRODUCTS)
    family = " ".join(f"WHEN u(k, {S_FAMILY}) < {float(s)!r} THEN {i}" for i, s in enumerate(shares[:-1]))
    models = " ".join(f"WHEN {i} THEN {_pick(p[3], f'hv(k, {S_MODEL})')}" for i, p in enumerate(PRODUCTS))
    faults = " ".join(f"WHEN {i} THEN CASE WHEN service = 'repair' THEN {_pick(p[4], f'hv(k, {S_FAULT})')} "
                      f"ELSE {_pick(p[5], f'hv(k, {S_FAULT})')} END" for i, p in enumerate(PRODUCTS))
    warranty = " ".join(f"WHEN {i} THEN {p[2] * 365}" for i, p in enumerate(PRODUCTS))
    address = f"hv(k, {S_ADDRESS})"
    macros = [
        f"hv(k, s) AS hash(k, s, {int(seed)}::BIGINT)",
        "u(k, s) AS (hv(k, s) >> 11)::DOUBLE / 9007199254740992.0",
        "normal(k, s1, s2) AS sqrt(-2 * ln(1 - u(k, s1))) * cos(2 * pi() * u(k, s2))",
        f"""person(h) AS {_pick(SURNAMES, 'h')} || CASE
            WHEN (h >> 40) % 100 < 4 THEN '先生' WHEN (h >> 40) % 100 < 7 THEN '女士'
            ELSE {_pick(GIVEN_CHARS, 'h >> 10')}
                 || CASE WHEN (h >> 30) % 10 < 6 THEN {_pick(GIVEN_CHARS, 'h >> 20')} ELSE '' END END""",
        f"phone(h) AS {_pick(MOBILE_PREFIXES, 'h')}::VARCHAR || lpad(((h >> 8) % 100000000)::VARCHAR, 8, '0')",
        "yes_no(b) AS CASE WHEN b IS NULL THEN NULL WHEN b THEN '是' ELSE '否' END",
        "minute_text(t) AS strftime(t, '%Y-%m-%d %H:%M')",
        # requested_at: spread over the days under contract in record order (so an earlier record
        # number is an earlier or the same day), at a random time between 7:00 and 21:00
        f"""requested(k, seq, n, first_day, end_day, month_start) AS CAST(month_start AS TIMESTAMP)
            + to_days(CAST(first_day + floor((seq - 1 + u(k, {S_DAY})) / n * (end_day - first_day)) AS INTEGER))
            + to_minutes(CAST(420 + floor(u(k, {S_HOUR}) * 840) AS BIGINT))""",
        f"""service_of(k) AS CASE WHEN u(k, {S_SERVICE}) < 0.3 THEN 'install'
            WHEN u(k, {S_SERVICE}) < 0.85 THEN 'repair' ELSE 'maintenance' END""",
        f"family_of(k) AS CASE {family} ELSE {len(PRODUCTS) - 1} END",
        f"model_of(k) AS CASE family_of(k) {models} END",
        f"""fault_of(k, service) AS CASE WHEN service = 'install'
            THEN CASE WHEN u(k, {S_FAULT}) < 0.1 THEN '移机安装' ELSE '新机安装' END
            ELSE CASE family_of(k) {faults} END END""",
        f"""serial_of(k) AS CASE WHEN u(k, {S_SERIAL_BLANK}) < 0.02 THEN NULL
            ELSE 'SN' || lpad(((k * {multiplier} + {offset}) % 100000000000)::VARCHAR, 11, '0') END""",
        f"""age_of(k, service) AS CASE WHEN service = 'install' THEN floor(u(k, {S_AGE}) * 10)
            ELSE least(6000, 20 + floor(-ln(1 - u(k, {S_AGE})) * 800)) END::INTEGER""",
        f"""purchase_of(k, requested_at, service) AS CASE WHEN u(k, {S_NO_PURCHASE}) < 0.05 THEN NULL
            ELSE CAST(requested_at AS DATE) - age_of(k, service) END""",
        f"""warranty_of(k, service) AS CASE
            WHEN u(k, {S_NO_PURCHASE}) < 0.05 AND u(k, {S_WARRANTY_BLANK}) < 0.5 THEN NULL
            ELSE age_of(k, service) <= CASE family_of(k) {warranty} END END""",
        f"""address_of(k, urban, city, place) AS CASE WHEN urban
            THEN concat(city, place, {_pick(STREETS, address)}, 1 + ({address} >> 8) % 399, '号',
                        {_pick(COMMUNITIES, f'{address} >> 20')}, 1 + ({address} >> 28) % 29, '幢',
                        (1 + ({address} >> 36) % 24) * 100 + 1 + ({address} >> 44) % 4, '室')
            ELSE concat(place, {_pick(TOWNS, address)}, '镇', {_pick(VILLAGES, f'{address} >> 12')}, '村',
                        1 + ({address} >> 24) % 11, '组', 1 + ({address} >> 36) % 79, '号') END""",
        # a repair with a serial number that repeats an earlier one ...
        f"""repeat_candidate(k, rate) AS service_of(k) = 'repair' AND u(k, {S_SERIAL_BLANK}) >= 0.02
            AND u(k, {S_REPEAT}) < rate""",
        # ... whose source is a repair with a serial, not itself a repeat, at most 30 days before
        f"""repeat_source(k, rate, requested_k, requested_at) AS service_of(k) = 'repair'
            AND u(k, {S_SERIAL_BLANK}) >= 0.02 AND u(k, {S_REPEAT}) >= rate
            AND requested_k < requested_at AND requested_at - requested_k <= INTERVAL 30 DAY""",
    ]
    for macro in macros:
        _run(con, f"CREATE MACRO {macro}")


def _copy(con: duckdb.DuckDBPyConnection, query: str, kind: Kind, columns: list[str], path: pathlib.Path,
          order: str | None = None) -> None:
    """Write a query's rows as UTF-8 CSV under the kind's Chinese headers (columns in this order)."""
    select = ", ".join(f'{name} AS "{kind.column(name).chinese}"' for name in columns)
    target = str(path).replace("'", "''")
    order_by = f" ORDER BY {order}" if order else ""
    _run(con, f"COPY (SELECT {select} FROM ({query}){order_by}) TO '{target}' (FORMAT csv, HEADER true)")


def _choice_sql(column: str, chinese: dict[str, str]) -> str:
    cases = " ".join(f"WHEN '{english}' THEN '{spelling}'" for english, spelling in chinese.items())
    return f"CASE {column} {cases} END"


# ---------------------------------------------------------------- one month of records (SQL)


def _keys_sql(month: int, n_dealers: int) -> str:
    """Table keyed: one row per record of the month (dealer-month plan columns, seq, key rid)."""
    return f"""
    CREATE OR REPLACE TEMP TABLE keyed AS
    SELECT *, ({month} * {n_dealers} + dealer) * 100000 + seq AS rid
    FROM (SELECT {', '.join(RECORD_PLAN_COLUMNS)}, unnest(range(1, records + 1)) AS seq FROM dm WHERE records > 0)
    """


def _records_sql(span: Span, month: int) -> str:
    """Table rec: the month's repair records, typed, in dealer and record order (that of keyed).

    A repeat repair takes the serial, product and customer of its source: a repair 1-15 records
    earlier at the same dealer when the record is a repeat candidate, or, for 1 in 700 county
    repairs, one at about the same place in the month of the town dealer of the city."""
    yyyymm = str(span.months[month]).replace("-", "")
    town_requested = "requested(town_rid, town_seq, pair_records, pair_first_day, pair_end_day, month_start)"
    own_requested = "requested(own_rid, own_seq, records, first_day, end_day, month_start)"
    return f"""
    CREATE OR REPLACE TEMP TABLE rec AS
    WITH drawn AS (
        SELECT *, requested(rid, seq, records, first_day, end_day, month_start) AS requested_at,
               service_of(rid) AS service,
               seq - 1 - (hv(rid, {S_REPEAT_BACK}) % 15)::BIGINT AS own_seq,
               greatest(1, floor((seq - 1) * pair_records / records)::BIGINT - (hv(rid, {S_REPEAT_BACK}) % 5)::BIGINT)
                   AS town_seq
        FROM keyed
    ), sourced AS (
        SELECT *, CASE
            WHEN repeat_candidate(rid, repeat_rate) THEN
                CASE WHEN own_seq >= 1
                          AND repeat_source(own_rid, repeat_rate, {own_requested}, requested_at) THEN 1 ELSE 0 END
            WHEN dealer % 2 = 1 AND pair_records > 0 AND service = 'repair' AND u(rid, {S_SERIAL_BLANK}) >= 0.02
                 AND u(rid, {S_CROSS}) < 1.0 / 700
                 AND repeat_source(town_rid, pair_repeat_rate, {town_requested}, requested_at) THEN 2
            ELSE 0 END AS source
        FROM (SELECT *, rid - seq + own_seq AS own_rid, rid - 100000 - seq + town_seq AS town_rid FROM drawn)
    ), typed AS (
        SELECT *,
               CASE source WHEN 1 THEN own_rid WHEN 2 THEN town_rid ELSE rid END AS src,
               CASE source WHEN 1 THEN {own_requested} WHEN 2 THEN {town_requested} ELSE requested_at END
                   AS src_requested,
               CASE WHEN u(rid, {S_OPEN}) < open_rate * CASE WHEN crisis THEN 3 ELSE 1 END THEN 'open'
                    WHEN service = 'repair' AND u(rid, {S_RETURN}) < 0.02 THEN 'returned_to_factory'
                    ELSE 'completed' END AS status,
               requested_at + to_minutes(greatest(20, arrival_hours * CASE WHEN urban THEN 60 ELSE 120 END
                                                      * CASE WHEN crisis THEN 1.6 ELSE 1 END
                                                      * exp(arrival_spread * normal(rid, {S_WAIT1}, {S_WAIT2}))
                                                  )::BIGINT) AS raw_arrival
        FROM sourced
    ), visited AS (
        -- visits between 8:00 and 20:30: a night-time arrival moves to the (next) morning
        SELECT *,
               CASE WHEN hour(raw_arrival) < 8 OR hour(raw_arrival) * 60 + minute(raw_arrival) > 1230
                    THEN date_trunc('day', raw_arrival)
                         + CASE WHEN hour(raw_arrival) < 8 THEN INTERVAL 0 DAY ELSE INTERVAL 1 DAY END
                         + to_minutes(CAST(480 + floor(u(rid, {S_WORK}) * 90) AS BIGINT))
                    ELSE raw_arrival END AS visit
        FROM typed
    )
    SELECT dealer, seq, rid, dealer_id, urban, crisis, delivered, submitted_on,
           CASE dealer % 9 WHEN 4 THEN dealer_id || '-{yyyymm}-' || lpad(seq::VARCHAR, 5, '0')
                           WHEN 7 THEN '{yyyymm}' || lpad(seq::VARCHAR, 5, '0')
                           ELSE 'WX{yyyymm[2:]}' || lpad(seq::VARCHAR, 5, '0') END AS record_no,
           service, status, requested_at,
           CASE WHEN status = 'open' AND u(rid, {S_NOT_ARRIVED}) < 0.7 THEN NULL ELSE visit END AS arrived_at,
           CASE WHEN status = 'open' THEN NULL
                ELSE visit + to_minutes(greatest(15, 70 * exp(0.5 * normal(rid, {S_JOB1}, {S_JOB2})))::BIGINT)
                END AS completed_at,
           model_of(src) AS product_model, fault_of(src, service) AS fault_category, serial_of(src) AS serial_no,
           purchase_of(src, src_requested, service_of(src)) AS purchase_date,
           warranty_of(src, service_of(src)) AS in_warranty,
           person(hv(src, {S_NAME})) AS customer_name, phone(hv(src, {S_PHONE})) AS customer_phone,
           address_of(src, urban OR source = 2, city, CASE WHEN source = 2 THEN pair_place ELSE place END)
               AS address,
           {_fees_sql()},
           person(hv(dealer, 1000 + floor(u(rid, {S_TECH}) * greatest(technicians, 1))::BIGINT)) AS technician,
           CASE WHEN status = 'open' THEN false ELSE u(rid, {S_SIGNED}) < signed END AS customer_signed,
           u(rid, {S_DEALER_CB}) < callback_rate + 0.05 * normal(rid, {S_DEALER_CB_SPREAD}, {S_DEALER_CB_ANGLE})
               AS dealer_callback,
           service IN ('install', 'repair') AND u(rid, {S_TICKET}) < {ANSWERED_SHARE} AS ticketed
    FROM visited
    """


def _fees_sql() -> str:
    """labor_fee and parts_fee by service type; 50 and 0 for returned records, 0 for open ones."""
    labor_bits, parts_bits = f"hv(rid, {S_LABOR_PICK})", f"hv(rid, {S_PARTS_PICK})"
    labor = (f"CASE WHEN service = 'install' THEN CASE WHEN u(rid, {S_LABOR}) < 0.8 THEN 0 "
             f"ELSE {_pick((50, 80, 100, 150), labor_bits)} END "
             f"WHEN service = 'repair' THEN {_pick((50, 60, 80, 100, 120, 150, 200), labor_bits)} "
             f"ELSE {_pick((80, 100, 120, 150, 180), labor_bits)} END")
    parts = (f"CASE WHEN service = 'install' THEN CASE WHEN u(rid, {S_PARTS}) < 0.85 THEN 0 "
             f"ELSE {_pick((30, 45, 60, 120), parts_bits)} END "
             f"WHEN service = 'repair' THEN CASE WHEN u(rid, {S_PARTS}) < 0.45 THEN 0 "
             f"ELSE round(exp(ln(150) + 0.8 * normal(rid, {S_PARTS1}, {S_PARTS2})) / 5) * 5 END "
             f"ELSE CASE WHEN u(rid, {S_PARTS}) < 0.85 THEN 0 ELSE {_pick((20.0, 35.0, 68.5), parts_bits)} END END")
    return (f"CASE status WHEN 'open' THEN 0 WHEN 'returned_to_factory' THEN 50 ELSE {labor} END"
            f"::DECIMAL(10, 2) AS labor_fee, "
            f"CASE WHEN status = 'completed' THEN {parts} ELSE 0 END::DECIMAL(10, 2) AS parts_fee")


# ---------------------------------------------------------------- callbacks and hotline tickets (SQL)


def _callbacks_sql(span: Span, month: int) -> str:
    """Table cb_new: the month's delivered records that HQ calls back, and the answers."""
    comment_bits = f"hv(rid, {S_COMMENT})"
    yymm = str(span.months[month])[2:].replace("-", "")
    comments = " ".join(f"WHEN score = {score} THEN {_pick(options, comment_bits)}"
                        for score, options in COMMENTS.items() if score)
    labels = "CASE score " + " ".join(f"WHEN {s} THEN '{SATISFACTION_ZH[s]}'" for s in range(1, 6)) + " END"
    return f"""
    CREATE OR REPLACE TEMP TABLE cb_new AS
    WITH chosen AS (
        SELECT r.*, d.satisfied, d.top_share, d.dissatisfied_share, d.unresolved, d.conduct, d.callback_complaint,
               CAST(r.submitted_on AS TIMESTAMP) + to_days(CAST(1 + hv(r.rid, {S_CB_DAYS}) % 8 AS INTEGER))
                   + to_minutes(CAST(540 + hv(r.rid, {S_CB_MINUTE}) % 660 AS BIGINT)) AS called_at,
               u(r.rid, {S_REACHED}) < 0.8 AS reached, u(r.rid, {S_FAKE}) < d.fake AS fake_draw
        FROM (SELECT * FROM rec WHERE delivered AND u(rid, {S_CB}) < {CALLBACK_SHARE[1]}) r JOIN dm d USING (dealer)
        WHERE u(r.rid, {S_CB}) < d.callback_share
    ), answered AS (
        SELECT *, reached AND fake_draw AS is_fake, reached AND NOT fake_draw AS answers,
               reached AND NOT fake_draw
                 AND u(rid, {S_UNRESOLVED}) < CASE WHEN status = 'open' THEN 0.6
                                                   ELSE unresolved * CASE WHEN crisis THEN 4 ELSE 1 END END
                 AS is_unresolved,
               reached AND NOT fake_draw AND u(rid, {S_CONDUCT}) < conduct AS misconduct,
               greatest(0, satisfied - CASE WHEN crisis THEN 0.1 ELSE 0 END) AS p_good,
               least(1, dissatisfied_share + CASE WHEN crisis THEN 0.1 ELSE 0 END) AS p_bad
        FROM chosen
        WHERE called_at < TIMESTAMP '{span.end}'
    ), scored AS (
        SELECT *,
               CASE WHEN NOT answers OR u(rid, {S_BLANK_SCORE}) < 0.02 THEN NULL
                    WHEN is_unresolved THEN 1 + (hv(rid, {S_LOW_SCORE}) % 3)::INTEGER
                    WHEN u(rid, {S_SCORE}) < p_good * top_share THEN 5
                    WHEN u(rid, {S_SCORE}) < p_good THEN 4
                    WHEN u(rid, {S_SCORE}) < p_good + (1 - p_good) * (1 - p_bad) THEN 3
                    WHEN u(rid, {S_SCORE}) < p_good + (1 - p_good) * (1 - p_bad * 0.35) THEN 2
                    ELSE 1 END AS raw_score,
               CASE WHEN misconduct THEN {_pick(CONDUCT_ISSUES, f'hv(rid, {S_CONDUCT_PICK})')} END AS conduct_issue,
               arrived_at IS NOT NULL
                 AND arrived_at - requested_at <= CASE WHEN urban THEN INTERVAL 24 HOUR ELSE INTERVAL 48 HOUR END
                 AS in_time
        FROM answered
    ), final AS (
        SELECT *, CASE WHEN misconduct AND raw_score IS NOT NULL
                       THEN least(raw_score, CASE WHEN conduct_issue = '乱收费' THEN 2 ELSE 3 END)
                       ELSE raw_score END AS score
        FROM scored
    )
    SELECT rid, dealer, seq, dealer_id, record_no, called_at, customer_phone, requested_at, score,
           'HF{yymm}' || lpad(dealer::VARCHAR, 5, '0') || lpad(seq::VARCHAR, 5, '0') AS callback_id,
           reached,
           CASE WHEN reached THEN NOT is_fake END AS service_confirmed,
           CASE WHEN answers THEN NOT is_unresolved END AS resolved,
           CASE WHEN answers THEN CASE WHEN u(rid, {S_MEMORY}) < 0.03 THEN NOT in_time ELSE in_time END END
               AS on_time,
           {labels} AS satisfaction,
           CASE WHEN answers THEN u(rid, {S_COMPLAINT}) < callback_complaint * CASE WHEN crisis THEN 5 ELSE 1 END
                                  + CASE WHEN score IN (1, 2) THEN 0.3 ELSE 0 END
                                  + CASE WHEN is_unresolved THEN 0.15 ELSE 0 END
                WHEN is_fake THEN false END AS complaint,
           conduct_issue,
           CASE WHEN NOT reached THEN {_pick(UNREACHED_COMMENTS, comment_bits)}
                WHEN is_fake THEN {_pick(FAKE_COMMENTS, comment_bits)}
                WHEN is_unresolved THEN '问题未解决'
                WHEN score IS NULL THEN '不愿评价'
                {comments} END AS comment
    FROM final
    """


def _pending_callbacks_sql() -> str:
    """cb_new as the strings of a callbacks file, waiting for the month of called_at to complete."""
    return """
    INSERT INTO pending_callbacks
    SELECT date_trunc('month', called_at)::DATE, called_at, callback_id, record_no, dealer_id,
           minute_text(called_at), yes_no(reached), yes_no(service_confirmed), yes_no(resolved), yes_no(on_time),
           satisfaction, yes_no(complaint), conduct_issue, nullif(comment, '')
    FROM cb_new
    """


def _tickets_sql(span: Span, month: int, n_dealers: int) -> str:
    """The month's hotline tickets into pending_tickets: from records, callbacks and the plan.

    Ticket ids are unique over the whole set: RX, the month of the record or plan row, a letter
    for the origin (A answered request, K complaint about a record, B complaint that repeats a
    callback complaint, U unanswered request, C complaint without a record, Q inquiry), the
    dealer's number and the record's (or the ticket's) number in the dealer-month."""
    yymm = str(span.months[month])[2:].replace("-", "")

    def ticket_id(letter: str, number: str) -> str:
        return f"'RX{yymm}{letter}' || lpad(dealer::VARCHAR, 5, '0') || lpad({number}::VARCHAR, 5, '0')"

    def verified(key: str, chance: str) -> str:
        return f"CASE WHEN u({key}, {S_VERIFIED_BLANK}) < 0.05 THEN NULL ELSE u({key}, {S_VERIFIED}) < {chance} END"

    def from_plan(count: str, offset: int) -> str:
        """Rows of the plan's tickets: one per ticket, random day under contract, 8:00-21:00."""
        return f"""(SELECT *, CAST(month_start AS TIMESTAMP)
                       + to_days(CAST(first_day + floor(u(k, {S_LOOSE_TIME}) * (end_day - first_day)) AS INTEGER))
                       + to_minutes(CAST(480 + hv(k, {S_LOOSE_TIME}) % 780 AS BIGINT)) AS ticket_at
                   FROM (SELECT *, ({month} * {n_dealers} + dealer) * 100000 + nth + {offset} AS k
                         FROM (SELECT *, unnest(range(1, {count} + 1)) AS nth FROM dm WHERE {count} > 0)))"""

    repair_request, complaint, inquiry = TICKET_ZH["repair_request"], TICKET_ZH["complaint"], TICKET_ZH["inquiry"]
    max_complaints = max(profile.complaints_per_service for _, _, profile in TIERS)
    return f"""
    INSERT INTO pending_tickets
    SELECT date_trunc('month', received_at)::DATE, received_at, ticket_id, minute_text(received_at), dealer_id,
           ticket_type, customer_phone, record_no, yes_no(verified)
    FROM (
        -- repair requests a record answers: minutes (now and then days) before the request was logged
        SELECT {ticket_id('A', 'seq')} AS ticket_id, dealer_id, '{repair_request}' AS ticket_type, customer_phone,
               NULL AS record_no, NULL::BOOLEAN AS verified,
               requested_at - to_minutes(CASE WHEN u(rid, {S_TICKET_EARLY}) < {EARLY_TICKETS}
                                              THEN 120 + hv(rid, {S_TICKET_MINUTES}) % (3 * {DAY} - 120)
                                              ELSE hv(rid, {S_TICKET_MINUTES}) % 16 END::BIGINT) AS received_at
        FROM rec WHERE ticketed
        UNION ALL
        -- complaints about a delivered record, days after the visit
        SELECT {ticket_id('K', 'seq')}, dealer_id, '{complaint}', customer_phone, record_no,
               {verified('rid', 'verified')},
               requested_at + to_minutes(CAST({DAY} + hv(rid, {S_RC_DAYS}) % (11 * {DAY}) AS BIGINT))
        FROM (SELECT r.*, d.verified, d.complaints_per_service
              FROM (SELECT * FROM rec WHERE delivered AND u(rid, {S_RECORD_COMPLAINT}) < {4 * max_complaints}) r
              JOIN dm d USING (dealer))
        WHERE u(rid, {S_RECORD_COMPLAINT}) < complaints_per_service * CASE WHEN crisis THEN 4 ELSE 1 END
        UNION ALL
        -- customers who complained in a callback and to the hotline: one complaint, twice
        SELECT {ticket_id('B', 'seq')}, dealer_id, '{complaint}', customer_phone, record_no,
               {verified('rid', '0.85')},
               greatest(called_at + to_minutes(CAST(hv(rid, {S_HOTLINE_SHIFT}) % (10 * {DAY}) AS BIGINT) - 4 * {DAY}),
                        requested_at + INTERVAL 1 DAY)
        FROM cb_new WHERE complaint AND u(rid, {S_ALSO_HOTLINE}) < {CALLBACK_ALSO_HOTLINE}
        UNION ALL
        SELECT {ticket_id('U', 'nth')}, dealer_id, '{repair_request}', phone(hv(k, {S_LOOSE_PHONE})), NULL, NULL,
               ticket_at
        FROM {from_plan('unanswered', 10**12)}
        UNION ALL
        SELECT {ticket_id('C', 'nth')}, dealer_id, '{complaint}', phone(hv(k, {S_LOOSE_PHONE})), NULL,
               {verified('k', 'verified')}, ticket_at
        FROM {from_plan('loose_complaints', 2 * 10**12)}
        UNION ALL
        SELECT {ticket_id('Q', 'nth')}, dealer_id, '{inquiry}', phone(hv(k, {S_LOOSE_PHONE})), NULL, NULL, ticket_at
        FROM {from_plan('inquiries', 3 * 10**12)}
    )
    WHERE received_at >= TIMESTAMP '{span.start}' AND received_at < TIMESTAMP '{span.end}'
    """


# ---------------------------------------------------------------- writing


REPAIR_COLUMNS = [c.name for c in REPAIRS.columns]
CALLBACK_COLUMNS = [c.name for c in CALLBACKS.columns]
HOTLINE_COLUMNS = [c.name for c in HOTLINE.columns]
PLAN_COLUMNS = ["dealer", "records", "first_day", "end_day", "month_start", "crisis", "delivered", "submitted_on",
                "callback_share", "unanswered", "loose_complaints", "inquiries", "pair_records", "pair_first_day",
                "pair_end_day", "pair_place", "pair_repeat_rate"]
# What a record needs of its dealer-month and dealer (the rest of dm is for callbacks and tickets).
RECORD_PLAN_COLUMNS = ["dealer", "records", "first_day", "end_day", "month_start", "crisis", "delivered",
                       "submitted_on", "pair_records", "pair_first_day", "pair_end_day", "pair_place",
                       "pair_repeat_rate", "dealer_id", "urban", "city", "place", "technicians", "open_rate",
                       "arrival_hours", "arrival_spread", "signed", "repeat_rate", "callback_rate"]
ROSTER_COLUMNS = ["dealer_id", "urban", "city", "place", "technicians", "open_rate", "arrival_hours",
                  "arrival_spread", "signed", "satisfied", "top_share", "dissatisfied_share", "unresolved", "fake",
                  "conduct", "callback_complaint", "verified", "complaints_per_service"]


def _repairs_file_sql(span: Span, month: int) -> str:
    """The month's delivered records as the strings of a repairs file (rec is in dealer, record order)."""
    return f"""
    SELECT record_no, dealer_id, '{span.months[month]}' AS report_month,
           strftime(submitted_on, '%Y-%m-%d') AS submitted_on,
           CASE WHEN ticketed THEN 'RX{str(span.months[month])[2:].replace("-", "")}A' || lpad(dealer::VARCHAR, 5, '0')
                                   || lpad(seq::VARCHAR, 5, '0') END AS hq_ticket_id,
           customer_name, customer_phone, address, product_model, serial_no,
           strftime(purchase_date, '%Y-%m-%d') AS purchase_date, {_choice_sql('service', SERVICE_ZH)} AS service_type,
           fault_category, minute_text(requested_at) AS requested_at, minute_text(arrived_at) AS arrived_at,
           minute_text(completed_at) AS completed_at, {_choice_sql('status', STATUS_ZH)} AS status,
           yes_no(in_warranty) AS in_warranty, labor_fee::VARCHAR AS labor_fee, parts_fee::VARCHAR AS parts_fee,
           technician, yes_no(customer_signed) AS customer_signed, yes_no(dealer_callback) AS dealer_callback
    FROM rec WHERE delivered
    """


def _write_all(con, out_dir: pathlib.Path, span: Span, roster: pd.DataFrame, plan: pd.DataFrame,
               notices: pd.DataFrame) -> list[pathlib.Path]:
    """Month by month: sales, repairs; callbacks and tickets wait until their month is complete."""
    n_dealers = len(roster)
    paths = [_write_roster(con, out_dir, roster)]
    _run(con, """CREATE TABLE pending_callbacks (month DATE, sort_at TIMESTAMP, callback_id VARCHAR,
        record_no VARCHAR, dealer_id VARCHAR, called_at VARCHAR, reached VARCHAR, service_confirmed VARCHAR,
        resolved VARCHAR, on_time VARCHAR, satisfaction VARCHAR, complaint VARCHAR, conduct_issue VARCHAR,
        comment VARCHAR)""")
    _run(con, """CREATE TABLE pending_tickets (month DATE, sort_at TIMESTAMP, ticket_id VARCHAR,
        received_at VARCHAR, dealer_id VARCHAR, ticket_type VARCHAR, customer_phone VARCHAR, record_no VARCHAR,
        verified VARCHAR)""")
    dealer_part = roster[ROSTER_COLUMNS].assign(repeat_rate=roster["repeat"], callback_rate=roster["dealer_callback"])
    for month in range(len(span.months)):
        rows = plan[plan["month"] == month]
        paths.append(_write_sales(con, out_dir, str(span.months[month]), roster, rows))
        frame = pd.concat([rows[PLAN_COLUMNS].reset_index(drop=True),
                           dealer_part.iloc[rows["dealer"].to_numpy()].reset_index(drop=True)], axis=1)
        con.register("dm_frame", frame)
        _run(con, "CREATE OR REPLACE TEMP TABLE dm AS SELECT * FROM dm_frame")
        con.unregister("dm_frame")
        _run(con, _keys_sql(month, n_dealers))
        _run(con, _records_sql(span, month))
        if rows["delivered"].any():
            path = out_dir / f"repairs_{span.months[month]}.csv"
            _copy(con, _repairs_file_sql(span, month), REPAIRS, REPAIR_COLUMNS, path)
            paths.append(path)
        _run(con, _callbacks_sql(span, month))
        _run(con, _pending_callbacks_sql())
        _run(con, _tickets_sql(span, month, n_dealers))
        paths += _flush(con, out_dir, "callbacks", CALLBACKS, CALLBACK_COLUMNS, span.months[month])
        if month > 0:  # a ticket answered by a record of this month may have come in last month
            paths += _flush(con, out_dir, "hotline", HOTLINE, HOTLINE_COLUMNS, span.months[month - 1])
    paths += _flush(con, out_dir, "hotline", HOTLINE, HOTLINE_COLUMNS, span.months[-1])
    paths.append(_write_notices(con, out_dir, notices))
    return paths


def _flush(con, out_dir: pathlib.Path, prefix: str, kind: Kind, columns: list[str], month) -> list[pathlib.Path]:
    """Write the pending rows of a month that is complete, and drop them."""
    table = f"pending_{'callbacks' if prefix == 'callbacks' else 'tickets'}"
    first = np.datetime64(month, "D")
    if not _run(con, f"SELECT count(*) FROM {table} WHERE month = DATE '{first}'")[0][0]:
        return []
    path = out_dir / f"{prefix}_{month}.csv"
    _copy(con, f"SELECT * FROM {table} WHERE month = DATE '{first}'", kind, columns, path,
          order=f"sort_at, {columns[0]}")
    _run(con, f"DELETE FROM {table} WHERE month <= DATE '{first}'")
    return [path]


def _write_roster(con, out_dir: pathlib.Path, roster: pd.DataFrame) -> pathlib.Path:
    left = roster["left_on"].to_numpy().astype("datetime64[D]")
    text = pd.DataFrame({
        "dealer_id": roster["dealer_id"], "dealer_name": roster["dealer_name"], "region": roster["region"],
        "province": roster["province"], "city": roster["city"],
        "area_type": roster["area_type"].map(AREA_ZH), "technicians": roster["technicians"].astype(str),
        "has_service_center": np.where(roster["has_service_center"], "有", "无"),
        "joined_on": roster["joined_on"].to_numpy().astype("datetime64[D]").astype(str),
        "left_on": [None if np.isnat(day) else str(day) for day in left],
    })
    path = out_dir / "dealers.csv"
    _copy_frame(con, text, DEALERS, path)
    return path


def _write_sales(con, out_dir: pathlib.Path, month_text: str, roster: pd.DataFrame, rows: pd.DataFrame) -> pathlib.Path:
    active = rows[rows["active"]]
    text = pd.DataFrame({
        "dealer_id": roster["dealer_id"].to_numpy()[active["dealer"].to_numpy()],
        "month": month_text,
        "units_sold": active["units_sold"].astype(str).to_numpy(),
        "sales_amount": np.char.mod("%.2f", active["sales_amount"].to_numpy()),
    })
    path = out_dir / f"sales_{month_text}.csv"
    _copy_frame(con, text, SALES, path)
    return path


def _write_notices(con, out_dir: pathlib.Path, notices: pd.DataFrame) -> pathlib.Path:
    path = out_dir / "notices.csv"
    _copy_frame(con, notices.astype(object), NOTICES, path)
    return path


def _copy_frame(con, frame: pd.DataFrame, kind: Kind, path: pathlib.Path) -> None:
    """A small frame of strings as a CSV file under the kind's Chinese headers."""
    con.register("small_frame", frame)
    _copy(con, "SELECT * FROM small_frame", kind, list(frame.columns), path)
    con.unregister("small_frame")
