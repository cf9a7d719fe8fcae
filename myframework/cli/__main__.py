"""``python -m myframework.cli``: the same as the ``myframework`` console script."""
from . import main

main()
