"""Transaction store: import batches, transactions, rejected rows.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
        sa.UniqueConstraint("sha256", name=op.f("uq_import_batches_sha256")),
    )
    op.create_table(
        "transactions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("invoice_no", sa.String(length=64), nullable=False),
        sa.Column("stock_code", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("invoice_date", sa.DateTime(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("country", sa.String(length=128), nullable=True),
        sa.Column("line_hash", sa.LargeBinary(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.UniqueConstraint("invoice_date", "line_hash", name=op.f("uq_transactions_invoice_date")),
    )
    op.create_index("ix_transactions_customer_date", "transactions", ["customer_id", "invoice_date"])
    op.create_table(
        "rejected_rows",
        sa.Column("id", BigId, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"],
            name=op.f("fk_rejected_rows_batch_id_import_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_rows")),
    )
    op.create_index(op.f("ix_rejected_rows_batch_id"), "rejected_rows", ["batch_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rejected_rows_batch_id"), table_name="rejected_rows")
    op.drop_table("rejected_rows")
    op.drop_index("ix_transactions_customer_date", table_name="transactions")
    op.drop_table("transactions")
    op.drop_table("import_batches")
