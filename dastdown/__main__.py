"""``python -m dastdown``: the same as the ``dastdown`` command."""

import sys

from .cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
