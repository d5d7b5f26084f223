"""Country names as typed against the stored spellings."""

from analytics.countries import country_hint, match_countries

KNOWN = ["France", "FRANCE", "Germany", "United Kingdom"]


def test_any_case_matches_every_stored_spelling():
    assert match_countries(["france"], KNOWN) == (("FRANCE", "France"), [])
    assert match_countries(["GERMANY", "France", "Narnia"], KNOWN) == (("Germany", "FRANCE", "France"), ["Narnia"])
    assert match_countries(["france", "France"], KNOWN)[0] == ("FRANCE", "France")  # each once


def test_hints_name_close_matches_or_the_known_countries():
    assert country_hint("Frnace", ["France", "Germany"]) == "did you mean 'France'?"
    assert country_hint("Narnia", ["France"]) == "1 known: France"
    assert country_hint("Narnia", []) == "none is known"
