"""The README's fine-tuning table is the code's: rendered by the script that writes it (a
`pdcost search` per cell) and compared line for line."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("fine_tuning_table", ROOT / "scripts" / "fine_tuning_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_fine_tuning_table_is_generated() -> None:
    script = _script()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.current_table(readme) == script.render(), \
        "README fine-tuning table is stale: run python scripts/fine_tuning_table.py --write"
