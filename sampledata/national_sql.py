"""The national set's rows, made by DuckDB SQL one month at a time: repair records from `range()`, HQ
callbacks and hotline tickets. Every drawn value is a hash of the row's key, a salt and the seed, so
the same arguments give the same rows on any number of threads, and a repeat repair's source is
recomputed from its key instead of joined. See `sampledata.national`."""

from __future__ import annotations

import duckdb
import numpy as np

from sampledata.national_plan import ANSWERED_SHARE, CALLBACK_SHARE, TIERS
from sampledata.reference import (
    COMMENTS,
    COMMUNITIES,
    CONDUCT_ISSUES,
    GIVEN_CHARS,
    MOBILE_PREFIXES,
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
)
from sampledata.span import Span

EARLY_TICKETS = 0.2  # share of answered requests received 2 hours to 3 days (not minutes) before the visit was asked
CALLBACK_ALSO_HOTLINE = 0.35  # customers who complained in a callback and also called the hotline
DAY = 1440  # minutes
FAKE_COMMENTS = ("用户称未报修，无此次服务", "用户表示师傅没有上门", "用户不认可此维修单")

# Salts of the hash-based random numbers: one per independent draw about a record or ticket.
(
    S_DAY,
    S_HOUR,
    S_SERVICE,
    S_OPEN,
    S_RETURN,
    S_FAMILY,
    S_MODEL,
    S_FAULT,
    S_WAIT1,
    S_WAIT2,
    S_JOB1,
    S_JOB2,
    S_WORK,
    S_NOT_ARRIVED,
    S_LABOR,
    S_LABOR_PICK,
    S_PARTS,
    S_PARTS_PICK,
    S_PARTS1,
    S_PARTS2,
    S_AGE,
    S_NO_PURCHASE,
    S_WARRANTY_BLANK,
    S_NAME,
    S_PHONE,
    S_ADDRESS,
    S_SERIAL_BLANK,
    S_TECH,
    S_SIGNED,
    S_DEALER_CB,
    S_DEALER_CB_SPREAD,
    S_DEALER_CB_ANGLE,
    S_REPEAT,
    S_REPEAT_BACK,
    S_CROSS,
    S_TICKET,
    S_TICKET_EARLY,
    S_TICKET_MINUTES,
    S_CB,
    S_CB_DAYS,
    S_CB_MINUTE,
    S_REACHED,
    S_FAKE,
    S_UNRESOLVED,
    S_SCORE,
    S_LOW_SCORE,
    S_CONDUCT,
    S_CONDUCT_PICK,
    S_BLANK_SCORE,
    S_COMPLAINT,
    S_MEMORY,
    S_COMMENT,
    S_RECORD_COMPLAINT,
    S_RC_DAYS,
    S_VERIFIED,
    S_VERIFIED_BLANK,
    S_ALSO_HOTLINE,
    S_HOTLINE_SHIFT,
    S_LOOSE_TIME,
    S_LOOSE_PHONE,
) = range(1, 61)


