"""Issue 11 in the real browser: no page shows a loaded customer's full phone, name or address.

Streamlit serves the dashboard on the demo database (the server tests/test_browser.py uses too, with its helpers);
Chromium opens every page in both languages, the Dealers page's drill-down with each of its record
lists, the Data page's rejected rows, the Callbacks page's call list, and Explore with queries that
ask for the personal columns. What the browser was shown is read three ways:

- every message Streamlit sent over the websocket, decoded as the ForwardMsg protobufs they are: each
  string field (markdown, captions, Plotly's JSON, widget labels) and each Arrow table (st.dataframe
  draws on a canvas, its cells never reach the DOM; they arrive as Arrow IPC in a bytes field), cell
  by cell, so values of neighbouring cells never run together;
- the page's HTML at the end;
- every Excel or CSV download the page offers, except the two that hold personal data on purpose:
  the call center's call list (checked the other way round: it must hold the values whole, which
  also proves the search finds them) and the dealer's correction sheet.

A leak is a full phone (a maximal run of digits equal to a customer's phone), a full address (a
maximal run of digits and Chinese characters equal to one), or a full name (a maximal run of Chinese
characters equal to a customer's name; a three-character name also inside a longer run). Names that
are also ordinary text the pages may show (a technician, a dealer, a city, any word of the
interface) are left out: they cannot tell a leak from the word.
"""

from __future__ import annotations

import csv
import io
import json
import re
import string
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import openpyxl
import pypdf
import pytest

from app.i18n import LANGUAGES, STRINGS, t
from etl.explore import personal_key
from served_app import CHROMIUM
from test_browser import _assert_no_error, _wait_until_idle

DEALER = "JX146"  # a poor dealer: every record list has rows, fake records too
RECORD_LISTS = ("open_records", "misses", "complaints", "fake_records", "late_arrivals", "repeat_repairs")
QUERIES = (
    "SELECT * FROM repairs LIMIT 50",
    "SELECT customer_name, customer_phone, address FROM repairs LIMIT 50",
    "SELECT * FROM hotline LIMIT 50",
    "SELECT * FROM rejects",
    "SELECT dealer_id, extra_columns FROM dealers LIMIT 50",
    "SELECT customer_name, customer_phone, address FROM repair_facts ORDER BY record_no DESC LIMIT 50",
)
EXEMPT_DOWNLOADS = ("callbacks.download", "data.correction")  # personal data whole, on purpose (issue 11)
# Report packs (issue 17) are PDFs made when clicked, the same documents in either language: searched on the
# Chinese pages only. Every dealer's scorecard at once is the one dealer's scorecard (searched) made 128 times.
PACKS_ONCE = ("pack.download_bulletin", "pack.download_scorecard", "pack.download_award", "pack.download_settlements")
PACK_BURSTS = ("pack.download_scorecards",)
MASKED_PHONE = re.compile(r"\d{3}\*{4}\d{4}")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


# --- the loaded customers -------------------------------------------------------------------------


@dataclass
class Customers:
    phones: set[str]
    names: set[str]  # the names searched for: two characters or more, not ordinary text
    addresses: set[str]
    skipped_names: int  # names left out because the pages show the same characters as other text

    def leaks(self, text: str) -> list[str]:
        """The full values in `text` (one cell, one string, one page), each once."""
        found = {run for run in re.findall(r"\d+", text) if run in self.phones}
        found |= {run for run in re.findall(r"[0-9\u3400-\u9fff]+", text) if run in self.addresses}
        for run in re.findall(r"[\u3400-\u9fff]+", text):
            if run in self.names:
                found.add(run)
            elif len(run) > 3:
                found |= {run[i : i + 3] for i in range(len(run) - 2) if run[i : i + 3] in self.names}
        return sorted(found)


def _words(con) -> set[str]:
    """Every two- and three-character piece of the text the pages show besides customers' data: the
    interface's strings and every text column of the database that is not personal."""
    texts = [text for pair in STRINGS.values() for text in pair.values()]
    columns = con.execute("""
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'main' AND data_type = 'VARCHAR'
          AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')
          AND column_name NOT IN ('customer_name', 'customer_phone', 'address')""").fetchall()
    for table, column in columns:
        texts += [
            v
            for (v,) in con.execute(
                f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
            ).fetchall()
        ]
    return {text[i : i + n] for text in texts for n in (2, 3) for i in range(len(text) - n + 1)}


