"""Date SQL that differs per dialect, as compiled constructs usable in any Core query."""

from __future__ import annotations

from sqlalchemy import String, func, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class month_key(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """``'YYYY-MM'`` of a timestamp: the calendar month it falls in, as sortable text.

    The format is rendered as a literal, not a bound parameter, so the same expression in
    SELECT and GROUP BY is textually equal (Postgres compares them before binding).
    """

    type = String()
    name = "month_key"
    inherit_cache = True


@compiles(month_key)
def _month_key_postgres(element, compiler, **kw):  # noqa: ANN001, ANN202 - compiler hook
    (value,) = element.clauses
    month_start = func.date_trunc(literal_column("'month'"), value)
    return compiler.process(func.to_char(month_start, literal_column("'YYYY-MM'")), **kw)


@compiles(month_key, "sqlite")
def _month_key_sqlite(element, compiler, **kw):  # noqa: ANN001, ANN202
    (value,) = element.clauses
    return compiler.process(func.strftime(literal_column("'%Y-%m'"), value), **kw)
