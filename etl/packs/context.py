"""What every document of a pack shares: the open connection, the language, the evaluation date, the
rules in force, when data was last loaded, when the pack was made; and the lines every document prints."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from etl.metrics import named, overview
from etl.metrics.scope import Scope, add_months, where
from etl.metrics.thresholds import Threshold, thresholds
from etl.rules import Rules
from i18n import t


@dataclass(frozen=True)
class Period:
    """A month or a calendar year."""

    first: dt.date
    last: dt.date
    year_only: bool = False

    @classmethod
    def month(cls, month: dt.date) -> Period:
        first = dt.date(month.year, month.month, 1)
        return cls(first, first)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 1), True)

    @property
    def label(self) -> str:
        return str(self.first.year) if self.year_only else f"{self.first:%Y-%m}"

    @property
    def trend(self) -> tuple[dt.date, dt.date]:
        """The 12 months ending with the period: the trends' window."""
        return add_months(self.last, -11), self.last

    def scope(self, dealers: Scope) -> Scope:
        """The dealers of `dealers` (the user's limit, Scope.allowed, included) over this period's months."""
        return replace(dealers, first_month=self.first, last_month=self.last)


def rules_fingerprint(rules: Rules) -> str:
    """The first 12 hex digits of a hash of every rule's value: two packs made under the same rules print the same."""
    text = json.dumps(sorted(rules.values.items()), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass
class Context:
    con: object
    lang: str
    as_of: dt.date
    rules: Rules
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    last_load: dt.datetime | None = None
    limits: dict[str, Threshold] = field(default_factory=dict)

    @classmethod
    def open(cls, con, lang: str, as_of: dt.date, rules: Rules, generated_at: dt.datetime | None = None) -> Context:
        made = cls(con, lang, as_of, rules, last_load=overview.last_load(con), limits=thresholds(con))
        if generated_at:
            made.generated_at = generated_at
        return made

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def scope_text(self, scope: Scope) -> str:
        """The dealers a document covers, as printed: national, or each filter with its values."""
        parts = [
            f"{self.t(key)}: {'、'.join(values) if self.lang == 'zh' else ', '.join(values)}"
            for key, values in (
                ("col.region", scope.regions),
                ("col.province", scope.provinces),
                ("col.area_type", scope.area_types),
                ("col.dealer_id", scope.dealer_ids),
            )
            if values
        ]
        if scope.allowed is not None:  # a user limited to some dealers (etl.access)
            parts.append(self.t("pack.allowed", count=len(scope.allowed)))
        return "; ".join(parts) if parts else self.t("pack.national")

    def regions(self, scope: Scope) -> tuple[str, ...]:
        """The regions a burst by region covers: the scope's, else those of the dealers it may see."""
        if scope.regions:
            return scope.regions
        dealers = named.run(self.con, "dealers_in_scope", scope=where(scope.dealers_only(), dealers="d"))
        return tuple(sorted(dealers["region"].dropna().unique()))

    def header(self, scope: Scope, period: Period) -> list[tuple[str, str]]:
        """The lines every document prints first (and the workbook's first sheet): scope, period, data as of,
        evaluated as of, rules in force, generated at (last: the footer reads it)."""
        loaded = f"{self.last_load:%Y-%m-%d %H:%M}" if self.last_load else self.t("pack.never_loaded")
        rules = f"{Path(self.rules.source).name} · {rules_fingerprint(self.rules)}"
        return [
            (self.t("pack.scope"), self.scope_text(scope)),
            (self.t("pack.period"), period.label),
            (self.t("pack.data_as_of"), loaded),
            (self.t("pack.evaluated_as_of"), f"{self.as_of:%Y-%m-%d}"),
            (self.t("pack.rules"), rules),
            (self.t("pack.generated_at"), f"{self.generated_at:%Y-%m-%d %H:%M:%S}"),
        ]
