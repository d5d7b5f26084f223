"""Database layer of customer-segments: settings, schema, sessions, migrations, ingestion."""
