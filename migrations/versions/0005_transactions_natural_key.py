"""Transactions keyed by (invoice_date, line_hash), without the surrogate id.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # The unique (invoice_date, line_hash) constraint becomes the primary key; on SQLite batch
    # mode copies the table, on Postgres the key's index is built once from the stored lines.
    with op.batch_alter_table("transactions") as batch:
        batch.drop_constraint("uq_transactions_invoice_date", type_="unique")
        batch.drop_constraint("pk_transactions", type_="primary")
        batch.drop_column("id")
        batch.create_primary_key("pk_transactions", ["invoice_date", "line_hash"])


def downgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        batch.drop_constraint("pk_transactions", type_="primary")
        batch.create_unique_constraint("uq_transactions_invoice_date", ["invoice_date", "line_hash"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE transactions ADD COLUMN id BIGSERIAL")
        op.create_primary_key("pk_transactions", "transactions", ["id"])
    else:
        with op.batch_alter_table("transactions") as batch:
            batch.add_column(sa.Column("id", BigId, nullable=True))
        op.execute("UPDATE transactions SET id = rowid")
        with op.batch_alter_table("transactions") as batch:
            batch.alter_column("id", existing_type=BigId, nullable=False)
            batch.create_primary_key("pk_transactions", ["id"])
