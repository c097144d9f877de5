"""Root pytest configuration (also applies to the doctests under sklearn_ser/)."""

import os

import torch

# Tests run torch on tiny models, often in two joblib processes at once: one intra-op
# thread each avoids oversubscribing the CI machine's two cores (measured: a 1 s fit
# took 24 s with the default thread count while other work was running).
torch.set_num_threads(1)
os.environ.setdefault("MPLBACKEND", "Agg")
