"""SQLite: import batch ids are never reused after a batch is removed (AUTOINCREMENT).

A stored run records the ids of the batches it read; without AUTOINCREMENT SQLite hands the id
of a removed newest batch to the next import. Postgres' sequence never reuses ids: nothing to do.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0007"
down_revision: Union[str, None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Dropping the table rejected_rows refers to would break that reference (foreign keys are on
    # and cannot be switched off inside the migration's transaction): its rows step aside.
    op.execute("CREATE TEMP TABLE rejected_rows_aside AS SELECT * FROM rejected_rows")
    op.execute("DELETE FROM rejected_rows")
    with op.batch_alter_table(
        "import_batches", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    op.execute("INSERT INTO rejected_rows SELECT * FROM rejected_rows_aside")
    op.execute("DROP TABLE rejected_rows_aside")
    if autoincrement:
        # A batch removed before this revision may be gone from the table but named by a stored
        # run: the next id goes past those too.
        op.execute("DELETE FROM sqlite_sequence WHERE name = 'import_batches'")
        op.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'import_batches', max(id) FROM ("
            " SELECT id FROM import_batches UNION ALL"
            " SELECT CAST(b.value AS INTEGER) FROM runs, json_each(runs.data_fingerprint, '$.batch_ids') AS b"
            ") WHERE id IS NOT NULL HAVING max(id) IS NOT NULL"
        )


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
