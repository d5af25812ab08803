"""Percentiles per group in one query: the engine under every response-time figure."""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, F, IntegerField, Value, When

# Percentiles as whole percents, so the row positions are the same integer arithmetic
# in SQL and in Python.
MEDIAN, P90 = 50, 90

# The key of the spread over every row, with `overall`.
ALL_ROWS = "all"


@dataclass
class GroupSpread:
    """One group's rows: how many, how many with a value, the percentiles of the values,
    and how many rows match each of the `counts` conditions."""

    rows: int = 0
    counted: int = 0
    values: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    first: object = None


def percentiles_by_group(
    queryset, value, group_by=None, percents=(MEDIAN, P90), overall=False, counts=None
):
    """{group: GroupSpread} of `value` (a field name or an expression) per `group_by` value
    (and under ALL_ROWS for all rows, with `overall`): percentiles interpolated between the two
    nearest values like PostgreSQL's percentile_cont, the lowest value (`first`), and
    the number of rows matching each Q in `counts`.

    One query, whatever the number of requests and groups: the database reads the few
    columns needed straight from the filter's covering index, unsorted, and the sorting
    and counting happen here. That is several times faster than window functions or
    ORDER BY in either database (SQLite answers an ORDER BY on the clinic by walking
    every request of every clinic), and the rows are bounded by the period asked for.
    """
    counts = counts or {}
    flags = {
        f"c_{name}": Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())
        for name, q in counts.items()
    }
    base = (
        queryset.order_by()
        .annotate(
            grp=F(group_by) if group_by else Value(0),
            val=F(value) if isinstance(value, str) else value,
            **flags,
        )
        .values_list("grp", "val", *flags)
    )
    try:
        sql, params = base.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # e.g. staff given no clinic: nothing to ask the database
        return {}
    # The raw rows, without Django's per-row converters (a third of the time here): the
    # values only need to sort, and raw timestamps sort as the times do in both databases.
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = list(counts)
    sizes = Counter(row[0] for row in rows)
    marked = [Counter(row[0] for row in rows if row[i]) for i in range(2, 2 + len(names))]
    values = {grp: [] for grp in sizes}
    for grp, val, *_ in rows:
        if val is not None:
            values[grp].append(val)
    groups = {
        grp: (size, [column[grp] for column in marked], values[grp]) for grp, size in sizes.items()
    }
    if overall and rows:
        everything = [row[1] for row in rows if row[1] is not None]
        groups[ALL_ROWS] = (len(rows), [sum(column.values()) for column in marked], everything)
    spreads = {}
    for grp, (size, marks, vals) in groups.items():
        vals.sort()
        spread = GroupSpread(size, len(vals), counts=dict(zip(names, marks, strict=True)))
        if vals:
            spread.first = vals[0]
            spread.values = {p: _percentile_cont(vals, p) for p in percents}
        spreads[grp] = spread
    return spreads


def _percentile_cont(ordered, percent):
    """`percent` of sorted `ordered`, between the two nearest values (percentile_cont)."""
    low_index, remainder = divmod((len(ordered) - 1) * percent, 100)
    low = ordered[low_index]
    high = ordered[low_index + (1 if remainder else 0)]
    return low + (high - low) * remainder / 100
