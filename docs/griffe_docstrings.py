"""Griffe extension of the API pages (mkdocs.yml): signature defaults, Sphinx roles.

Two things the numpy-docstring parser gets wrong for this package:

- a parameter documented without ``default=...`` takes its default from the
  signature, but for grouped names (``a, b, c`` sharing one description) every name
  gets the first one's default, so the tables showed ``None`` for ``16000``,
  ``0.1``, ``"raise"``... The signature is the truth: every documented parameter
  that has a default in the signature shows that default.
- Sphinx roles (``:class:`opensmile.FeatureSet```, ``:func:`~x.y```) are not
  markdown and appeared as raw text. References to objects rendered on these pages
  become links; any other one is rendered as code (``~`` keeps the last component,
  as in Sphinx).
"""

import re
from pathlib import Path

import griffe

_ROLE = re.compile(
    r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|ref|term):`(~?)([^`<]+?)"
    r"(?:\s*<([^>]+)>)?`"
)
_DOCS = Path(__file__).resolve().parent


def _rendered_identifiers():
    """The ``::: identifier`` targets of the API pages."""
    found = set()
    for page in (_DOCS / "api").glob("*.md"):
        found.update(re.findall(r"^:::\s*(\S+)", page.read_text(), flags=re.M))
    return found


class SignatureDefaultsAndRoles(griffe.Extension):
    """Fix parameter defaults from signatures and turn Sphinx roles into markdown."""

    def __init__(self):
        super().__init__()
        self.rendered = _rendered_identifiers()

    def _target(self, obj, name):
        """The rendered identifier ``name`` refers to from ``obj``, or None."""
        candidates = [name]
        module = obj if obj.is_module else obj.module
        package = module.package
        candidates += [f"{module.path}.{name}", f"{package.path}.{name}"]
        if obj.is_class:
            candidates.append(f"{obj.path}.{name}")
        elif obj.parent is not None and obj.parent.is_class:
            candidates.append(f"{obj.parent.path}.{name}")
        for candidate in candidates:
            if candidate in self.rendered:
                return candidate
            # a member of a rendered module or class (sklearn_ser.datasets.load_emodb)
            head, _, last = candidate.rpartition(".")
            if head in self.rendered and not last.startswith("_"):
                try:
                    member = package.modules_collection[candidate]
                    documented = member.is_class or member.is_function
                except (KeyError, AttributeError, griffe.AliasResolutionError):
                    continue
                if documented:  # attributes get no anchor of their own
                    return candidate
        return None

    def _roles(self, obj, text):
        def replace(match):
            tilde, name, explicit = match.groups()
            name = (explicit or name).strip()
            label = match.group(2).strip() if explicit else name
            if tilde:
                label = label.rsplit(".", 1)[-1]
            target = self._target(obj, name.lstrip("~"))
            if target is not None:
                return f"[`{label}`][{target}]"
            return f"`{label}`"

        return _ROLE.sub(replace, text)

    def _fix(self, obj):
        if obj.docstring is not None:
            obj.docstring.value = self._roles(obj, obj.docstring.value)
            signature = getattr(obj, "parameters", None)
            if signature is not None and (obj.is_function or obj.is_class):
                for section in obj.docstring.parsed:
                    if section.kind is not griffe.DocstringSectionKind.parameters:
                        continue
                    for param in section.value:
                        try:
                            default = signature[param.name].default
                        except (KeyError, TypeError):
                            continue
                        if default is not None:
                            param.value = default
        for member in obj.members.values():
            if not member.is_alias:
                self._fix(member)

    def on_package(self, *, pkg, **kwargs):
        self._fix(pkg)
