"""The README's accuracy table is the code's: rendered from `pdcost validate` on the published
runs (shared/validation/dev_runs.json, beside the repository in CI) by the same script that
writes it, and compared line for line."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT.parent / "shared" / "validation" / "dev_runs.json"


def _script():
    spec = importlib.util.spec_from_file_location("accuracy_table", ROOT / "scripts" / "accuracy_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not RUNS.exists(), reason=f"the published runs are not beside the repository ({RUNS})")
def test_readme_table_is_generated_from_validation() -> None:
    script = _script()
    table = script.render(script.report(RUNS))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.current_table(readme) == table, \
        "README accuracy table is stale: run python scripts/accuracy_table.py --write"


SERVING_RUNS = ROOT.parent / "shared" / "validation" / "inference_dev_runs.json"


@pytest.mark.skipif(not SERVING_RUNS.exists(), reason=f"the published serving runs are not beside the repository ({SERVING_RUNS})")
def test_readme_serving_table_is_generated_from_validation() -> None:
    script = _script()
    table = script.render_serving(script.report(SERVING_RUNS))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.current_table(readme, script.SERVING_BEGIN, script.SERVING_END) == table, \
        "README serving accuracy table is stale: run python scripts/accuracy_table.py --write"
