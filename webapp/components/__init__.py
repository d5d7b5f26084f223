"""Reusable layout pieces and pure figure builders for the dashboard pages."""
