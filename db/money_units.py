"""Money as ingestion writes it: text with always four decimals, the stored scale."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def money_units(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Normalised money text in exact integer units of 0.0001: the text without its point.
    The Postgres COPY payload and the invoice rollup both read it so."""
    return pc.replace_substring(text, ".", "").cast(pa.int64())
