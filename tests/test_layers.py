"""The dependency rule: instruments and exports never pull in the web layer."""

import subprocess
import sys


def test_core_packages_import_without_flask():
    code = "import sys, instruments, exports; print('flask' in sys.modules, 'survey' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


BLUEPRINTS = ("admin", "centre", "official", "review")


def test_blueprints_share_through_shared_modules_only():
    """No blueprint package imports another's modules: shared words, scorecard and files live in survey/."""
    import ast
    from pathlib import Path

    root = Path(__file__).parent.parent / "survey"
    found = []
    for name in BLUEPRINTS:
        for path in (root / name).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level >= 2:
                    target = (node.module or "").split(".")[0]
                    if target in BLUEPRINTS and target != name:
                        found.append(f"{path.relative_to(root)} imports {node.module}")
                elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("survey."):
                    target = node.module.split(".")[1]
                    if target in BLUEPRINTS and target != name:
                        found.append(f"{path.relative_to(root)} imports {node.module}")
    assert found == []
