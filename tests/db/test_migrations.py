"""Migrations that reshape stored data keep it: 0005 (transactions keyed by date and digest), 0007, 0009,
0010, 0011."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from db.migrate import alembic_config, upgrade
from db.session import create_db_engine


def _downgrade(engine, revision: str) -> None:
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


LINES = [
    (1, "536365", "2010-12-01 08:26:00", b"\x01" * 16, "17850"),
    (2, "536366", "2010-12-01 08:28:00", b"\x02" * 16, None),
]


def _lines(conn) -> list[tuple]:
    rows = conn.execute(text("SELECT invoice_no, customer_id, line_hash FROM transactions ORDER BY invoice_no"))
    return [(r[0], r[1], bytes(r[2])) for r in rows]


def test_0005_keys_transactions_by_date_and_digest_and_keeps_them(empty_db_url):
    engine = create_db_engine(empty_db_url)
    upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO import_batches (id, source_name, sha256, size_bytes, rows_read, rows_stored, "
                "duplicates, rejected, status, options, started_at) "
                "VALUES (1, 'a.csv', 'x', 1, 2, 2, 0, 0, 'loaded', '{}', '2026-01-01 00:00:00')"
            )
        )
        for id_, invoice, when, digest, customer in LINES:
            conn.execute(
                text(
                    "INSERT INTO transactions (id, batch_id, invoice_no, quantity, invoice_date, unit_price, "
                    "customer_id, line_hash) VALUES (:id, 1, :inv, 1, :when, 2.55, :cust, :digest)"
                ),
                {"id": id_, "inv": invoice, "when": when, "cust": customer, "digest": digest},
            )
        before = _lines(conn)
    upgrade(engine)
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("transactions")["constrained_columns"] == ["invoice_date", "line_hash"]
    assert "id" not in {c["name"] for c in inspector.get_columns("transactions")}
    with engine.connect() as conn:
        assert _lines(conn) == before
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the key still refuses a repeat
        conn.execute(
            text(
                "INSERT INTO transactions (batch_id, invoice_no, quantity, invoice_date, unit_price, line_hash) "
                "VALUES (1, 'again', 1, :when, 1, :digest)"
            ),
            {"when": LINES[0][2], "digest": LINES[0][3]},
        )
    _downgrade(engine, "0004")
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("transactions")["constrained_columns"] == ["id"]
    with engine.connect() as conn:
        assert _lines(conn) == before
        assert conn.scalar(text("SELECT count(DISTINCT id) FROM transactions")) == 2
    engine.dispose()


def test_0007_keeps_batches_and_their_rejected_rows_and_stops_reusing_ids(empty_db_url):
    engine = create_db_engine(empty_db_url)
    upgrade(engine, "0006")
    batch = (
        "INSERT INTO import_batches (id, source_name, sha256, size_bytes, rows_read, rows_stored, "
        "duplicates, rejected, status, options, started_at) "
        "VALUES (:id, 'a.csv', :sha, 1, 2, 1, 0, 1, 'loaded', '{}', '2026-01-01 00:00:00')"
    )
    with engine.begin() as conn:
        for id_ in (1, 2):
            conn.execute(text(batch), {"id": id_, "sha": f"sha{id_}"})
        # A run that read batch 7, removed before this revision: 7 is never handed out again.
        conn.execute(
            text(
                "INSERT INTO runs (id, created_at, status, preset, params, versions, data_fingerprint) "
                "VALUES (1, '2026-01-01 00:00:00', 'finished', 'default', '{}', '{}', :fp)"
            ),
            {"fp": '{"batch_ids": [1, 7]}'},
        )
        conn.execute(
            text(
                "INSERT INTO rejected_rows (batch_id, row_number, reason, raw) "
                "VALUES (2, 3, 'bad quantity', '{}')"
            )
        )
    upgrade(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT id, sha256 FROM import_batches ORDER BY id")).all() == [
            (1, "sha1"), (2, "sha2")
        ]
        assert conn.execute(text("SELECT batch_id FROM rejected_rows")).scalars().all() == [2]
        conn.execute(text("DELETE FROM rejected_rows"))
        conn.execute(text("DELETE FROM import_batches WHERE id = 2"))
    if engine.dialect.name == "sqlite":  # (Postgres' sequence never reused ids: nothing changed)
        with engine.begin() as conn:
            conn.execute(text(batch.replace("(id, ", "(").replace("(:id, ", "(")), {"sha": "sha3"})
            assert conn.scalar(text("SELECT id FROM import_batches WHERE sha256 = 'sha3'")) == 8
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the reference still holds
        conn.execute(
            text("INSERT INTO rejected_rows (batch_id, row_number, reason, raw) VALUES (9, 1, 'x', '{}')")
        )
    _downgrade(engine, "0006")
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT id FROM import_batches ORDER BY id")).scalars().all()
    assert kept == ([1, 8] if engine.dialect.name == "sqlite" else [1])
    engine.dispose()


def test_0009_adds_an_empty_line_total_and_keeps_the_lines(empty_db_url):
    engine = create_db_engine(empty_db_url)
    upgrade(engine, "0008")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO transactions (batch_id, invoice_no, quantity, invoice_date, unit_price, line_hash) "
                "VALUES (1, '536365', 3, '2010-12-01 08:26:00', 3.3333, :digest)"
            ),
            {"digest": LINES[0][3]},
        )
    upgrade(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT invoice_no, line_total FROM transactions")).all() == [("536365", None)]
        conn.execute(text("UPDATE transactions SET line_total = 10"))
    _downgrade(engine, "0008")
    assert "line_total" not in {c["name"] for c in inspect(engine).get_columns("transactions")}
    with engine.connect() as conn:
        assert _lines(conn) == [("536365", None, LINES[0][3])]
    engine.dispose()


def test_0011_keys_batches_by_file_and_sheet_and_keeps_them(empty_db_url):
    engine = create_db_engine(empty_db_url)
    upgrade(engine, "0010")
    batch = (
        "INSERT INTO import_batches (id, source_name, sha256, size_bytes, rows_read, rows_stored, "
        "duplicates, rejected, status, options, started_at) "
        "VALUES (:id, 'a', :sha, 1, 2, 1, 0, 1, 'loaded', :options, '2026-01-01 00:00:00')"
    )
    with engine.begin() as conn:
        for id_, options in (
            (1, '{"kind": "csv", "sheet": null}'),
            (2, '{"kind": "excel", "sheet": null}'),  # the first sheet, name not kept
            (3, '{"kind": "excel", "sheet": "Year 2010-2011"}'),
            (9, '{"kind": "csv"}'),
        ):
            conn.execute(text(batch), {"id": id_, "sha": f"sha{id_}", "options": options})
        conn.execute(text("INSERT INTO rejected_rows (batch_id, row_number, reason, raw) VALUES (2, 3, 'x', '{}')"))
        conn.execute(text("DELETE FROM import_batches WHERE id = 9"))  # ids stay never reused
    upgrade(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT id, sheet FROM import_batches ORDER BY id")).all() == [
            (1, ""), (2, ""), (3, "Year 2010-2011")
        ]
        assert conn.execute(text("SELECT batch_id FROM rejected_rows")).scalars().all() == [2]
        conn.execute(text(batch.replace(":id", "4")), {"sha": "sha3", "options": "{}"})  # another sheet
        if engine.dialect.name == "sqlite":
            conn.execute(text(batch.replace("(id, ", "(").replace("(:id, ", "(")), {"sha": "new", "options": "{}"})
            assert conn.scalar(text("SELECT id FROM import_batches WHERE sha256 = 'new'")) == 10
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the same file and sheet again
        conn.execute(text(batch.replace(":id", "5")), {"sha": "sha1", "options": "{}"})
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM import_batches WHERE id = 4"))
    _downgrade(engine, "0010")
    assert "sheet" not in {c["name"] for c in inspect(engine).get_columns("import_batches")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT batch_id FROM rejected_rows")).scalars().all() == [2]
    engine.dispose()


def test_the_history_is_one_line_of_revisions():
    """Two branches each adding a "0008" merged into two heads, and `db upgrade` refused to run:
    one head, each revision numbered after the one it revises."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        if revision.down_revision is not None:
            assert int(revision.revision) == int(revision.down_revision) + 1, revision.revision


def test_0010_turns_a_stored_nan_stability_into_null(empty_db_url):
    engine = create_db_engine(empty_db_url)
    upgrade(engine, "0009")
    with engine.begin() as conn:
        for run_id, ari in ((1, float("nan")), (2, 0.5), (3, None)):
            conn.execute(
                text(
                    "INSERT INTO runs (id, created_at, status, preset, params, versions, data_fingerprint, "
                    "stability_ari) VALUES (:id, '2011-01-01 00:00:00', 'finished', 'reference', '{}', '{}', "
                    "'{}', :ari)"
                ),
                {"id": run_id, "ari": ari},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, stability_ari FROM runs ORDER BY id")).all()
    assert rows == [(1, None), (2, 0.5), (3, None)]
    engine.dispose()
