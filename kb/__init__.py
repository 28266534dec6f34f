"""The knowledge-base tooling: list, triage, new, lint, run (one module per verb).

``REPO`` is the shipped knowledge base (the folder holding ``context/``, ``notebooks/``,
``corpus/`` and ``tests/guards/``), chosen once at import; the verbs and the pytest plugin read
it as the ``shipped`` layer, under a project's own entries (``kb.roots``):

1. ``$KB_ROOT`` when set;
2. the source checkout this package is imported from (an editable install, or ``python -m kb``
   in the repository): the folder above ``kb/`` when it has ``pyproject.toml`` and ``context/``;
3. otherwise the copy a wheel installed beside this module, ``kb/_knowledge/`` (see setup.py).
"""

import os
from pathlib import Path

ENV_ROOT = "KB_ROOT"
PACKAGE = Path(__file__).resolve().parent
INSTALLED = PACKAGE / "_knowledge"


def knowledge_root() -> Path:
    """The default knowledge base, by the rules of this module's docstring."""
    if os.environ.get(ENV_ROOT):
        return Path(os.environ[ENV_ROOT]).expanduser().resolve()
    checkout = PACKAGE.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "context").is_dir():
        return checkout
    return INSTALLED


REPO = knowledge_root()
