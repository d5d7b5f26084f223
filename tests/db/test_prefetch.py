"""The reader thread: items arrive in order, errors reach the consumer, abandoning stops it."""

from __future__ import annotations

import threading
import time

import pytest

from db.ingest.prefetch import prefetch


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name == "ingest-reader"}


def test_items_in_order_and_errors_reraised():
    assert list(prefetch(iter(range(10)))) == list(range(10))

    def failing():
        yield 1
        raise ValueError("bad row block")

    with pytest.raises(ValueError, match="bad row block"):
        list(prefetch(failing()))


def test_abandoned_consumer_closes_the_source_and_ends_the_thread():
    closed = threading.Event()

    def endless():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    items = prefetch(endless())
    assert next(items) == 0
    items.close()  # what a consumer raising an error does to the generator
    assert closed.wait(5), "the source generator was left open"
    deadline = time.monotonic() + 5
    while _threads() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _threads()
