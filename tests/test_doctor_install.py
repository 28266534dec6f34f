"""``kb doctor`` from a wheel installed outside the repository: the rules ship in the package,
the verb scans a project there, and the proof paths it prints are the installed knowledge's.
Select or skip it with ``-m install`` (the wheel is built and installed once per run, into the
virtualenv tests/test_install.py reads too: ``installed_venv``)."""

import json
import os

import pytest
from test_install import built_wheel, checked, clean_env, installed_venv, run  # noqa: F401 - fixtures

from kb import REPO
from kb.doctor.engine import all_rules

pytestmark = pytest.mark.install


def test_the_installed_wheel_runs_kb_doctor_with_every_rule(tmp_path, installed_venv):  # noqa: F811
    assert not tmp_path.resolve().is_relative_to(REPO.resolve())
    python, site, _ = installed_venv
    env = clean_env()
    env["PATH"] = f"{python.parent}{os.pathsep}{env['PATH']}"
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    (project / "tests" / "test_run.py").write_text(
        "import asyncio\n\nimport pytest\n\n\n@pytest.mark.asyncio\nasync def test_a():\n"
        "    asyncio.run(asyncio.sleep(0))\n", encoding="utf-8")
    found = run([python.parent / "kb", "doctor", "--format", "json"], project, env)
    assert found.returncode == 1, found.stdout + found.stderr
    (finding,) = json.loads(found.stdout)["findings"]
    assert (finding["code"], finding["path"], finding["line"]) == ("KB300", "tests/test_run.py", 8)
    assert finding["writeup"] == str(site / "kb" / "_knowledge" / "context" / "sync-async-boundary.md")
    shipped = checked([python, "-c", "from kb.doctor.engine import all_rules; print(len(all_rules()))"], project, env)
    assert int(shipped.stdout) == len(all_rules())
