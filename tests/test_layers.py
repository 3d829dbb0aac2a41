"""The layers: everything Flask lives in kbbot/web/ (plus the CLI), the core beneath it imports without it."""

import ast
import subprocess
import sys
from pathlib import Path

import kbbot

PACKAGE = Path(kbbot.__file__).parent
WEB_LIBRARIES = ("flask", "flask_login", "flask_wtf", "werkzeug", "wtforms")
MAY_IMPORT_WEB = ("web", "cli.py", "commands")  # relative to kbbot/; kbbot/__init__.py imports nothing


def imported_modules(path):
    """The top-level names of the modules `path` imports (absolute imports only: relative ones stay in kbbot)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def core_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] not in MAY_IMPORT_WEB and relative.parts[0] != "migrations":
            yield relative, path


def test_no_core_module_imports_a_web_library():
    offenders = {
        str(relative): sorted(set(imported_modules(path)) & set(WEB_LIBRARIES))
        for relative, path in core_modules()
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_layer_check_sees_a_web_import(tmp_path):
    module = tmp_path / "leaky.py"
    module.write_text("import os\nfrom flask import g\nfrom .models import User\nimport werkzeug.routing\n")
    assert set(imported_modules(module)) & set(WEB_LIBRARIES) == {"flask", "werkzeug"}


def test_the_core_imports_without_flask_installed():
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in WEB_LIBRARIES)  # import then fails
    code = (
        f"import sys; {blocked}; "
        "import kbbot.support.conversations, kbbot.support.handoffs, kbbot.articles.editing, kbbot.reports, "
        "kbbot.search.engine, kbbot.events, kbbot.db"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert result.returncode == 0, result.stderr
