"""harness.overlay: other versions of a library, first on a subprocess's path, installed once."""

import subprocess
from types import SimpleNamespace

import pytest

from harness import overlay as overlay_module
from harness.overlay import overlay, run_python


def test_when_a_folder_is_given_then_its_modules_shadow_the_installed_ones(tmp_path):
    (tmp_path / "asgiref").mkdir()
    (tmp_path / "asgiref" / "__init__.py").write_text('__version__ = "0.0-shadow"\n')
    run = run_python("-c", "import asgiref; print(asgiref.__version__)", overlay=tmp_path)
    assert (run.returncode, run.stdout.strip()) == (0, "0.0-shadow"), run.stderr


def test_when_no_folder_is_given_then_the_installed_version_runs():
    run = run_python("-c", "import asgiref; print(asgiref.__version__)")
    assert run.returncode == 0 and run.stdout.strip() != "0.0-shadow"


def test_when_asked_twice_then_pip_runs_once(tmp_path, monkeypatch):
    calls = []

    def fake_pip(argv, **kwargs):
        calls.append(argv)
        target = argv[argv.index("--target") + 1]
        (overlay_module.Path(target) / "marker.txt").write_text("installed")
        return SimpleNamespace(returncode=0, stdout="", stderr="")

    monkeypatch.setattr(overlay_module, "OVERLAYS", tmp_path)
    monkeypatch.setattr(subprocess, "run", fake_pip)
    first = overlay("somepkg==1.0")
    second = overlay("somepkg==1.0")
    assert first == second and (first / "marker.txt").read_text() == "installed"
    assert len(calls) == 1 and "--no-deps" in calls[0] and "somepkg==1.0" in calls[0]


def test_when_pip_fails_then_runtime_error_and_no_folder_is_left(tmp_path, monkeypatch):
    monkeypatch.setattr(overlay_module, "OVERLAYS", tmp_path)
    monkeypatch.setattr(subprocess, "run", lambda argv, **kw: SimpleNamespace(returncode=1, stdout="", stderr="no such version"))
    with pytest.raises(RuntimeError, match=r"pip could not install \('somepkg==9.9',\):\nno such version"):
        overlay("somepkg==9.9")
    assert list(tmp_path.iterdir()) == []
