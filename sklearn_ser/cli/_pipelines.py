"""``sklearn-ser pipelines``: list the named pipelines."""


def cmd_pipelines(args):
    from ..pipelines import _REGISTRY

    for name, spec in _REGISTRY.items():
        flags = []
        if spec.default:
            flags.append("default")
        if spec.adapts_to_test_speaker:
            flags.append("adapts to the test speaker")
        if spec.task == "regression":
            flags.append("regression: continuous ratings")
        extra = f" [{', '.join(flags)}]" if flags else ""
        print(f"{name}{extra}: {spec.description}")
    return 0


def add_parser(sub):
    """Add the ``pipelines`` command to the subparsers ``sub``."""
    ls = sub.add_parser("pipelines", help="list the named pipelines")
    ls.set_defaults(func=cmd_pipelines)
