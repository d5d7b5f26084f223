"""Dash Pages: one module per page, imported by Dash itself (never import them yourself)."""
