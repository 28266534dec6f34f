"""kb.knowledge_root: $KB_ROOT, else the source checkout, else the installed copy."""

import kb


def test_when_kb_root_is_set_then_it_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("KB_ROOT", str(tmp_path))
    assert kb.knowledge_root() == tmp_path.resolve()


def test_when_running_from_the_checkout_then_its_folder_is_the_root(monkeypatch):
    monkeypatch.delenv("KB_ROOT", raising=False)
    assert kb.knowledge_root() == kb.PACKAGE.parent
    assert (kb.knowledge_root() / "context").is_dir()


def test_when_kb_is_not_in_a_checkout_then_the_installed_copy_is_the_root(monkeypatch, tmp_path):
    monkeypatch.delenv("KB_ROOT", raising=False)
    (tmp_path / "context").mkdir()  # a site-packages with some package named "context"
    monkeypatch.setattr(kb, "PACKAGE", tmp_path / "kb")
    monkeypatch.setattr(kb, "INSTALLED", tmp_path / "kb" / "_knowledge")
    assert kb.knowledge_root() == tmp_path / "kb" / "_knowledge"
