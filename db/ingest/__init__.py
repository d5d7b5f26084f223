"""Ingestion of transaction exports: readers -> columns/dates -> convert -> writers (load.py)."""

from db.ingest.columns import FIELDS, parse_mapping
from db.ingest.errors import IngestError
from db.ingest.load import IngestOptions, IngestResult, ingest_file

__all__ = ["FIELDS", "IngestError", "IngestOptions", "IngestResult", "ingest_file", "parse_mapping"]