def _personal_json(con, sql: str) -> list[tuple[str, str]]:
    """(personal column, value) of the JSON objects a query returns: a file's cells kept aside as
    extra_columns and rejected rows' raw_values, under headers of personal columns."""
    found = []
    for _kind, raw in con.execute(sql).fetchall():
        values = json.loads(raw) if raw else {}
        for key, value in values.items() if isinstance(values, dict) else ():
            column = personal_key(key)
            if column and value not in (None, ""):
                found.append((column, str(value).strip()))
    return found


def customers_of(database: Path) -> Customers:
    con = duckdb.connect(str(database), read_only=True)
    try:
        names = {n for (n,) in con.execute("SELECT DISTINCT trim(customer_name) FROM repairs").fetchall() if n}
        phones = {
            p
            for (p,) in con.execute(
                "SELECT trim(customer_phone) FROM repairs UNION SELECT trim(customer_phone) FROM hotline"
            ).fetchall()
            if p
        }
        addresses = {a for (a,) in con.execute("SELECT DISTINCT trim(address) FROM repairs").fetchall() if a}
        extra = [
            f"SELECT '{table}', CAST(extra_columns AS VARCHAR) FROM {table} WHERE extra_columns IS NOT NULL"
            for (table,) in con.execute(
                "SELECT DISTINCT table_name FROM information_schema.columns WHERE "
                "column_name = 'extra_columns' AND table_schema = 'main' AND table_name "
                "IN (SELECT table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE')"
            ).fetchall()
        ]
        rejects = "SELECT kind, CAST(raw_values AS VARCHAR) FROM rejects"
        pairs = _personal_json(con, " UNION ALL ".join(extra + [rejects]))
        for column, value in pairs:
            if column == "customer_phone" or (column == "customer_name" and re.fullmatch(r"[\d\s+-]+", value)):
                phones.add(re.sub(r"\D", "", value) if re.fullmatch(r"[\d\s+-]+", value) else value)
            elif column == "customer_name":
                names.add(value)
            else:
                addresses.add(value)
        words = _words(con)
    finally:
        con.close()
    searched = {n for n in names if len(n) > 1 and n not in words}
    return Customers(phones, searched, addresses, len(names) - len(searched))


# --- the server -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(dashboard):
    """(the server's address, the customers of its database): the dashboard and the demo data set that
    tests/test_browser.py uses too (tests/conftest.py)."""
    return dashboard.url, customers_of(dashboard.database)


@pytest.fixture(scope="module")
def chromium(browser):
    """The Chromium every browser module shares (tests/conftest.py)."""
    return browser


# --- what the browser was shown -------------------------------------------------------------------


def _arrow_cells(data: bytes) -> list[str] | None:
    """The column names and cells of an Arrow IPC stream, or None if `data` is not one."""
    import pyarrow as pa

    if len(data) < 8:
        return None
    try:
        table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError):
        return None
    cells = [str(name) for name in table.schema.names]
    for column in table.columns:
        cells += [str(value) for value in column.to_pylist() if value is not None]
    return cells


def _message_texts(message, out: dict) -> None:
    """Every string of a protobuf message, and every Arrow table's cells (into out['arrow'])."""
    from google.protobuf.descriptor import FieldDescriptor

    for descriptor, value in message.ListFields():
        if descriptor.type == FieldDescriptor.TYPE_MESSAGE and descriptor.message_type.GetOptions().map_entry:
            values = [v for pair in value.items() for v in pair]
        elif descriptor.is_repeated:
            values = list(value)
        else:
            values = [value]
        for item in values:
            if isinstance(item, str):
                out["strings"].append(item)
            elif isinstance(item, bytes):
                cells = _arrow_cells(item)
                if cells is None:
                    out["strings"].append(item.decode("utf-8", "replace"))
                else:
                    out["tables"] += 1
                    out["arrow"] += cells
            elif hasattr(item, "ListFields"):
                _message_texts(item, out)


def _download_text(path: Path, name: str) -> str:
    return _file_text(path.read_bytes(), name)


