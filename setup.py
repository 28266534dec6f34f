"""Build hook: the wheel carries the knowledge base as package data, ``kb/_knowledge/``.

The entries live at the top of the repository, where they are written and reviewed:
``context/``, ``notebooks/``, ``corpus/`` and ``tests/guards/``, with what the guards and
notebooks need to run (``tests/conftest.py``, the pytest settings in ``pyproject.toml``, the
pinned ``requirements.txt``). ``build_py`` copies them into the built ``kb`` package so that a
non-editable install (wheel, sdist, ``pip install PATH`` or a git URL) ships them;
``MANIFEST.in`` puts the same files into the sdist. An editable install copies nothing: ``kb``
reads the source tree. Everything else is configured in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: what ships, relative to the repository; a folder that does not exist is skipped
KNOWLEDGE = ("context", "notebooks", "corpus", "tests/guards", "tests/conftest.py",
             "tests/test_snippets.py",  # runs the write-ups' snippets as users copy them
             "pyproject.toml", "requirements.txt")  # pytest's settings; the pins notebooks need
ROOT = Path(__file__).resolve().parent
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


class BuildWithKnowledge(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib, "kb", "_knowledge")
        shutil.rmtree(target, ignore_errors=True)  # no stale entries from an earlier build
        for name in KNOWLEDGE:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=JUNK)
            elif source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithKnowledge})
