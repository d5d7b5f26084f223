"""Cleaning rules of an analysis (defined next to the SQL that applies them, in db/)."""

from db.queries_cleaning import NON_PRODUCT_CODES, REFERENCE_RULES, CleaningRules

__all__ = ["NON_PRODUCT_CODES", "REFERENCE_RULES", "CleaningRules"]