def _file_text(data: bytes, name: str) -> str:
    """The text of a download: a workbook's cells, a PDF's text, a CSV's cells; a zip (a report pack
    burst) is the text of every file in it."""
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(_file_text(archive.read(member), member) for member in archive.namelist())
    if name.endswith(".pdf"):
        return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(
            [sheet.title for sheet in book]
            + [str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
        )
    text = data.decode("utf-8-sig")
    return "\n".join("\t".join(row) for row in csv.reader(io.StringIO(text)))


@dataclass
class Shown:
    """What one visit showed: per source, texts to search (an Arrow cell is one text)."""

    frames: list = field(default_factory=list)
    sources: dict = field(default_factory=dict)
    tables: int = 0
    exempt: dict = field(default_factory=dict)

    def decode(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        out = {"strings": [], "arrow": [], "tables": 0}
        for payload in self.frames:
            if isinstance(payload, bytes):
                _message_texts(ForwardMsg.FromString(payload), out)
            else:
                out["strings"].append(payload)
        self.frames = []
        self.sources.setdefault("websocket strings", []).extend(out["strings"])
        self.sources.setdefault("websocket Arrow cells", []).extend(out["arrow"])
        self.tables += out["tables"]

    def leaks(self, customers: Customers) -> dict[str, list[str]]:
        found = {}
        for source, texts in self.sources.items():
            hits = sorted({hit for text in texts for hit in customers.leaks(text)})
            if hits:
                found[source] = hits[:10] + ([f"... {len(hits)} in all"] if len(hits) > 10 else [])
        return found


def _open_watched(chromium, url: str, lang: str):
    """tests/test_browser.py's _open, with every websocket message the page receives kept."""
    context = chromium.new_context(
        viewport={"width": 1440, "height": 1000}, locale="zh-CN" if lang == "zh" else "en-US", accept_downloads=True
    )
    page = context.new_page()
    shown = Shown()
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: shown.frames.append(payload)))
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=60_000)
    _wait_until_idle(page)
    page.wait_for_function(
        "document.querySelectorAll('.stVegaLiteChart svg').length > 0 || !document.querySelector('.stVegaLiteChart')",
        timeout=30_000,
    )
    return context, page, shown


def _label_pattern(key: str, lang: str) -> re.Pattern:
    """A button label of the catalog, whatever fills its {placeholders}."""
    template = STRINGS[key][lang]
    return re.compile(".*".join(re.escape(literal) for literal, *_ in string.Formatter().parse(template)))


def _download_all(page, shown: Shown, lang: str) -> None:
    """Click every download button; the exempt ones' files go to shown.exempt, the others are searched."""
    exempt = {t(key, lang) for key in EXEMPT_DOWNLOADS}
    skipped = [_label_pattern(key, lang) for key in PACK_BURSTS + (PACKS_ONCE if lang != "zh" else ())]
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    for n in range(buttons.count()):
        button = buttons.nth(n)
        label = button.inner_text().strip()
        if any(pattern.search(label) for pattern in skipped):
            continue
        with page.expect_download(timeout=60_000) as info:
            button.click()
        download = info.value
        text = _download_text(Path(download.path()), download.suggested_filename)
        if any(label.endswith(e) or e in label for e in exempt):
            shown.exempt[download.suggested_filename] = text
        else:
            shown.sources.setdefault(f"download {download.suggested_filename}", []).append(text)
        _wait_until_idle(page)


def _finish(page, shown: Shown, customers: Customers, where: str) -> Shown:
    _assert_no_error(page)
    page.wait_for_timeout(300)  # lets Playwright hand over the last websocket frames before they are read
    shown.decode()
    shown.sources.setdefault("page HTML", []).append(page.content())
    leaks = shown.leaks(customers)
    assert not leaks, f"{where} shows customers' personal data whole: {leaks}"
    return shown


def _visit(chromium, url: str, lang: str, customers: Customers, where: str, act=None, downloads: bool = True) -> Shown:
    context, page, shown = _open_watched(chromium, url, lang)
    try:
        if act:
            act(page, shown)
        if downloads:
            _download_all(page, shown, lang)
        return _finish(page, shown, customers, where)
    finally:
        context.close()


# --- the pages ------------------------------------------------------------------------------------


def test_the_search_knows_the_customers(demo):
    _, customers = demo
    assert len(customers.phones) > 100_000 and len(customers.addresses) > 100_000
    assert len(customers.names) > 10_000, customers.skipped_names
    # each kind is found when it is there, and masked forms are not
    phone, name, address = (min(v) for v in (customers.phones, customers.names, customers.addresses))
    assert customers.leaks(f'{{"用户姓名":"{name}","联系电话":"{phone}"}}') == sorted([name, phone])
    assert customers.leaks(f"{address}\t{name[0]}*\t{phone[:3]}****{phone[-4:]}") == [address]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "name,path",
    [("overview", ""), ("dealers", "dealers"), ("award", "award"), ("settlement", "settlement"), ("data", "data")],
)
def test_no_page_shows_a_customer_whole(demo, chromium, name, path, lang):
    url, customers = demo
    # The settlement's pack (one PDF per dealer of the page's scope) is searched in one region's scope: a sixth of
    # the documents, the same kind of document (the national burst cost 40 s of the suite).
    scope = "&region=华北" if name == "settlement" else ""
    shown = _visit(chromium, f"{url}/{path}?lang={lang}{scope}", lang, customers, f"{name} ({lang})")
    assert shown.tables, "no table read off the websocket"


