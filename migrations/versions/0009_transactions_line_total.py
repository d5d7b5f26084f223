"""Transactions keep the file's line total where the unit price was derived from it.

A price derived as total / quantity is rounded to 4 decimals, so quantity x price can miss the
total (3 for 10.00 is 3.3333 each); revenue reads the total where there is one. Nullable and
NULL for every line stored before: those were read from unit prices or their totals are gone.
Adding a nullable column without a default rewrites no rows on either backend.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: Union[str, None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(sa.Column("line_total", sa.Numeric(precision=14, scale=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        batch.drop_column("line_total")
