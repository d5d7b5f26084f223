"""Text SQL that differs per dialect, as compiled constructs usable in any Core query."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class bytewise(FunctionElement):  # noqa: N801 - reads like the SQL it stands for
    """Text compared code point by code point, whatever the database's collation.

    For an ORDER BY that decides a result (which country wins a tie), not one for display:
    SQLite compares bytes, but a Postgres created with a language collation (en_US, ICU) puts
    'United Kingdom' before 'USA', so the same data would give another answer there.
    """

    type = String()
    name = "bytewise"
    inherit_cache = True


@compiles(bytewise)
def _bytewise_postgres(element, compiler, **kw):  # noqa: ANN001, ANN202 - compiler hook
    (value,) = element.clauses
    return compiler.process(value.collate("C"), **kw)


@compiles(bytewise, "sqlite")
def _bytewise_sqlite(element, compiler, **kw):  # noqa: ANN001, ANN202
    (value,) = element.clauses
    return compiler.process(value.collate("BINARY"), **kw)
