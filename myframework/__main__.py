"""``python -m myframework``: the ``myframework`` command (when the console script is not
on PATH)."""
from .cli import main

main()
