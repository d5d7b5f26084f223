"""Money with the unit of SEGMENTS_CURRENCY (or none): the one formatter of the CLI and the pages."""

from __future__ import annotations

import pytest

from webapp.money import SYMBOLS, format_money, hover_money, unit_prefix, with_unit


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (8911407.9, None, "8,911,407.90"),  # unset: today's plain number
        (8911407.9, "GBP", "£8,911,407.90"),
        (1234.5, "EUR", "€1,234.50"),
        (1234.5, "USD", "$1,234.50"),
        (1234.5, "JPY", "¥1,234"),  # ISO 4217: no minor unit (was ¥1,234.50); half to even
        (1234.6, "KRW", "₩1,235"),
        (600.0, "ISK", "ISK 600"),
        (600.0, "BHD", "BHD 600.000"),  # three decimals (fils)
        (-1234.5678, "KWD", "-KWD 1,234.568"),
        (-0.4, "JPY", "¥0"),  # rounds to nothing: no sign
        (600.0, "XYZ", "XYZ 600.00"),  # not in the list: two
        (1234.5, "CHF", "CHF 1,234.50"),  # no symbol in the table: the code and a space
        (0.0, "GBP", "£0.00"),
        (-3.2, "GBP", "-£3.20"),  # the sign before the unit
        (-3.2, "CHF", "-CHF 3.20"),
        (-3.2, None, "-3.20"),
    ],
)
def test_format_money(value, currency, text):
    assert format_money(value, currency) == text


def test_other_formats_and_titles():
    assert format_money(1234.567, "GBP", ",.0f") == "£1,235"
    assert with_unit("Revenue", "GBP") == "Revenue (GBP)" and with_unit("Revenue", None) == "Revenue"
    assert with_unit("Revenue", "CHF") == "Revenue (CHF)"  # titles always name the code
    assert hover_money("%{y:,.0f}", "GBP") == "£%{y:,.0f}" and hover_money("%{y:,.0f}", None) == "%{y:,.0f}"
    assert unit_prefix(None) == "" and unit_prefix("") == "" and unit_prefix("SEK") == "SEK "


def test_hovers_and_the_campaign_grid_write_amounts_as_the_cards_do():
    """Were ",.2f" whatever the currency: ¥1,234.00 in a hover under a card reading ¥1,234."""
    from webapp.components.campaign_views import grid_columns

    assert hover_money("%{y:,.2f}", "JPY") == "¥%{y:,.0f}"
    assert hover_money("%{x:,.2f}", "BHD") == "BHD %{x:,.3f}"
    assert hover_money("%{y:,.2f}", "GBP") == "£%{y:,.2f}" and hover_money("%{y:,.2f}", None) == "%{y:,.2f}"
    assert hover_money("%{y:,.0f}", "BHD") == "BHD %{y:,.0f}"  # a rounded amount stays rounded
    spend = {c["field"]: c for c in grid_columns("BHD")}["monetary"]["valueFormatter"]["function"]
    assert spend == "d3.format(',.3f')(params.value)"
    assert "',.2f'" in {c["field"]: c for c in grid_columns()}["monetary"]["valueFormatter"]["function"]


def test_minor_units_are_iso_codes():
    from db.currency_codes import ISO_4217, MINOR_UNITS

    assert set(MINOR_UNITS) <= ISO_4217
    assert format_money(1234.5, "JPY", ",.1f") == "¥1,234.5"  # an explicit format stays as given


def test_symbol_table_is_small_and_keyed_by_iso_codes():
    assert {"GBP", "EUR", "USD", "JPY"} <= set(SYMBOLS)
    assert all(len(code) == 3 and code.isupper() for code in SYMBOLS)
