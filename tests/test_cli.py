"""The thin CLI: a verb table, lazy verb modules, one-line errors and exit codes."""

import subprocess
import sys
from pathlib import Path

import pytest
from kbfixture import write_entry

from kb import cli


def test_every_verb_module_has_the_verb_interface():
    for verb in cli.VERBS:
        module = cli.load_verb(verb)
        assert callable(module.add_arguments) and callable(module.run) and module.__doc__


def test_when_no_verb_is_given_then_help_and_exit_2(capsys):
    assert cli.main([]) == 2
    assert capsys.readouterr().err.startswith("usage: kb [-h] VERB ...")


def test_when_help_is_asked_then_exit_0(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(f"    {verb} " in out for verb in ("list", "triage", "new", "lint", "run", "soak", "site", "readme"))


def test_when_a_verb_is_unknown_then_usage_error_exit_2(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_when_a_verb_module_is_missing_then_only_that_verb_fails_with_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(cli.VERBS, "ghost", "no_such_module")
    assert cli.main(["ghost", "--anything"]) == 2
    assert capsys.readouterr().err == "kb ghost: unavailable: module kb.no_such_module is missing\n"
    write_entry(tmp_path)
    assert cli.main(["list", "--root", str(tmp_path)]) == 0
    assert cli.main(["--help"]) == 0
    assert "ghost     (unavailable: module kb.no_such_module is missing)" in capsys.readouterr().out


def test_when_a_verb_module_is_broken_then_the_others_still_work(monkeypatch, capsys, tmp_path):
    real_import = cli.importlib.import_module

    def import_module(name):
        if name == "kb.half_written":
            raise RuntimeError("half written")
        return real_import(name)

    monkeypatch.setattr(cli.importlib, "import_module", import_module)
    monkeypatch.setitem(cli.VERBS, "broken", "half_written")
    assert cli.main(["broken"]) == 2
    assert capsys.readouterr().err == ("kb broken: unavailable: module kb.half_written cannot be imported "
                                       "(RuntimeError: half written)\n")
    write_entry(tmp_path)
    assert cli.main(["list", "--root", str(tmp_path)]) == 0


@pytest.mark.parametrize("command", [[sys.executable, "-m", "kb"], [str(Path(sys.executable).parent / "kb")]],
                         ids=["python -m kb", "console script"])
def test_kb_runs_as_a_module_and_as_a_console_script_from_any_folder(command, tmp_path):
    if not Path(command[0]).exists():
        pytest.skip(f"{command[0]} is not installed")
    write_entry(tmp_path)
    proc = subprocess.run([*command, "list", "--root", str(tmp_path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines()[1].startswith("echo-refused  The echo consumer refuses every connection")
