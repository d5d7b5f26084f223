"""Money as people read it: the amount with the unit of SEGMENTS_CURRENCY, or a plain number.

One place for the CLI's text and the web pages (cards, axis titles, hovers, the campaign total).
``currency`` is the checked setting (``Settings.currency``: an upper-case ISO 4217 code) or None,
which keeps the plain numbers. JSON output and CSV exports never use this: they stay numbers.
"""

from __future__ import annotations

from db.currency_codes import minor_units

DEFAULT_SPEC = ",.2f"

# A few common codes get their symbol; any other code is written before the amount ("CHF 1.00").
SYMBOLS: dict[str, str] = {
    "GBP": "£",
    "EUR": "€",
    "USD": "$",
    "JPY": "¥",
    "INR": "₹",
    "KRW": "₩",
    "ILS": "₪",
    "NGN": "₦",
}


def unit_prefix(currency: str | None) -> str:
    """What goes before an amount: "£", "CHF " or "" (no currency set)."""
    if not currency:
        return ""
    return SYMBOLS.get(currency, currency + " ")


def format_money(value: float, currency: str | None, spec: str = DEFAULT_SPEC) -> str:
    """``1234.5`` -> "£1,234.50", "CHF 1,234.50", or "1,234.50" without a currency; the sign
    goes before the unit ("-£3.20"). With the default ``spec`` an amount has its currency's
    ISO 4217 decimals: "¥1,235", "BHD 1,234.500"."""
    prefix = unit_prefix(currency)
    if not prefix:
        return format(value, spec)
    if spec == DEFAULT_SPEC:
        spec = money_spec(currency)
    text = format(abs(value), spec)
    sign = "-" if value < 0 and text.strip("0.,") else ""  # no "-¥0" for -0.4 yen
    return f"{sign}{prefix}{text}"


def with_unit(title: str, currency: str | None) -> str:
    """An axis or column title: "Revenue (GBP)", or "Revenue" without a currency."""
    return f"{title} ({currency})" if currency else title


def money_spec(currency: str | None) -> str:
    """The format of an exact amount (Python's and d3's): the currency's ISO 4217 decimals,
    or two without a currency: ",.0f" for JPY, ",.3f" for BHD, ",.2f" for GBP."""
    return f",.{minor_units(currency)}f" if currency else DEFAULT_SPEC


def hover_money(placeholder: str, currency: str | None) -> str:
    """A Plotly hovertemplate amount: "%{y:,.2f}" -> "£%{y:,.2f}", "¥%{y:,.0f}" (an exact
    amount, ",.2f", takes the currency's decimals; a negative amount reads "£-3": d3 cannot
    put the sign before a literal unit)."""
    exact = placeholder.replace(f":{DEFAULT_SPEC}}}", f":{money_spec(currency)}}}")
    return unit_prefix(currency) + exact
