"""``python -m sklearn_ser.cli``: the ``sklearn-ser`` command."""

import sys

from . import main

sys.exit(main())
