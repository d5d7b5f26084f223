"""A real import whose transaction stays open, as a long `segments ingest` holds it: lock tests.

On SQLite it holds the only write lock from its first write until ``finish()`` commits it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.ingest import ingest_file
from db.session import for_writing

# One new customer, c17, who bought before the run fixtures' as-of day (2011-12-10).
LATE_CUSTOMER_CSV = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
599101,P1,LATE,2,11/20/2011 10:00,7.50,c17,Spain
599102,P1,LATE,1,11/21/2011 10:00,7.50,c17,Spain
"""


def late_customer_csv(folder: Path) -> Path:
    path = folder / "late-customer.csv"
    path.write_text(LATE_CUSTOMER_CSV)
    return path


class HeldImport:
    """Ingest ``path`` in another thread and keep its transaction open until ``finish()``."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self._engine, self._path = engine, path
        self._held, self._release = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            with for_writing(self._engine.connect()) as conn, conn.begin():
                with Session(bind=conn) as session:
                    ingest_file(self._path, session=session)
                self._held.set()
                assert self._release.wait(120), "the test never finished the import"
        except BaseException as exc:  # reported by finish()
            self.error = exc
            self._held.set()

    def __enter__(self) -> HeldImport:
        self._thread.start()
        assert self._held.wait(60) and self.error is None, self.error
        return self

    def finish(self) -> None:
        """Commit the import (once), and wait for it."""
        self._release.set()
        self._thread.join(60)
        assert not self._thread.is_alive() and self.error is None, self.error

    def finish_after(self, seconds: float) -> threading.Timer:
        timer = threading.Timer(seconds, self._release.set)
        timer.start()
        return timer

    def __exit__(self, *exc_info: object) -> None:
        self.finish()
