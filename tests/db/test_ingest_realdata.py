"""The real UCI file: the counts the reference analysis starts from."""

from __future__ import annotations

import json

import pytest

from tests.db.helpers import counts, invoke


@pytest.mark.realdata
def test_real_file_counts_and_second_import(db_url, real_data):
    first = json.loads(invoke("ingest", real_data, "--db", db_url, "--json").output)
    assert first["status"] == "loaded"
    assert (first["rows_read"], first["rows_stored"], first["duplicates"], first["rejected"]) == (
        541_909, 536_641, 5_268, 0,
    )  # fmt: skip
    second = json.loads(invoke("ingest", real_data, "--db", db_url, "--json").output)
    assert second["status"] == "already_imported" and second["rows_stored"] == 0
    assert counts(db_url) == {"import_batches": 1, "transactions": 536_641, "rejected_rows": 0}
