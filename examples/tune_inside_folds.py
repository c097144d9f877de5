"""Hyper-parameters tuned inside each speaker fold, never on the test speaker.

The SVM of ``is10-svm`` has two hyper-parameters, C and gamma. Choosing them by the
leave-one-speaker-out figure itself would tune on every test speaker. Instead each
outer fold runs its own ``GridSearchCV`` whose inner folds are the outer fold's
*training* speakers (leave one training speaker out): ``evaluate`` hands the search
the training speakers as ``groups``. The report records what each fold chose, and a
paired comparison over speakers says whether tuning beat the fixed defaults.

Run::

    python examples/tune_inside_folds.py --cache /tmp/ser-cache

It prints the per-fold choices, the two systems' figures with their intervals and
the paired comparison.
"""

import argparse
import os

from _local_data import local_data_home
from sklearn.model_selection import GridSearchCV, LeaveOneGroupOut

from sklearn_ser.datasets import load_corpus
from sklearn_ser.evaluation import (
    UA_SCORER,
    compare_reports,
    evaluate,
    markdown_table,
    paired_table,
)
from sklearn_ser.pipelines import make_named_pipeline


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--cache", default=os.environ.get("SKLEARN_SER_CACHE"))
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args()
    emovo = load_corpus("emovo", local_data_home(args.data_home))

    fixed = evaluate(
        make_named_pipeline("is10-svm", memory=args.cache),
        emovo.filenames,
        emovo.target,
        emovo.groups,
        name="is10-svm (C=1, gamma=scale)",
    )
    search = GridSearchCV(
        make_named_pipeline("is10-svm", memory=args.cache),
        {"svc__C": [0.1, 1.0, 10.0], "svc__gamma": ["scale", 1e-4]},
        cv=LeaveOneGroupOut(),  # inner folds: one per training speaker
        scoring=UA_SCORER,
        n_jobs=args.n_jobs,
    )
    tuned = evaluate(
        search,
        emovo.filenames,
        emovo.target,
        emovo.groups,
        name="is10-svm tuned inside each fold",
    )
    print(markdown_table(tuned.to_frame("folds")[["test_groups", "UA", "best_params"]]))
    print()
    print(markdown_table(compare_reports([fixed, tuned])))
    print()
    print(markdown_table(paired_table([fixed, tuned])))


if __name__ == "__main__":
    main()
