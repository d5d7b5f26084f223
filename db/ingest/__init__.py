"""Ingestion of transaction exports: readers -> columns/dates -> convert -> writers (load.py)."""

from db.ingest.columns import FIELDS, parse_mapping
from db.ingest.convert import AMBIGUOUS_NUMBERS
from db.ingest.dates import EARLIEST_YEAR, LATEST_YEAR
from db.ingest.errors import IngestError
from db.ingest.load import STATUS_ALREADY, IngestOptions, IngestResult, ingest_file
from db.ingest.readers import check_path

__all__ = [
    "AMBIGUOUS_NUMBERS",
    "EARLIEST_YEAR",
    "FIELDS",
    "LATEST_YEAR",
    "STATUS_ALREADY",
    "IngestError",
    "IngestOptions",
    "IngestResult",
    "check_path",
    "ingest_file",
    "parse_mapping",
]
