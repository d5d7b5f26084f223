"""Invoice rollups for fast trends.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Starts empty: the next import builds it from every stored line (db/rollup.py); until
    # then the trends read the lines themselves.
    op.create_table(
        "invoice_rollups",
        sa.Column("id", BigId, nullable=False),
        sa.Column("invoice_no", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=128), nullable=True),
        sa.Column("invoice_date", sa.DateTime(), nullable=False),
        sa.Column("purchase", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_rollups")),
    )
    op.create_index(op.f("ix_invoice_rollups_invoice_date"), "invoice_rollups", ["invoice_date"])
    op.create_index(op.f("ix_invoice_rollups_invoice_no"), "invoice_rollups", ["invoice_no"])
    op.create_table(
        "rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_state")),
    )


def downgrade() -> None:
    op.drop_table("rollup_state")
    op.drop_index(op.f("ix_invoice_rollups_invoice_no"), table_name="invoice_rollups")
    op.drop_index(op.f("ix_invoice_rollups_invoice_date"), table_name="invoice_rollups")
    op.drop_table("invoice_rollups")
