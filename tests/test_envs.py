"""kb.envs: environments for other versions (overlays, small venvs, sets), one key, one error."""

import subprocess
from types import SimpleNamespace

import pytest

from kb import envs as overlay_module
from kb.envs import EnvError, cache_key, interpreter, overlay, run_python, venv_python


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


def test_when_pip_fails_then_one_line_error_and_no_folder_is_left(tmp_path, monkeypatch):
    monkeypatch.setattr(overlay_module, "OVERLAYS", tmp_path)
    monkeypatch.setattr(subprocess, "run", lambda argv, **kw: SimpleNamespace(returncode=1, stdout="", stderr="no such version"))
    with pytest.raises(EnvError, match=r"^overlay somepkg==9.9: no such version$"):
        overlay("somepkg==9.9")
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == []


def test_the_cache_key_changes_with_the_interpreter_the_requirements_and_the_inputs():
    key = cache_key("3.12.1", ["pytest==8.3.5"], "/pins/site-packages")
    assert key == cache_key("3.12.1", ["pytest==8.3.5"], "/pins/site-packages")
    assert len({key, cache_key("3.12.2", ["pytest==8.3.5"], "/pins/site-packages"),
                cache_key("3.12.1", ["pytest==8.4.0"], "/pins/site-packages"),
                cache_key("3.12.1", ["pytest==8.3.5"], "/other/site-packages")}) == 4


def test_when_a_venv_cannot_install_then_one_line_names_it_and_the_next_call_builds_again(tmp_path, monkeypatch):
    calls = []

    def fake_uv(argv, **kwargs):
        calls.append(argv)
        failing = "install" in argv
        return SimpleNamespace(returncode=int(failing), stdout="",
                               stderr="error: No solution found when resolving dependencies:\n  ╰─▶ nope\n" if failing else "")

    monkeypatch.setattr(overlay_module, "VENVS", tmp_path)
    monkeypatch.setattr(overlay_module, "find_uv", lambda: "uv")
    monkeypatch.setattr(subprocess, "run", fake_uv)
    for _ in range(2):
        with pytest.raises(EnvError) as failed:
            venv_python("somepkg==9.9")
        assert str(failed.value).endswith(": No solution found when resolving dependencies: nope")
        assert str(failed.value).startswith("venv somepkg==9.9 on Python ") and "\n" not in str(failed.value)
    assert [argv[1] for argv in calls] == ["venv", "pip", "venv", "pip"]


def test_when_the_interpreter_is_missing_then_env_error_names_it():
    with pytest.raises(EnvError, match=r"^Python 2\.9: no such interpreter"):
        interpreter("2.9")


def test_overlays_and_small_venvs_are_installed_with_their_bytecode_compiled(tmp_path, monkeypatch):
    """Their programs run with PYTHONDONTWRITEBYTECODE: uncompiled, every start compiles again."""
    calls = []

    def fake_uv(argv, **kwargs):
        calls.append(argv)
        if "--target" in argv:
            overlay_module.Path(argv[argv.index("--target") + 1]).joinpath("marker.txt").write_text("x")
        if argv[1] == "venv":  # the folder a real uv would make, where the stamp goes
            overlay_module.Path(argv[-1]).mkdir(parents=True)
        return SimpleNamespace(returncode=0, stdout="", stderr="")

    monkeypatch.setattr(overlay_module, "OVERLAYS", tmp_path / "overlays")
    monkeypatch.setattr(overlay_module, "VENVS", tmp_path / "venvs")
    monkeypatch.setattr(overlay_module, "find_uv", lambda: "uv")
    monkeypatch.setattr(subprocess, "run", fake_uv)
    overlay("somepkg==1.0")
    venv_python("somepkg==1.0")
    installs = [argv for argv in calls if argv[1:3] == ["pip", "install"]]
    assert len(installs) == 2 and all("--compile-bytecode" in argv for argv in installs), calls


def test_an_interpreter_is_looked_up_once_per_process(monkeypatch):
    found = []

    def fake_find(version):
        found.append(version)
        return overlay_module.Path(f"/opt/python{version}/bin/python{version}")

    monkeypatch.setattr(overlay_module, "find_python", fake_find)
    monkeypatch.setattr(overlay_module, "_found", {})
    assert interpreter("3.99") == interpreter("3.99") == overlay_module.Path("/opt/python3.99/bin/python3.99")
    assert found == ["3.99"]
