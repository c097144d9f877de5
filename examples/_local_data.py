"""Where this checkout's examples and benchmarks find the corpora: one rule.

The library's rule (:func:`sklearn_ser.datasets.get_data_home`): ``--data-home``,
else ``$SKLEARN_SER_DATA``, else ``~/sklearn_ser_data``; plus, when neither is given,
this project's layout, which the library must not know: the corpora beside the
checkout (``../shared/data``), if that folder exists. The benchmarks import this
module too (``benchmarks/_common.py``).
"""

import os
from pathlib import Path

from sklearn_ser.datasets import get_data_home

#: The corpora of this project, beside the checkout.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def local_data_home(data_home=None):
    """``data_home``, else ``$SKLEARN_SER_DATA``, else ``../shared/data``, as a Path.

    Without either and without ``../shared/data``, the library's default
    (``~/sklearn_ser_data``).
    """
    if data_home is None and not os.environ.get("SKLEARN_SER_DATA"):
        if SHARED_DATA.is_dir():
            data_home = SHARED_DATA
    return Path(get_data_home(data_home))
