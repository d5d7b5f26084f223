"""Chunks: what the CSV and Excel readers yield, rows of text cells with their row numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa


@dataclass
class Chunk:
    """Raw text cells of consecutive data rows and their source row numbers (the header is 1)."""

    table: pa.Table  # string columns, header width; spare ones only for rows with extra fields
    rows: np.ndarray  # int64 row numbers, one per table row
    # CSV rows with fewer fields than the header (padded with empty cells): how many they had.
    # None for chunks of regular rows.
    fields: np.ndarray | None = None

    def __len__(self) -> int:
        return self.table.num_rows

    def text(self, column: int) -> pd.Series:
        return self.table.column(column).to_pandas()


def column_names(width: int) -> list[str]:
    return [f"__col{i}" for i in range(width)]


def text_table(rows: list[list[str]], width: int) -> pa.Table:
    return pa.table(
        {name: pa.array([r[i] for r in rows], pa.string()) for i, name in enumerate(column_names(width))}
    )
