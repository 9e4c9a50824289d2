"""Report packs (issue 17): the monthly bulletin, each dealer's scorecard and settlement statement, the
award list, each as an A4 PDF and an Excel workbook, one pair per recipient.

Every figure comes from the metric layer (etl/metrics: the same roll-ups, award, settlement, watchlist
and record lists the pages and `python -m etl report` read); the packs lay them out, in Chinese by
default or English. A pack takes the same Scope as the pages (etl.metrics.scope): a burst makes the
documents of the scope's dealers (or regions) only, so a user limited to some dealers gets theirs.

    documents(con, kind, period, scope, ...)  -> the documents (etl.packs.document.Document)
    write(documents, out)                     -> the files, and index.csv (recipient, file, pages)
    zip_bytes(documents)                      -> the same files in one zip (the pages' downloads)
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.metrics.scope import Scope
from etl.packs import pdf, xlsx
from etl.packs.context import Context, Period
from etl.packs.document import Document
from i18n import N_, t

KINDS = ("bulletin", "scorecard", "settlement", "award")
# Which kinds a burst splits by dealer (one file per dealer) and which by region (--by region) or not at all.
BY_DEALER = ("scorecard", "settlement")
INDEX = "index.csv"
# Each kind's name on its files.
KIND_WORDS = {
    "bulletin": N_("pack.kind.bulletin"),
    "scorecard": N_("pack.kind.scorecard"),
    "settlement": N_("pack.kind.settlement"),
    "award": N_("pack.kind.award"),
}
INDEX_COLUMNS = ["recipient", "name", "file", "workbook", "pages"]

__all__ = [
    "BY_DEALER",
    "INDEX",
    "KINDS",
    "Context",
    "Document",
    "Period",
    "Written",
    "documents",
    "file_stem",
    "render",
    "write",
    "zip_bytes",
]


def documents(
    ctx: Context, kind: str, period: Period, scope: Scope | None = None, by: str | None = None
) -> Iterator[Document]:
    """The documents of a pack, one per recipient: per dealer of the scope (scorecard, settlement), per
    region of the scope (bulletin, award with by='region') or one for the whole scope."""
    from etl.packs import award, bulletin, scorecard, settlement

    scope = (scope or Scope()).dealers_only()
    if kind not in KINDS:
        raise ValueError(f"unknown pack {kind!r}; one of: {', '.join(KINDS)}")
    if by not in (None, "dealer", "region"):
        raise ValueError(f"a pack is split by dealer or region, not {by!r}")
    if kind in BY_DEALER and by == "region":
        raise ValueError(f"the {kind} is one per dealer: --by region applies to bulletin and award")
    if kind in ("bulletin", "award") and by == "dealer":
        raise ValueError(f"the {kind} covers many dealers: --by dealer applies to scorecard and settlement")
    if kind == "scorecard":
        return scorecard.documents(ctx, period, scope)
    if kind == "settlement":
        return settlement.documents(ctx, period, scope)
    if kind == "bulletin":
        return bulletin.documents(ctx, period, scope, by)
    return award.documents(ctx, period, scope, by)


def file_stem(document: Document, period_label: str) -> str:
    """A name a clerk can mail: <document>_<period>_<recipient>[ <name>], without characters a file system
    or a mail client refuses."""
    kind = t(KIND_WORDS[document.kind], document.lang)
    who = (
        document.recipient_name
        if document.recipient in (document.recipient_name, "national")
        or document.recipient_name.startswith(document.recipient + " ")
        else f"{document.recipient} {document.recipient_name}"
    )
    stem = f"{kind}_{period_label}_{who}"
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", stem).strip(" .")[:150]


@dataclass(frozen=True)
class Written:
    recipient: str
    name: str
    file: str  # the PDF's file name
    workbook: str  # the workbook's file name
    pages: int


def render(document: Document, stem: str) -> tuple[Written, bytes, bytes]:
    """One document's PDF and workbook bytes, with its index line."""
    content, pages = pdf.render(document)
    workbook = xlsx.render(document)
    return Written(document.recipient, document.recipient_name, f"{stem}.pdf", f"{stem}.xlsx", pages), content, workbook


def _period_label(document: Document) -> str:
    return dict(document.header)[t("pack.period", document.lang)]


def write(
    docs: Iterable[Document], out: Path, progress: Callable[[int, Document], None] | None = None, workers: int = 1
) -> list[Written]:
    """Write each document's PDF and workbook into `out`, then index.csv; the index lines.

    workers > 1: the documents are laid out in that many processes while this one reads the next
    documents' figures (laying out is most of a burst's time); the files and the index keep their order."""
    out.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    named = ((document, _unique(file_stem(document, _period_label(document)), taken)) for document in docs)
    written: list[Written] = []

    def done(document: Document, line: Written, content: bytes, workbook: bytes) -> None:
        (out / line.file).write_bytes(content)
        (out / line.workbook).write_bytes(workbook)
        written.append(line)
        if progress:
            progress(len(written), document)

    if workers <= 1:
        for document, stem in named:
            done(document, *render(document, stem))
    else:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            pending = [(document, pool.submit(render, document, stem)) for document, stem in named]
            for document, future in pending:
                done(document, *future.result())
    (out / INDEX).write_text(index_text(written), encoding="utf-8-sig", newline="")
    return written


def zip_bytes(docs: Iterable[Document]) -> tuple[bytes, list[Written]]:
    """Every document's PDF and workbook and index.csv in one zip (the pages' burst download)."""
    buffer, written, taken = io.BytesIO(), [], set[str]()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in docs:
            stem = _unique(file_stem(document, _period_label(document)), taken)
            line, content, workbook = render(document, stem)
            archive.writestr(line.file, content)
            archive.writestr(line.workbook, workbook)
            written.append(line)
        archive.writestr(INDEX, "\ufeff" + index_text(written))
    return buffer.getvalue(), written


def index_text(written: list[Written]) -> str:
    from etl import inert

    text = io.StringIO()
    table = csv.writer(text, lineterminator="\n")
    table.writerow(INDEX_COLUMNS)
    for line in written:
        table.writerow(
            [inert.csv_cell(line.recipient), inert.csv_cell(line.name), line.file, line.workbook, line.pages]
        )
    return text.getvalue()


def _unique(stem: str, taken: set[str]) -> str:
    name, n = stem, 2
    while name.lower() in taken:
        name = f"{stem} ({n})"
        n += 1
    taken.add(name.lower())
    return name
