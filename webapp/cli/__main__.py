"""``python -m webapp.cli``: the ``segments`` command without its installed script."""

from webapp.cli import main

main()
