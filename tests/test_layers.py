"""The dependency rule: instruments and exports never pull in the web layer."""

import subprocess
import sys


def test_core_packages_import_without_flask():
    code = "import sys, instruments, exports; print('flask' in sys.modules, 'survey' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
