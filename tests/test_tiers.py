"""The fast tier (`make test-fast`: not browser, not process) must stay fast: every test
that starts another process (gunicorn, a subprocess, writer processes, a scratch database
for them) carries the `process` marker, on itself or on its module."""

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
STARTS_A_PROCESS = re.compile(
    r"subprocess\.(run|Popen|call|check_output)|\bPopen\(|loadtest\.gunicorn|"
    r"multiprocessing|scratch_database"
)


def _marks(decorators):
    return {ast.unparse(d) for d in decorators}


def _module_is_marked(tree):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            return "pytest.mark.process" in ast.unparse(node.value)
    return False


def unmarked_process_tests(path):
    """Tests in `path` that start a process, directly, through a module-level helper or
    fixture they name, and carry no `process` marker."""
    tree = ast.parse(path.read_text())
    if _module_is_marked(tree):
        return []
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    sources = {name: ast.unparse(node) for name, node in functions.items()}
    found = []
    for name, node in functions.items():
        if not name.startswith("test_") or "pytest.mark.process" in _marks(node.decorator_list):
            continue
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        used |= {a.arg for a in node.args.args}
        reached = [sources[name]] + [sources[u] for u in used if u in sources and u != name]
        if any(STARTS_A_PROCESS.search(text) for text in reached):
            found.append(f"{path.relative_to(TESTS)}::{name}")
    return found


def test_every_test_that_starts_a_process_is_marked_process():
    unmarked = [
        test
        for path in sorted(TESTS.rglob("test_*.py"))
        if "browser" not in path.parts and path.name != "test_tiers.py"
        for test in unmarked_process_tests(path)
    ]
    assert unmarked == []


def test_the_tier_check_finds_an_unmarked_subprocess_test(tmp_path):
    sample = TESTS / "_tier_sample_test.py"
    try:
        sample.write_text(
            "import subprocess\n\n"
            "def start():\n    return subprocess.run(['true'])\n\n"
            "def test_starts():\n    start()\n"
        )
        assert unmarked_process_tests(sample) == ["_tier_sample_test.py::test_starts"]
    finally:
        sample.unlink()
