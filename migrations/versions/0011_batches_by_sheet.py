"""An import batch is one file's one sheet: the re-import check keys on (sha256, sheet).

A workbook's sheets are separate imports (Online Retail II: one per year); keyed on the file's
digest alone, importing its second sheet answered "already imported". ``sheet`` is the sheet's
name for a workbook, "" for a text file. Batches stored before keep "" unless their options name
the sheet they were read from: "" then stands for the workbook's first sheet (what no --sheet
read), and the re-import check takes it so.

SQLite changes a unique constraint only by rebuilding the table (as 0007 does: the rows of
rejected_rows step aside, and the id sequence is kept, so ids are still never reused).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: Union[str, None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UNIQUE = "uq_import_batches_sha256"


def _alter(change) -> None:
    if op.get_bind().dialect.name != "sqlite":
        with op.batch_alter_table("import_batches") as batch:
            change(batch)
        return
    conn = op.get_bind()
    seq = conn.scalar(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'import_batches'"))
    op.execute("CREATE TEMP TABLE rejected_rows_aside AS SELECT * FROM rejected_rows")
    op.execute("DELETE FROM rejected_rows")
    with op.batch_alter_table(
        "import_batches", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        change(batch)
    op.execute("INSERT INTO rejected_rows SELECT * FROM rejected_rows_aside")
    op.execute("DROP TABLE rejected_rows_aside")
    if seq is not None:  # the rebuilt table's sequence starts at its highest id: keep the old one
        op.execute("DELETE FROM sqlite_sequence WHERE name = 'import_batches'")
        conn.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('import_batches', :seq)"), {"seq": seq}
        )


def upgrade() -> None:
    def change(batch) -> None:
        batch.add_column(sa.Column("sheet", sa.String(length=255), nullable=False, server_default=""))
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.create_unique_constraint(UNIQUE, ["sha256", "sheet"])

    _alter(change)
    if op.get_bind().dialect.name == "sqlite":
        sheet, kind = "json_extract(options, '$.sheet')", "json_extract(options, '$.kind')"
    else:
        sheet, kind = "options->>'sheet'", "options->>'kind'"
    op.execute(f"UPDATE import_batches SET sheet = {sheet} WHERE {kind} = 'excel' AND {sheet} IS NOT NULL")


def downgrade() -> None:
    # Fails (unique sha256) where two sheets of one workbook were imported: remove one first.
    def change(batch) -> None:
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.create_unique_constraint(UNIQUE, ["sha256"])
        batch.drop_column("sheet")

    _alter(change)
