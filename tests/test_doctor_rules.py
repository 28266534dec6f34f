"""Every rule of ``kb doctor`` against its own documented examples: each ``flags`` example is
flagged by that rule and no other, each ``passes`` example by no rule at all (all versions
unknown, so version rules apply). Also: codes are unique and lie in their entry's block.

An example is read as ``test_example.py`` in a project of its own whose pytest configuration
says ``asyncio_mode = "auto"`` (examples need no markers), with the rule's ``beside`` files (the
strict-mode rules bring a ``pytest.ini`` that says strict)."""

from pathlib import Path

import pytest

from kb.doctor import codes, engine
from kb.doctor.project import Project

RULES = engine.all_rules()


def scan_example(folder: Path, rule, source: str) -> list:
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'example'\n\n[tool.pytest.ini_options]\n"
                                           "asyncio_mode = \"auto\"\n", encoding="utf-8")
    for name, text in rule.beside.items():
        (folder / name).write_text(text, encoding="utf-8")
    example = folder / "test_example.py"
    example.write_text(source, encoding="utf-8")
    project = Project([folder])
    project.files = [example]
    return engine.scan([example], versions={}, project=project)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_each_flags_example_is_flagged_by_its_rule_alone(rule, tmp_path):
    assert rule.flags, f"{rule.code} documents no example it flags"
    for n, source in enumerate(rule.flags):
        found = scan_example(tmp_path / f"flags{n}", rule, source)
        assert {f.code for f in found} == {rule.code}, (source, found)
        # a message names what it found, never an AST node's repr (KB211 once printed the test's)
        assert not [f.message for f in found if " object at 0x" in f.message], found


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_each_passes_example_is_flagged_by_no_rule(rule, tmp_path):
    assert rule.passes, f"{rule.code} documents no example it passes"
    for n, source in enumerate(rule.passes):
        assert scan_example(tmp_path / f"passes{n}", rule, source) == [], source


def test_codes_are_unique_and_in_their_entrys_block():
    assert len({r.code for r in RULES}) == len(RULES)
    assert [r.code for r in RULES if codes.block_of(r.code) != r.entry] == []
    assert sorted(set(codes.BLOCKS.values())) == list(range(100, 100 + 10 * len(codes.BLOCKS), 10))


def test_a_rule_whose_example_stops_being_flagged_fails_this_check(tmp_path):
    """The check can fail: the origin rule's flagged example with the Origin header added passes."""
    (rule,) = [r for r in RULES if r.code == "KB240"]
    fixed = rule.flags[0].replace('"/ws/")', '"/ws/", headers=[(b"origin", b"http://localhost")])')
    assert fixed != rule.flags[0]
    assert scan_example(tmp_path / "x", rule, fixed) == []


def scan_project(folder: Path, files: dict[str, str]) -> list[str]:
    """``file:line code`` of every finding in a project made of ``files``."""
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    project = Project([folder])
    paths = [folder / n for n in files if n.endswith(".py")]
    project.files = paths
    return [f"{Path(f.path).name}:{f.line} {f.code}" for f in engine.scan(paths, versions={}, project=project)]


LEGACY_READS = "import websockets\nfrom websockets.client import connect\nimport websockets.legacy.client\n\n\n" \
               "def test_x():\n    assert websockets.exceptions.InvalidStatusCode\n"


@pytest.mark.parametrize(("ini", "flagged"), [
    ("filterwarnings =\n    error\n", [2, 3, 7]),
    # the write-up's narrow filters: every legacy read ignored by message
    ("filterwarnings =\n    error\n    ignore:websockets\\.(client\\.connect|exceptions\\.InvalidStatusCode) is "
     "deprecated:DeprecationWarning\n    ignore:websockets\\.legacy is deprecated:DeprecationWarning:websockets\\.legacy\n", []),
    # a module filter on websockets matches the import warning only (the alias warnings are the reader's)
    ("filterwarnings =\n    error\n    ignore::DeprecationWarning:websockets\n", [2, 7]),
    # -W error on the command line comes after the ini's ignores
    ("addopts = -W error\nfilterwarnings =\n    ignore:websockets\\.(client\\.connect|exceptions\\.InvalidStatusCode) "
     "is deprecated:DeprecationWarning\n", [2, 3, 7]),
    ("filterwarnings =\n    error::UserWarning\n", []),
    ("addopts = -p no:warnings\nfilterwarnings =\n    error\n", []),
])
def test_kb320_judges_the_filters_in_pytests_order(tmp_path, ini, flagged):
    found = scan_project(tmp_path, {"pytest.ini": "[pytest]\n" + ini, "test_legacy.py": LEGACY_READS})
    assert found == [f"test_legacy.py:{n} KB320" for n in flagged]


def test_kb320_reads_filterwarnings_from_pyproject(tmp_path):
    pyproject = '[project]\nname = "x"\n\n[tool.pytest.ini_options]\nfilterwarnings = ["error::DeprecationWarning"]\n'
    assert scan_project(tmp_path, {"pyproject.toml": pyproject, "test_legacy.py": LEGACY_READS}) == \
        ["test_legacy.py:2 KB320", "test_legacy.py:3 KB320", "test_legacy.py:7 KB320"]


REDIS_BASE = 'import os\n\nINSTALLED_APPS = ["channels"]\nREDIS_URL = os.getenv("REDIS_URL", "redis://redis:6379/0")\n' \
             'CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", ' \
             '"CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]}}}\n'
LAYER_TEST = "from channels.layers import get_channel_layer\n\n\nasync def test_x():\n" \
             "    await get_channel_layer().group_send('g', {'type': 'x'})\n"


@pytest.mark.parametrize(("extra", "flagged"), [
    ({}, ["test_layer.py:5 KB311"]),
    # the CI job names the host (a service alias): the tests may run where it resolves
    ({".github/workflows/ci.yml": "jobs:\n  test:\n    services:\n      redis:\n        image: redis\n"}, []),
    # the test settings own the layer
    ({"settings/test.py": "from .base import *  # noqa: F403\n\nCHANNEL_LAYERS = {'default': "
                          "{'BACKEND': 'channels.layers.InMemoryChannelLayer'}}\n"}, []),
    # a host on this machine: not a production name
    ({"settings/base.py": REDIS_BASE.replace("redis://redis:", "redis://localhost:")}, []),
    # no layer anywhere in the settings the tests use
    ({"settings/base.py": 'INSTALLED_APPS = ["channels"]\n'}, ["test_layer.py:5 KB310"]),
    # a star import from outside the project: the settings are not known
    ({"settings/base.py": 'from shared.settings import *  # noqa: F403\nINSTALLED_APPS = ["channels"]\n'}, []),
])
def test_kb310_kb311_read_the_settings_the_tests_use(tmp_path, extra, flagged):
    files = {".git/HEAD": "", "pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = settings.test\nasyncio_mode = auto\n",
             "settings/__init__.py": "", "settings/base.py": REDIS_BASE,
             "settings/test.py": "from .base import *  # noqa: F403\n", "test_layer.py": LAYER_TEST}
    assert scan_project(tmp_path, {**files, **extra}) == flagged