def _each_record_list(lang: str):
    def act(page, shown: Shown) -> None:
        """Click each of the drill-down's record lists in turn (the first is open already)."""
        for listed in RECORD_LISTS[1:]:
            label = re.compile("^" + re.escape(t(f"records.{listed}", lang)) + " [(]")
            before = len(shown.frames)
            page.locator('[data-testid="stButtonGroup"] button').filter(has_text=label).first.click()
            for _ in range(150):  # the list's rows arrive over the websocket; a busy machine is slow
                if len(shown.frames) > before:
                    break
                page.wait_for_timeout(100)
            _wait_until_idle(page)
            assert f"records={listed}" in page.url
            shown.sources.setdefault("page HTML", []).append(page.content())  # what each list drew in the DOM

    return act


# Masking does not depend on the language (etl/metrics/privacy.py masks values in SQL, the catalog only names
# columns), and every page is opened in both languages above and in tests/test_browser.py: the record lists are
# clicked through in Chinese (where the drill-down's scorecard PDF is searched too, PACKS_ONCE), Explore's queries
# run in English, each once (60 s of the suite's 1,560 s had gone to running both in both languages).
@pytest.mark.parametrize("lang", ["zh"])
def test_a_dealers_record_lists_show_customers_masked(demo, chromium, lang):
    url, customers = demo
    shown = _visit(
        chromium,
        f"{url}/dealers?lang={lang}&dealer={DEALER}&detail=records&records={RECORD_LISTS[0]}",
        lang,
        customers,
        f"{DEALER}'s record lists ({lang})",
        act=_each_record_list(lang),
    )
    masked = sum(bool(MASKED_PHONE.fullmatch(cell)) for cell in shown.sources["websocket Arrow cells"])
    assert masked >= 20, f"{masked} masked phones seen in the record lists: were the grids read? {list(shown.sources)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_callbacks_page_masks_the_call_list_on_screen_and_exports_it_whole(demo, chromium, lang):
    url, customers = demo
    shown = _visit(chromium, f"{url}/callbacks?lang={lang}", lang, customers, f"callbacks ({lang})")
    assert sum(bool(MASKED_PHONE.fullmatch(cell)) for cell in shown.sources["websocket Arrow cells"]) >= 10
    call_list = [text for name, text in shown.exempt.items() if name.startswith("callbacks_")]
    assert len(call_list) == 1, list(shown.exempt)
    whole = customers.leaks(call_list[0])  # the documented exception, and the proof that the search finds values
    assert len(whole) >= 20, whole


def _run_queries(page, shown: Shown) -> None:
    area = page.locator('[data-testid="stTextArea"] textarea')
    for sql in QUERIES:
        area.fill(sql)
        area.press("Control+Enter")  # commits the text area's value
        _wait_until_idle(page)
        page.locator('[data-testid="stButton"] button[kind="primary"]').first.click()
        page.wait_for_selector(
            '[data-testid="stCaptionContainer"]:has-text("rows · "), '
            '[data-testid="stCaptionContainer"]:has-text("行 · ")',
            timeout=60_000,
        )
        _wait_until_idle(page)
        _assert_no_error(page)
        assert page.locator('[data-testid="stAlert"]:has([data-testid="stAlertContentError"])').count() == 0, sql
        if sql == QUERIES[1]:
            _download_all(page, shown, "en" if "lang=en" in page.url else "zh")
        shown.decode()


@pytest.mark.parametrize("lang", ["en"])  # the record lists run in Chinese (see there)
def test_explore_queries_of_the_personal_columns_show_them_masked(demo, chromium, lang):
    url, customers = demo
    shown = _visit(
        chromium, f"{url}/explore?lang={lang}", lang, customers, f"explore ({lang})", act=_run_queries, downloads=False
    )
    cells = shown.sources["websocket Arrow cells"]
    assert sum(bool(MASKED_PHONE.fullmatch(cell)) for cell in cells) >= 50
    downloads = [s.split(" ", 1)[1] for s in shown.sources if s.startswith("download")]
    assert any(name.startswith("query") for name in downloads)


def test_the_server_logged_no_error(demo, dashboard):
    log = dashboard.log.read_text(encoding="utf-8")
    assert "Traceback" not in log and "Error" not in log, log
