"""The software and machine a figure was computed with, kept in its report.

Neural figures are bit-identical between runs in one environment (same seed, same
package builds, same thread counts); but floating-point differences between
package builds grow over tens of training epochs, so a neural figure rerun in
another set-up can differ slightly (the evaluation guide's "Software environment"
gives a measured case). A report therefore says where it came from.
"""

import os
import platform
from importlib.metadata import PackageNotFoundError, version

__all__ = ["software_environment"]

#: Distributions whose versions can change a figure (those not installed are left out).
PACKAGES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "torch",
    "skorch",
    "librosa",
    "soxr",
    "soundfile",
    "opensmile",
    "ctranslate2",
    "faster-whisper",
    "transformers",
)


def software_environment():
    """Python, sklearn-ser and package versions, and the machine, as a JSON dict.

    Returns
    -------
    environment : dict
        ``python``, ``sklearn_ser``, ``packages`` (distribution name -> version,
        for those of :data:`PACKAGES` that are installed), ``platform``,
        ``machine`` and ``cpu_count``.

    Examples
    --------
    >>> from sklearn_ser.evaluation import software_environment
    >>> env = software_environment()
    >>> sorted(env)[:3]
    ['cpu_count', 'machine', 'packages']
    >>> "numpy" in env["packages"]
    True
    """
    from .. import __version__

    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            continue
    return {
        "python": platform.python_version(),
        "sklearn_ser": __version__,
        "packages": packages,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
    }
