"""The dealers and months a page looks at (the dashboard's filters), and the one filter builder that
turns them into SQL for every named query (etl/metrics/sql/*.sql, `{{ scope }}`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from etl.metrics.named import Fragment

# A filter's dealer column -> the Scope field holding its chosen values.
DEALER_FILTERS = {"region": "regions", "province": "provinces", "area_type": "area_types", "dealer_id": "dealer_ids"}
# The dealers-filter key (Scope.dealer_filters, queries.rollup) of the signed-in user's dealers: Scope.allowed.
ALLOWED = "allowed_dealer_id"


@dataclass(frozen=True)
class Scope:
    """The dealers and months a page looks at: the dashboard's filters (empty = all)."""

    first_month: dt.date | None = None
    last_month: dt.date | None = None
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    area_types: tuple[str, ...] = ()
    dealer_ids: tuple[str, ...] = field(default=())
    # The dealers the signed-in user may see (etl.access.scope_for): None = every dealer; a tuple, even an
    # empty one, is ANDed into every query by where(), so the filters above can only narrow it.
    allowed: tuple[str, ...] | None = None

    @classmethod
    def of(cls, months: tuple[dt.date, dt.date] | None = None, dealers: dict[str, list[str]] | None = None) -> Scope:
        """A scope from a span of months and dealer filters ({"region": ["华东"], "dealer_id": [...]})."""
        unknown = set(dealers or {}) - set(DEALER_FILTERS) - {ALLOWED}
        if unknown:
            raise ValueError(f"no dealer filter {sorted(unknown)}; one of: {', '.join(DEALER_FILTERS)}")
        chosen = {
            DEALER_FILTERS[column]: tuple(values)
            for column, values in (dealers or {}).items()
            if values and column != ALLOWED
        }
        allowed = (dealers or {}).get(ALLOWED)
        first, last = months or (None, None)
        return cls(first, last, **chosen, allowed=None if allowed is None else tuple(allowed))

    @property
    def months(self) -> tuple[dt.date, dt.date] | None:
        return (self.first_month, self.last_month) if self.first_month and self.last_month else None

    def dealer_filters(self) -> dict[str, list[str]]:
        """The dealers filter of queries.rollup (with the user's dealers under ALLOWED when limited)."""
        filters = {column: list(getattr(self, name)) for column, name in DEALER_FILTERS.items()}
        if self.allowed is not None:
            filters[ALLOWED] = list(self.allowed)
        return filters

    def within(self, allowed: tuple[str, ...] | None) -> Scope:
        """This scope limited to the dealers `allowed` (None: no limit); an existing limit only narrows."""
        if allowed is None:
            return self
        if self.allowed is not None:
            allowed = tuple(d for d in self.allowed if d in set(allowed))
        return replace(self, allowed=tuple(allowed))

    def permits(self, dealer_id: str) -> bool:
        """True when the user may see this dealer."""
        return self.allowed is None or dealer_id in self.allowed

    def dealers_only(self) -> Scope:
        """The same dealers, every month."""
        return replace(self, first_month=None, last_month=None)

    def previous(self) -> Scope | None:
        """The same number of months right before this span: what 'against the previous period' compares with."""
        if not self.months:
            return None
        first, last = self.months
        length = month_index(last) - month_index(first) + 1
        return replace(self, first_month=add_months(first, -length), last_month=add_months(first, -1))

    def for_dealer(self, dealer_id: str) -> Scope:
        return replace(self, dealer_ids=(dealer_id,))


def month_index(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def add_months(month: dt.date, count: int) -> dt.date:
    """The first of the month `count` months after (before, when negative) `month`."""
    index = month_index(month) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def where(
    scope: Scope,
    month: str | None = None,
    dealers: str | None = "d",
    dealer_id: str | None = None,
    moment: str | None = None,
) -> Fragment:
    """The scope as a WHERE condition with its parameters: the one filter builder of every named query.

    month: the column the scope's months bound (None: every month); dealers: the alias of the relation
    holding the dealers' region, province, area_type and dealer_id (None: every dealer); dealer_id: the
    column the chosen dealers are matched on instead of <dealers>.dealer_id (the fact table's own, so
    DuckDB pushes the filter into the views); moment: the timestamp column whose month `month` is: the same
    months bound it too, a condition the month's implies, which DuckDB pushes into the table scan (issue 13: it
    reads only those months' row groups, not every callback to compute its month).
    """
    conditions: list[str] = []
    params: dict[str, object] = {}
    if month and scope.first_month:
        conditions.append(f"{month} >= $scope_first_month")
        params["scope_first_month"] = scope.first_month
    if month and scope.last_month:
        conditions.append(f"{month} <= $scope_last_month")
        params["scope_last_month"] = scope.last_month
    if month and moment and scope.first_month:
        conditions.append(f"{moment} >= $scope_first_month")
    if month and moment and scope.last_month:
        conditions.append(f"{moment} < CAST($scope_last_month AS DATE) + INTERVAL 1 MONTH")
    for column, name in DEALER_FILTERS.items():
        values = getattr(scope, name)
        if dealers and values:
            keys = [f"scope_{column}_{n}" for n in range(len(values))]
            target = dealer_id if column == "dealer_id" and dealer_id else f"{dealers}.{column}"
            conditions.append(f"{target} IN ({', '.join('$' + key for key in keys)})")
            params.update(zip(keys, values))
    if scope.allowed is not None:
        if not dealers and not dealer_id:
            raise ValueError("a scope limited to the user's dealers needs the dealers' column (dealers= or dealer_id=)")
        target = dealer_id or f"{dealers}.dealer_id"
        keys = [f"scope_allowed_{n}" for n in range(len(scope.allowed))]
        conditions.append(f"{target} IN ({', '.join('$' + key for key in keys)})" if keys else "false")
        params.update(zip(keys, scope.allowed))
    return Fragment(" AND ".join(conditions) or "true", params)
