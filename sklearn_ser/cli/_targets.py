"""The pipelines of a command on class labels or continuous ratings.

Used by :mod:`sklearn_ser.cli` once it has loaded a corpus (its target's task, see
:mod:`sklearn_ser._task`); the regression benchmark itself is
:func:`sklearn_ser.evaluation.run_benchmark`'s.
"""

from .._task import target_task

__all__ = ["pipelines_for_target"]

_KIND = {"regression": "continuous ratings", "classification": "class labels"}


def pipelines_for_target(text, data, *, what):
    """The pipelines of a run on ``data``: named ones checked, or the defaults.

    Parameters
    ----------
    text : str or None
        ``--pipelines`` / ``--pipeline`` as given; None: the registry's defaults
        for the target's task.
    data : Bunch
        The loaded corpus; a float ``target`` is continuous.
    what : str
        The corpus, in messages.

    Returns
    -------
    names : list of str

    Raises
    ------
    CLIError
        A pipeline of the other task, naming the pipelines that fit.
    """
    from ..pipelines import get_pipeline_spec, list_pipelines
    from ._common import CLIError, _parse_pipelines

    task = target_task(data.target)
    if text is None:
        from ..pipelines import _REGISTRY

        return [n for n, s in _REGISTRY.items() if s.default and s.task == task]
    names = _parse_pipelines(text)
    for name in names:
        spec = get_pipeline_spec(name)
        if spec.task != task:
            target = (
                f"column {str(data.target_names[0])!r}"
                if task == "regression"
                else "the labels"
            )
            hint = (
                " (--task classification reads its values as class names)"
                if task == "regression"
                else " (a manifest column of whole-number ratings needs --task "
                "regression)"
            )
            raise CLIError(
                f"pipeline {name} predicts {_KIND[spec.task]}, but {target} of "
                f"{what} holds {_KIND[task]}{hint}; {task} pipelines: "
                f"{', '.join(list_pipelines(task))}"
            )
    return names
