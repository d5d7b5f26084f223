"""A run's stability ARI that could not be measured is NULL, not NaN.

When no bootstrap resample could hold k clusters the mean of no scores was stored as NaN:
SQLite stores a NaN float as NULL, Postgres keeps it, and `segments show --json` then printed
a bare NaN (not JSON). The code now stores None; this makes the Postgres rows say the same.
SQLite has no NaN to find (and ``'NaN'`` there is text, never equal to a REAL): nothing to do.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0010"
down_revision: Union[str, None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE runs SET stability_ari = NULL WHERE stability_ari = 'NaN'")


def downgrade() -> None:
    pass  # NULL is what the code stores now; which NULLs were NaN is not worth keeping