def run(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
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


def create_macros(con: duckdb.DuckDBPyConnection, seed: int, serial: tuple[int, int]) -> None:
    """Everything about a record that is drawn is a macro of its key k, so the source of a repeat
    repair can be recomputed instead of joined: hv(k, salt) gives 64 random bits, u(k, salt) a
    uniform number in [0, 1)."""
    multiplier, offset = serial
    shares = np.cumsum([p[1] for p in PRODUCTS]) / sum(p[1] for p in PRODUCTS)
    family = " ".join(f"WHEN u(k, {S_FAMILY}) < {float(s)!r} THEN {i}" for i, s in enumerate(shares[:-1]))
    models = " ".join(f"WHEN {i} THEN {_pick(p[3], f'hv(k, {S_MODEL})')}" for i, p in enumerate(PRODUCTS))
    faults = " ".join(
        f"WHEN {i} THEN CASE WHEN service = 'repair' THEN {_pick(p[4], f'hv(k, {S_FAULT})')} "
        f"ELSE {_pick(p[5], f'hv(k, {S_FAULT})')} END"
        for i, p in enumerate(PRODUCTS)
    )
    warranty = " ".join(f"WHEN {i} THEN {p[2] * 365}" for i, p in enumerate(PRODUCTS))
    address = f"hv(k, {S_ADDRESS})"
    macros = [
        f"hv(k, s) AS hash(k, s, {int(seed)}::BIGINT)",
        "u(k, s) AS (hv(k, s) >> 11)::DOUBLE / 9007199254740992.0",
        "normal(k, s1, s2) AS sqrt(-2 * ln(1 - u(k, s1))) * cos(2 * pi() * u(k, s2))",
        f"""person(h) AS {_pick(SURNAMES, "h")} || CASE
            WHEN (h >> 40) % 100 < 4 THEN '先生' WHEN (h >> 40) % 100 < 7 THEN '女士'
            ELSE {_pick(GIVEN_CHARS, "h >> 10")}
                 || CASE WHEN (h >> 30) % 10 < 6 THEN {_pick(GIVEN_CHARS, "h >> 20")} ELSE '' END END""",
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
                        {_pick(COMMUNITIES, f"{address} >> 20")}, 1 + ({address} >> 28) % 29, '幢',
                        (1 + ({address} >> 36) % 24) * 100 + 1 + ({address} >> 44) % 4, '室')
            ELSE concat(place, {_pick(TOWNS, address)}, '镇', {_pick(VILLAGES, f"{address} >> 12")}, '村',
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
        run(con, f"CREATE MACRO {macro}")


def _choice_sql(column: str, chinese: dict[str, str]) -> str:
    cases = " ".join(f"WHEN '{english}' THEN '{spelling}'" for english, spelling in chinese.items())
    return f"CASE {column} {cases} END"


# What a record needs of its dealer-month and dealer (the rest of dm is for callbacks and tickets).
RECORD_PLAN_COLUMNS = [
    "dealer",
    "records",
    "first_day",
    "end_day",
    "month_start",
    "crisis",
    "delivered",
    "submitted_on",
    "pair_records",
    "pair_first_day",
    "pair_end_day",
    "pair_place",
    "pair_repeat_rate",
    "dealer_id",
    "urban",
    "city",
    "place",
    "technicians",
    "open_rate",
    "arrival_hours",
    "arrival_spread",
    "signed",
    "repeat_rate",
    "callback_rate",
]


def keys_sql(month: int, n_dealers: int) -> str:
    """Table keyed: one row per record of the month (dealer-month plan columns, seq, key rid)."""
    return f"""
    CREATE OR REPLACE TEMP TABLE keyed AS
    SELECT *, ({month} * {n_dealers} + dealer) * 100000 + seq AS rid
    FROM (SELECT {", ".join(RECORD_PLAN_COLUMNS)}, unnest(range(1, records + 1)) AS seq FROM dm WHERE records > 0)
    """


def records_sql(span: Span, month: int) -> str:
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
    labor = (
        f"CASE WHEN service = 'install' THEN CASE WHEN u(rid, {S_LABOR}) < 0.8 THEN 0 "
        f"ELSE {_pick((50, 80, 100, 150), labor_bits)} END "
        f"WHEN service = 'repair' THEN {_pick((50, 60, 80, 100, 120, 150, 200), labor_bits)} "
        f"ELSE {_pick((80, 100, 120, 150, 180), labor_bits)} END"
    )
    parts = (
        f"CASE WHEN service = 'install' THEN CASE WHEN u(rid, {S_PARTS}) < 0.85 THEN 0 "
        f"ELSE {_pick((30, 45, 60, 120), parts_bits)} END "
        f"WHEN service = 'repair' THEN CASE WHEN u(rid, {S_PARTS}) < 0.45 THEN 0 "
        f"ELSE round(exp(ln(150) + 0.8 * normal(rid, {S_PARTS1}, {S_PARTS2})) / 5) * 5 END "
        f"ELSE CASE WHEN u(rid, {S_PARTS}) < 0.85 THEN 0 ELSE {_pick((20.0, 35.0, 68.5), parts_bits)} END END"
    )
    return (
        f"CASE status WHEN 'open' THEN 0 WHEN 'returned_to_factory' THEN 50 ELSE {labor} END"
        f"::DECIMAL(10, 2) AS labor_fee, "
        f"CASE WHEN status = 'completed' THEN {parts} ELSE 0 END::DECIMAL(10, 2) AS parts_fee"
    )


def callbacks_sql(span: Span, month: int) -> str:
    """Table cb_new: the month's delivered records that HQ calls back, and the answers."""
    comment_bits = f"hv(rid, {S_COMMENT})"
    yymm = str(span.months[month])[2:].replace("-", "")
    comments = " ".join(
        f"WHEN score = {score} THEN {_pick(options, comment_bits)}" for score, options in COMMENTS.items() if score
    )
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
               CASE WHEN misconduct THEN {_pick(CONDUCT_ISSUES, f"hv(rid, {S_CONDUCT_PICK})")} END AS conduct_issue,
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


def pending_callbacks_sql() -> str:
    """cb_new as the strings of a callbacks file, waiting for the month of called_at to complete."""
    return """
    INSERT INTO pending_callbacks
    SELECT date_trunc('month', called_at)::DATE, called_at, callback_id, record_no, dealer_id,
           minute_text(called_at), yes_no(reached), yes_no(service_confirmed), yes_no(resolved), yes_no(on_time),
           satisfaction, yes_no(complaint), conduct_issue, nullif(comment, '')
    FROM cb_new
    """


def tickets_sql(span: Span, month: int, n_dealers: int) -> str:
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
        SELECT {ticket_id("A", "seq")} AS ticket_id, dealer_id, '{repair_request}' AS ticket_type, customer_phone,
               NULL AS record_no, NULL::BOOLEAN AS verified,
               requested_at - to_minutes(CASE WHEN u(rid, {S_TICKET_EARLY}) < {EARLY_TICKETS}
                                              THEN 120 + hv(rid, {S_TICKET_MINUTES}) % (3 * {DAY} - 120)
                                              ELSE hv(rid, {S_TICKET_MINUTES}) % 16 END::BIGINT) AS received_at
        FROM rec WHERE ticketed
        UNION ALL
        -- complaints about a delivered record, days after the visit
        SELECT {ticket_id("K", "seq")}, dealer_id, '{complaint}', customer_phone, record_no,
               {verified("rid", "verified")},
               requested_at + to_minutes(CAST({DAY} + hv(rid, {S_RC_DAYS}) % (11 * {DAY}) AS BIGINT))
        FROM (SELECT r.*, d.verified, d.complaints_per_service
              FROM (SELECT * FROM rec WHERE delivered AND u(rid, {S_RECORD_COMPLAINT}) < {4 * max_complaints}) r
              JOIN dm d USING (dealer))
        WHERE u(rid, {S_RECORD_COMPLAINT}) < complaints_per_service * CASE WHEN crisis THEN 4 ELSE 1 END
        UNION ALL
        -- customers who complained in a callback and to the hotline: one complaint, twice
        SELECT {ticket_id("B", "seq")}, dealer_id, '{complaint}', customer_phone, record_no,
               {verified("rid", "0.85")},
               greatest(called_at + to_minutes(CAST(hv(rid, {S_HOTLINE_SHIFT}) % (10 * {DAY}) AS BIGINT) - 4 * {DAY}),
                        requested_at + INTERVAL 1 DAY)
        FROM cb_new WHERE complaint AND u(rid, {S_ALSO_HOTLINE}) < {CALLBACK_ALSO_HOTLINE}
        UNION ALL
        SELECT {ticket_id("U", "nth")}, dealer_id, '{repair_request}', phone(hv(k, {S_LOOSE_PHONE})), NULL, NULL,
               ticket_at
        FROM {from_plan("unanswered", 10**12)}
        UNION ALL
        SELECT {ticket_id("C", "nth")}, dealer_id, '{complaint}', phone(hv(k, {S_LOOSE_PHONE})), NULL,
               {verified("k", "verified")}, ticket_at
        FROM {from_plan("loose_complaints", 2 * 10**12)}
        UNION ALL
        SELECT {ticket_id("Q", "nth")}, dealer_id, '{inquiry}', phone(hv(k, {S_LOOSE_PHONE})), NULL, NULL, ticket_at
        FROM {from_plan("inquiries", 3 * 10**12)}
    )
    WHERE received_at >= TIMESTAMP '{span.start}' AND received_at < TIMESTAMP '{span.end}'
    """


def repairs_file_sql(span: Span, month: int) -> str:
    """The month's delivered records as the strings of a repairs file (rec is in dealer, record order)."""
    return f"""
    SELECT record_no, dealer_id, '{span.months[month]}' AS report_month,
           strftime(submitted_on, '%Y-%m-%d') AS submitted_on,
           CASE WHEN ticketed THEN 'RX{str(span.months[month])[2:].replace("-", "")}A' || lpad(dealer::VARCHAR, 5, '0')
                                   || lpad(seq::VARCHAR, 5, '0') END AS hq_ticket_id,
           customer_name, customer_phone, address, product_model, serial_no,
           strftime(purchase_date, '%Y-%m-%d') AS purchase_date, {_choice_sql("service", SERVICE_ZH)} AS service_type,
           fault_category, minute_text(requested_at) AS requested_at, minute_text(arrived_at) AS arrived_at,
           minute_text(completed_at) AS completed_at, {_choice_sql("status", STATUS_ZH)} AS status,
           yes_no(in_warranty) AS in_warranty, labor_fee::VARCHAR AS labor_fee, parts_fee::VARCHAR AS parts_fee,
           technician, yes_no(customer_signed) AS customer_signed, yes_no(dealer_callback) AS dealer_callback
    FROM rec WHERE delivered
    """
