"""One colour per segment label, whatever the run, the order or the other labels."""

import subprocess
import sys

from analytics.labels import PROTOTYPES
from webapp.components.label_colours import KNOWN, label_colour, label_colours


def test_every_label_analytics_gives_has_its_own_fixed_colour():
    assert set(KNOWN) == {p.label for p in PROTOTYPES}
    assert len(set(KNOWN.values())) == len(KNOWN)
    assert label_colour("At risk") == "#d62728" and label_colour("High value") == "#2ca02c"


def test_colours_do_not_depend_on_order_or_company():
    # Was by position, biggest first: "At risk" red in one run and blue in the next.
    one = label_colours(["Steady mid-value", "At risk", "Promising", "High value"])
    other = label_colours(["At risk", "High value", "New", "Promising", "Steady mid-value"])
    assert all(one[label] == other[label] for label in one)


def test_a_spare_is_a_darker_shade_and_other_names_get_a_colour_from_the_name():
    assert label_colour("Steady mid-value 2") == "#593e71"  # #9467bd at 60%
    assert label_colour("Steady mid-value 2") not in KNOWN.values()
    others = [label_colour(name) for name in ("Wholesale", "Everyone", "Big spenders, occasional 1x")]
    assert all(c.startswith("#") and len(c) == 7 and c not in KNOWN.values() for c in others)
    # From the name itself, not Python's per-process salted hash: another process agrees.
    code = "from webapp.components.label_colours import label_colour; print(label_colour('Wholesale'))"
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert again.stdout.strip() == others[0]
