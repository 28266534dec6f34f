"""The knowledge-base tooling: list, triage, new, lint, run (one module per verb).

``REPO`` is the knowledge base every verb and the pytest plugin read by default (the folder
holding ``context/``, ``notebooks/``, ``corpus/`` and ``tests/guards/``), chosen once at import:

1. ``$KB_ROOT`` when set (each verb's ``--root`` overrides it in turn);
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
