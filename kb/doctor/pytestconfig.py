"""The pytest settings a rule depends on, read from the nearest pytest configuration file
(``pytest.ini``, ``pyproject.toml``'s ``[tool.pytest.ini_options]``, ``tox.ini``, ``setup.cfg``)."""

import configparser
import re
from pathlib import Path


def read_pytest_config(folder: Path) -> dict | None:
    keys = ("asyncio_mode", "asyncio_default_fixture_loop_scope", "django_settings_module")
    for name, section in (("pytest.ini", "pytest"), ("pyproject.toml", None), ("tox.ini", "pytest"),
                          ("setup.cfg", "tool:pytest")):
        path = folder / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            if section is None:
                import tomllib

                table = tomllib.loads(text).get("tool", {}).get("pytest", {}).get("ini_options")
                if table is None:
                    continue
            else:
                parser = configparser.ConfigParser(interpolation=None)
                parser.read_string(text)
                if not parser.has_section(section):
                    continue
                table = dict(parser.items(section))
        except Exception:  # noqa: BLE001 - an unreadable config is read as pytest's defaults
            continue
        table = {str(k).lower(): v for k, v in table.items()}
        found = {k: str(table[k]).strip() for k in keys if k in table}
        addopts = str(table.get("addopts", ""))
        if m := re.search(r"--asyncio-mode[= ](\w+)", addopts):
            found["asyncio_mode"] = m.group(1)
        if m := re.search(r"--ds[= ]([\w.]+)", addopts):
            found["django_settings_module"] = m.group(1)
        return found
    return None
