"""Type checking is part of the test run: `pip install -e '.[test]' && pytest` (and so CI's
.ci/run) runs mypy over the package, with the settings in pyproject.toml's [tool.mypy]."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.long  # conftest schedules it first, so it runs beside the rest rather than after
def test_mypy_finds_no_errors(tmp_path: Path) -> None:
    # The cache lives with the checkout (reused between runs, ignored by git), never in a
    # directory another worker is writing; a fresh clone checks from scratch in about 10 s (0.2 s warm).
    cache = os.environ.get("MYPY_CACHE_DIR", str(ROOT / ".mypy_cache"))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", cache],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"mypy found errors:\n{result.stdout}{result.stderr}"


def test_every_type_ignore_names_its_error() -> None:
    # mypy itself refuses a bare ignore (ignore-without-code) and an unneeded one (warn_unused_ignores);
    # this keeps the why: every ignore says on its line, or the line above, why it is there.
    unexplained = []
    for path in sorted((ROOT / "salesdesk").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if "# type: ignore[" not in line:
                continue
            after = line.split("# type: ignore[", 1)[1].split("]", 1)[1]
            above = lines[number - 2].strip() if number > 1 else ""
            if "#" not in after and not above.startswith("#"):
                unexplained.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not unexplained, "type: ignore without a why:\n" + "\n".join(unexplained)
