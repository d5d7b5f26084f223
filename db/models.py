"""Tables of the transaction store: import batches, transactions, quarantined rows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base

# SQLite only auto-increments an INTEGER PRIMARY KEY (its rowid), not a BIGINT one.
BigId = BigInteger().with_variant(Integer(), "sqlite")

# Exact decimal money: 4 places covers the UCI prices (down to 0.001) with room to spare.
MONEY = Numeric(14, 4)

BATCH_LOADED = "loaded"


class ImportBatch(Base):
    __tablename__ = "import_batches"
    # Ids are never reused once a batch is removed (runs record the batch ids they read); Postgres'
    # sequence already behaves so, SQLite needs AUTOINCREMENT.
    # One import per file and sheet: a workbook's sheets are imports of their own.
    __table_args__ = (UniqueConstraint("sha256", "sheet"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    # The sheet's name for a workbook, "" for a text file; "" on a workbook's batch stored before
    # sheets were kept apart (migration 0011) is its first sheet.
    sheet: Mapped[str] = mapped_column(String(255), default="", server_default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=BATCH_LOADED)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    rejected_rows: Mapped[list[RejectedRow]] = relationship(back_populates="batch")


class Transaction(Base):
    __tablename__ = "transactions"

    # Deliberately no foreign key: the per-row RI check doubled bulk-load time on Postgres, and
    # ingestion writes the batch and its lines in one transaction, so they cannot disagree.
    batch_id: Mapped[int] = mapped_column(Integer)
    invoice_no: Mapped[str] = mapped_column(String(64))
    stock_code: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    # The primary key is (invoice_date, line_hash): duplicates share their timestamp, so leading
    # with it costs nothing in uniqueness, keeps inserts of a chronological export local in the
    # index, and serves date-range filters. No surrogate id: its sequence and index cost a bulk
    # load into Postgres about a sixth of its time, and nothing refers to a single line.
    invoice_date: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    # The file's line total, where the unit price was derived from it (total / quantity, rounded
    # to 4 places, so quantity x price can miss it); revenue is this when set. NULL otherwise.
    line_total: Mapped[Decimal | None] = mapped_column(MONEY)
    customer_id: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(128))
    # 128-bit digest of the normalised line: "exact duplicate" means equal digests, which lets
    # Postgres and SQLite both enforce it with the key's index (NULLs included).
    line_hash: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)

    __table_args__ = (
        # One customer's lines by date. (The RFM aggregate over all customers scans the table:
        # Postgres' planner never picks this index for it, and SQLite is no faster with it.)
        Index("ix_transactions_customer_date", "customer_id", "invoice_date"),
    )


class RejectedRow(Base):
    __tablename__ = "rejected_rows"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)

    batch: Mapped[ImportBatch] = relationship(back_populates="rejected_rows")


class User(Base):
    """A dashboard login; once any user exists, the web app requires one."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class LoginSession(Base):
    """A signed-in browser. The cookie carries a random token; only its sha256 is stored, and
    deleting the row (logout, user removed, expiry) ends that session even if the cookie is kept."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class LoginFailure(Base):
    """A failed sign-in, kept for the throttle's window: the name tried and the client address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(DateTime)


RUN_RUNNING, RUN_FINISHED, RUN_FAILED = "running", "finished", "failed"


class Run(Base):
    """One segmentation run: what was asked, on which data, and how good the result is."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default=RUN_RUNNING)
    error: Mapped[str | None] = mapped_column(Text)
    as_of: Mapped[datetime | None] = mapped_column(DateTime)  # the snapshot recency is measured from
    preset: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data_fingerprint: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    n_customers: Mapped[int | None] = mapped_column(Integer)
    k: Mapped[int | None] = mapped_column(Integer)
    silhouette: Mapped[float | None] = mapped_column(Float)
    silhouette_sampled: Mapped[bool | None] = mapped_column(Boolean)
    silhouette_sample_size: Mapped[int | None] = mapped_column(Integer)
    davies_bouldin: Mapped[float | None] = mapped_column(Float)
    calinski_harabasz: Mapped[float | None] = mapped_column(Float)
    stability_ari: Mapped[float | None] = mapped_column(Float)
    stability_resamples: Mapped[int | None] = mapped_column(Integer)
    k_sweep: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class RunSegment(Base):
    """Profile of one cluster of a run, in original units."""

    __tablename__ = "run_segments"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    cluster: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    customer_share: Mapped[float] = mapped_column(Float)
    revenue_share: Mapped[float] = mapped_column(Float)
    mean_recency: Mapped[float] = mapped_column(Float)
    median_recency: Mapped[float] = mapped_column(Float)
    mean_frequency: Mapped[float] = mapped_column(Float)
    median_frequency: Mapped[float] = mapped_column(Float)
    mean_monetary: Mapped[float] = mapped_column(Float)
    median_monetary: Mapped[float] = mapped_column(Float)


class RunAssignment(Base):
    """One customer in one run: its RFM as of the run's snapshot, scores, cluster and label."""

    __tablename__ = "run_assignments"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    country: Mapped[str | None] = mapped_column(String(128))
    last_purchase: Mapped[datetime | None] = mapped_column(DateTime)
    recency: Mapped[int] = mapped_column(Integer)
    frequency: Mapped[int] = mapped_column(Integer)
    monetary: Mapped[float] = mapped_column(Float)
    r_score: Mapped[int] = mapped_column(Integer)
    f_score: Mapped[int] = mapped_column(Integer)
    m_score: Mapped[int] = mapped_column(Integer)
    rfm_score: Mapped[str] = mapped_column(String(8))
    rfm_segment: Mapped[str] = mapped_column(String(64))
    cluster: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        # Campaign lists read one run's customers by segment label.
        Index("ix_run_assignments_run_label", "run_id", "label"),
    )


class InvoiceRollup(Base):
    """Clean lines summed per invoice under the default rules, kept current by each import.

    Every trend is a sum, a min/max or a distinct count of invoices and customers, all of which
    come out the same from these rows as from the lines, at a twentieth of the rows to scan.
    """

    __tablename__ = "invoice_rollups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_no: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(128))
    invoice_date: Mapped[datetime] = mapped_column(DateTime, index=True)
    purchase: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(BigInteger)
    revenue: Mapped[int] = mapped_column(BigInteger)  # MONEY_SCALE units, like the queries


class RollupState(Base):
    """The newest import batch folded into invoice_rollups (one row)."""

    __tablename__ = "rollup_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(Integer)
