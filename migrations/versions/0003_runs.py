"""Segmentation runs: run records, segment profiles, per-customer assignments.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("as_of", sa.DateTime(), nullable=True),
        sa.Column("preset", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("data_fingerprint", sa.JSON(), nullable=False),
        sa.Column("n_customers", sa.Integer(), nullable=True),
        sa.Column("k", sa.Integer(), nullable=True),
        sa.Column("silhouette", sa.Float(), nullable=True),
        sa.Column("silhouette_sampled", sa.Boolean(), nullable=True),
        sa.Column("silhouette_sample_size", sa.Integer(), nullable=True),
        sa.Column("davies_bouldin", sa.Float(), nullable=True),
        sa.Column("calinski_harabasz", sa.Float(), nullable=True),
        sa.Column("stability_ari", sa.Float(), nullable=True),
        sa.Column("stability_resamples", sa.Integer(), nullable=True),
        sa.Column("k_sweep", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_table(
        "run_segments",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("cluster", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("customer_share", sa.Float(), nullable=False),
        sa.Column("revenue_share", sa.Float(), nullable=False),
        sa.Column("mean_recency", sa.Float(), nullable=False),
        sa.Column("median_recency", sa.Float(), nullable=False),
        sa.Column("mean_frequency", sa.Float(), nullable=False),
        sa.Column("median_frequency", sa.Float(), nullable=False),
        sa.Column("mean_monetary", sa.Float(), nullable=False),
        sa.Column("median_monetary", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"],
            name=op.f("fk_run_segments_run_id_runs"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "cluster", name=op.f("pk_run_segments")),
    )
    op.create_table(
        "run_assignments",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=128), nullable=True),
        sa.Column("last_purchase", sa.DateTime(), nullable=True),
        sa.Column("recency", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary", sa.Float(), nullable=False),
        sa.Column("r_score", sa.Integer(), nullable=False),
        sa.Column("f_score", sa.Integer(), nullable=False),
        sa.Column("m_score", sa.Integer(), nullable=False),
        sa.Column("rfm_score", sa.String(length=8), nullable=False),
        sa.Column("rfm_segment", sa.String(length=64), nullable=False),
        sa.Column("cluster", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"],
            name=op.f("fk_run_assignments_run_id_runs"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "customer_id", name=op.f("pk_run_assignments")),
    )
    op.create_index("ix_run_assignments_run_label", "run_assignments", ["run_id", "label"])


def downgrade() -> None:
    op.drop_index("ix_run_assignments_run_label", table_name="run_assignments")
    op.drop_table("run_assignments")
    op.drop_table("run_segments")
    op.drop_table("runs")
