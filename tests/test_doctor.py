"""``kb doctor``: the verb's output, exit codes, selection, suppression, configuration and
versions, run as users run it (``python -m kb doctor``) on small projects written here; and
``kb lint``'s proof on the corpus, which fails on a planted trap or a fixed variant still flagged.
The rules' own examples are checked in tests/test_doctor_rules.py."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kb import REPO
from kb.doctor import engine
from kb.doctor.versions import from_file
from kb.lint_doctor import entry_proof, negative_proof, rule_codes

TRAP = '''\
import asyncio

import pytest


async def answer():
    return 42


@pytest.mark.asyncio
async def test_a():
    assert asyncio.run(answer()) == 42
'''
LAYER = '''\
CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://r"]}}
}
'''


def kb(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("KB_ROOT", "KB_PATH")}
    return subprocess.run([sys.executable, "-m", "kb", "doctor", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_run.py").write_text(TRAP, encoding="utf-8")
    return tmp_path


def test_when_a_trap_is_found_then_file_line_col_code_entry_message_and_exit_1(project):
    run = kb("tests", cwd=project)
    assert run.returncode == 1, run.stderr
    first, fix = run.stdout.splitlines()[:2]
    assert first == ("tests/test_run.py:12:12  KB300  sync-async-boundary  asyncio.run() inside an async "
                     "function: a loop already runs in this thread ('cannot be called from a running event loop')")
    assert fix == "    fix: await the coroutine"
    assert "1 finding (KB300 x1) in 1 file; versions from the running environment" in run.stdout
    assert f"sync-async-boundary: {REPO / 'context' / 'sync-async-boundary.md'}" in run.stdout


def test_when_nothing_is_found_then_exit_0(project):
    (project / "tests" / "test_run.py").write_text(TRAP.replace("asyncio.run(answer())", "await answer()"))
    run = kb(cwd=project)
    assert (run.returncode, run.stdout.splitlines()[0]) == (0, "0 findings in 1 file; versions from the "
                                                                 "running environment")


@pytest.mark.parametrize("args, message", [
    (["missing"], "kb doctor: no such file or folder: missing\n"),
    (["--select", "KB999"], "kb doctor: --select: unknown code 'KB999' (kb doctor --help; README lists the rules)\n"),
    (["--requirements", "nope.txt"], "kb doctor: no such requirements file: nope.txt\n"),
])
def test_when_input_is_bad_then_one_line_and_exit_2(project, args, message):
    run = kb(*args, cwd=project)
    assert (run.returncode, run.stdout, run.stderr) == (2, "", message)


def test_when_the_config_table_is_malformed_then_exit_2(project):
    (project / "pyproject.toml").write_text("[tool.kb.doctor]\nselect = 'KB300'\n", encoding="utf-8")
    run = kb(cwd=project)
    assert run.returncode == 2 and run.stderr.endswith(
        "[tool.kb.doctor] takes select, ignore and requirements, each a list\n"), run.stderr


def test_an_ignore_comment_drops_its_code_only(project):
    test = project / "tests" / "test_run.py"
    test.write_text(TRAP.replace("== 42\n", "== 42  # kb: ignore[KB300]\n"), encoding="utf-8")
    assert kb(cwd=project).returncode == 0
    test.write_text(TRAP.replace("== 42\n", "== 42  # kb: ignore[KB301]\n"), encoding="utf-8")
    assert kb(cwd=project).returncode == 1
    test.write_text(TRAP.replace("== 42\n", "== 42  # kb: ignore\n"), encoding="utf-8")
    assert kb(cwd=project).returncode == 0


def test_select_and_ignore_from_the_command_line_and_the_config_table(project):
    assert kb("--ignore", "KB30", cwd=project).returncode == 0
    assert kb("--select", "KB24", cwd=project).returncode == 0
    assert kb("--select", "KB300", cwd=project).returncode == 1
    (project / "pyproject.toml").write_text("[tool.kb.doctor]\nignore = ['KB300']\n", encoding="utf-8")
    assert kb(cwd=project).returncode == 0


def test_version_rules_follow_the_requirements_the_project_pins(project):
    (project / "settings.py").write_text(LAYER, encoding="utf-8")
    (project / "requirements.txt").write_text("redis==7.4.0\nchannels-redis==4.3.0\n", encoding="utf-8")
    assert "KB280" not in kb("settings.py", cwd=project).stdout
    (project / "requirements.txt").write_text("redis==8.1.0\nchannels-redis==4.0.0\n", encoding="utf-8")
    found = json.loads(kb("settings.py", "--format", "json", cwd=project).stdout)
    (finding,) = found["findings"]
    assert (finding["code"], finding["path"], finding["line"]) == ("KB280", "settings.py", 2)
    assert finding["fix"].startswith("channels-redis 4.0 drops every key of a URL host")
    assert found["versions"]["redis"] == "8.1.0" and found["versions_from"].endswith("requirements.txt")
    (project / "requirements.txt").unlink()
    (project / "pins.txt").write_text("Django==5.2\n", encoding="utf-8")  # redis not named: unknown
    run = kb("settings.py", "--requirements", "pins.txt", cwd=project)
    assert "(on redis >=8, channels-redis >=4.0; redis, channels-redis version unknown)" in run.stdout
    # channels-redis 3.x talks to Redis through aioredis: redis-py 8's default never reaches it
    (project / "pins.txt").write_text("redis==8.1.0\nchannels-redis==3.4.1\n", encoding="utf-8")
    assert "KB280" not in kb("settings.py", "--requirements", "pins.txt", cwd=project).stdout


def test_lock_files_are_read(tmp_path):
    lock = tmp_path / "uv.lock"
    lock.write_text('version = 1\n[[package]]\nname = "Redis"\nversion = "8.0.2"\n'
                    '[[package]]\nname = "pytest_asyncio"\nversion = "0.23.8"\n', encoding="utf-8")
    assert from_file(lock) == {"redis": "8.0.2", "pytest-asyncio": "0.23.8"}
    poetry = tmp_path / "poetry.lock"
    poetry.write_text(lock.read_text(), encoding="utf-8")
    assert from_file(poetry) == from_file(lock)


def test_a_file_that_does_not_parse_is_named_and_skipped(project):
    (project / "tests" / "test_broken.py").write_text("def broken(:\n", encoding="utf-8")
    run = kb(cwd=project)
    assert run.returncode == 1
    assert "skipped: " in run.stdout and "test_broken.py: not readable Python (skipped)" in run.stdout


def test_sarif_has_what_sarif_2_1_0_and_github_code_scanning_require(project):
    run = kb("--format", "sarif", cwd=project)
    assert run.returncode == 1
    log = json.loads(run.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "kb doctor"
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == [r.code for r in engine.all_rules()]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
    (result,) = sarif_run["results"]
    assert result["ruleId"] == "KB300" and ids[result["ruleIndex"]] == "KB300"
    assert result["level"] in ("none", "note", "warning", "error") and result["message"]["text"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "tests/test_run.py"  # relative, forward slashes
    assert location["region"] == {"startLine": 12, "startColumn": 12}
    schema = os.environ.get("KB_SARIF_SCHEMA")  # the OASIS schema is not ours to ship
    if schema:
        import jsonschema

        jsonschema.validate(log, json.loads(Path(schema).read_text(encoding="utf-8")))


def test_the_corpus_proof_holds():
    rules = engine.all_rules()
    entries = sorted(p.name for p in (REPO / "corpus").iterdir() if p.is_dir() and not p.name.startswith("_"))
    problems = [p for e in entries for p in entry_proof(REPO, e, rules)]
    problems += negative_proof(REPO, rules) + rule_codes(REPO, rules)
    assert [p.format(REPO) for p in problems] == []


def test_the_corpus_proof_fails_on_an_unflagged_scenario_and_a_flagged_fixed_variant(tmp_path):
    folder = tmp_path / "corpus" / "sync-async-boundary"
    (folder / "scenarios").mkdir(parents=True)
    (folder / "fixed").mkdir()
    (folder / "scenarios" / "test_planted.py").write_text(TRAP, encoding="utf-8")
    (folder / "scenarios" / "test_silent.py").write_text("def test_a():\n    pass\n", encoding="utf-8")
    (folder / "fixed" / "test_still_broken.py").write_text(TRAP, encoding="utf-8")
    problems = [p.message for p in entry_proof(tmp_path, "sync-async-boundary")]
    assert problems == [
        "no rule of sync-async-boundary flags this scenario: add one (kb/doctor/rules/) or say why in "
        "corpus/sync-async-boundary/doctor.txt",
        "the fixed variant is flagged: KB300 at line 12 (asyncio.run() inside an async function: a loop "
        "already runs in this thread ('cannot be called from a running event loop'))",
    ]
    (folder / "doctor.txt").write_text("test_silent.py: not statically visible: nothing to see\n"
                                       "test_planted.py: not statically visible: claimed\n", encoding="utf-8")
    (folder / "fixed" / "test_still_broken.py").write_text(TRAP.replace("asyncio.run(answer())", "await answer()"))
    assert [p.message for p in entry_proof(tmp_path, "sync-async-boundary")] == [
        "test_planted.py is listed as not statically visible, yet KB300 flags it (line 12): drop the line"]


def test_the_plugin_prints_the_findings_before_the_tests_run(project):
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    run = subprocess.run([sys.executable, "-m", "pytest", "--kb-doctor", "-p", "no:cacheprovider", "tests"],
                         cwd=project, capture_output=True, text=True, timeout=120, env=env)
    lines = run.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip("= ") == "kb doctor")
    assert lines[header + 1].startswith("tests/test_run.py:12:12  KB300  sync-async-boundary  "), run.stdout
    progress = next(i for i, line in enumerate(lines) if line.startswith("tests/test_run.py ") and "[100%]" in line)
    assert header < progress, run.stdout  # printed before the first test ran
    plain = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests"], cwd=project,
                           capture_output=True, text=True, timeout=120, env=env)
    assert not any(line.strip("= ") == "kb doctor" for line in plain.stdout.splitlines())


def test_the_site_lists_each_rule_with_its_examples_under_its_entry(tmp_path):
    from markupsafe import escape

    from kb.site import render

    render(build=tmp_path)
    page = (tmp_path / "site" / "origin-validator.html").read_text(encoding="utf-8")
    rules = [r for r in engine.all_rules() if r.entry == "origin-validator"]
    assert rules
    for rule in rules:
        assert f'<h3 id="{rule.code}"><code>{rule.code}</code> {rule.name}</h3>' in page
        assert str(escape(rule.flags[0])) in page and str(escape(rule.passes[0])) in page
    assert 'id="KB300"' not in page  # another entry's rule is not here


def test_the_readme_lists_every_rule():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    def row(rule):
        versions = ", ".join(f"{package} {spec}" for package, spec in rule.versions.items()) or "any"
        return f"| {rule.code} | `{rule.entry}` | {rule.name} | {versions} |"

    assert [row(r) for r in engine.all_rules() if row(r) not in readme] == []


def test_the_sync_orm_rule_needs_django_3_which_added_synchronous_only_operation(project):
    (project / "test_orm.py").write_text("from django.contrib.auth.models import User\n\nasync def test_a():\n"
                                         "    assert User.objects.get(pk=1).username == 'alice'\n", encoding="utf-8")
    (project / "pins.txt").write_text("Django==3.0.14\n", encoding="utf-8")
    run = kb("test_orm.py", "--requirements", "pins.txt", cwd=project).stdout
    assert "KB302" in run and "the async ORM (aget, acreate, ...) is new in Django 4.1" in run
    (project / "pins.txt").write_text("Django==5.2.19\n", encoding="utf-8")
    assert "fix: use the async ORM (aget" in kb("test_orm.py", "--requirements", "pins.txt", cwd=project).stdout
    (project / "pins.txt").write_text("Django==2.2.28\n", encoding="utf-8")  # no SynchronousOnlyOperation yet
    assert "KB302" not in kb("test_orm.py", "--requirements", "pins.txt", cwd=project).stdout
