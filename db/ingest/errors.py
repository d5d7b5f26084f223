"""The one exception ingestion raises for a file it refuses."""


class IngestError(Exception):
    """A refused file: the message is one line saying what is wrong and where."""
