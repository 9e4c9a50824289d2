"""Deterministic sample data in the input formats of spec section 2 (`python -m etl sample`).

`generate(out_dir, seed, end_month)` writes the demo data set: 128 dealers over 24 months, messy
files full of planted cases (see `sampledata.demo`). With `dealers` or `months` it writes the
national-scale set instead (`sampledata.national`): one clean file per kind and month, generated
month by month in DuckDB, e.g. 3,000 dealers x 36 months, about 20 M repair records.

Modules, by job: `reference` (places, names, products), `roles` (the demo's planted dealers),
`span`, `draws` (people, phones, addresses), `dealers`, `repairs`, `repeats`, `submissions`,
`callbacks`, `hotline`, `sales`, `notices` (the typed demo data), `spelling`, `excel`,
`repair_files`, `dealer_reports`, `callback_files`, `writers` (the demo's files), `demo` (the
demo's entry point); `national` (the national-scale set: its files), `national_plan` (its dealers
and dealer-months, numpy), `national_sql` (its records, callbacks and tickets, DuckDB SQL).
"""

from __future__ import annotations

import pathlib

DEFAULT_SEED = 20260101

__all__ = ["DEFAULT_SEED", "generate"]


def generate(
    out_dir: pathlib.Path,
    seed: int = DEFAULT_SEED,
    end_month: str | None = None,
    dealers: int | None = None,
    months: int | None = None,
) -> list[pathlib.Path]:
    """Write a data set into out_dir (flat) and return the written paths.

    Without dealers and months: the demo set. With either: the national-scale set of that many
    dealers and months (the other one defaults to 3,000 dealers or 36 months). end_month
    ('YYYY-MM', default the month before the current one) is the last month either way; the same
    arguments give byte-identical files.
    """
    if dealers is None and months is None:
        from sampledata.demo import generate_demo

        return generate_demo(out_dir, seed=seed, end_month=end_month)
    from sampledata.national import NATIONAL_DEALERS, NATIONAL_MONTHS, generate_national

    return generate_national(
        out_dir,
        seed=seed,
        end_month=end_month,
        dealers=NATIONAL_DEALERS if dealers is None else dealers,
        months=NATIONAL_MONTHS if months is None else months,
    )
