"""The seed's Python API, run verbatim: every ```python block of shared/seeds/000_*.txt (the
product description users know) is executed as written, in order, in one namespace, with only
what the seed leaves implicit supplied: the imports it omits, its `...` placeholders filled, and
its `Qwen3-30B-A3B-Base/config.json` laid out from the real Hugging Face file. Blocks that
measure a GPU run when one is present and otherwise must raise NoDeviceError."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

import pdcost
from pdcost import NoDeviceError, _native

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
QWEN3_30B = REPO / "Tests" / "PDCostTests" / "Fixtures" / "hf_configs" / "Qwen__Qwen3-30B-A3B.json"

#: Blocks (0-based, in file order) that calibrate on a GPU.
GPU_BLOCKS = {3, 4, 5, 19, 20}
#: The imports each block uses without writing them (the seed shows fragments of one session).
PRELUDE = ("from pdcost import (PDCostModel, ModelConfig, ParallelConfig, TrainingConfig, "
           "HardwareConfig, GPUSpec)\n")


def _seed_blocks() -> list[str]:
    files = sorted(SEEDS.glob("000_*.txt"))
    if not files:
        pytest.skip(f"the seed is not beside the repository ({SEEDS})")
    raw = files[0].read_text(encoding="utf-8", errors="replace")
    text = raw.encode("cp1252", errors="replace").decode("utf-8", errors="replace")
    return re.findall(r"```python\n(.*?)```", text, re.S)


def _fill_placeholders(code: str) -> str:
    # `predict_calibrated(parallel, seq_len=8192, ...)`: the seed elides the other arguments;
    # the call is complete without them.
    return code.replace(", ...)", ")")


def _has_gpu() -> bool:
    return bool(json.loads(_native.cuda_available()).get("available"))


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> dict[int, str]:
    """Runs every block; returns each block's printed output (or the GPU error's text)."""
    blocks = _seed_blocks()
    assert len(blocks) == 21, "the seed's python blocks changed: review this test"
    work = tmp_path_factory.mktemp("seed")
    (work / "Qwen3-30B-A3B-Base").mkdir()
    shutil.copy(QWEN3_30B, work / "Qwen3-30B-A3B-Base" / "config.json")
    namespace: dict[str, object] = {}
    exec(PRELUDE, namespace)
    outputs: dict[int, str] = {}
    cwd = os.getcwd()
    os.chdir(work)
    try:
        for index, block in enumerate(blocks):
            code = _fill_placeholders(block)
            out = io.StringIO()
            if index in GPU_BLOCKS and not _has_gpu():
                with pytest.raises(NoDeviceError) as error, contextlib.redirect_stdout(out):
                    exec(compile(code, f"seed block {index}", "exec"), namespace)
                outputs[index] = str(error.value)
                continue
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"seed block {index}", "exec"), namespace)
            outputs[index] = out.getvalue()
    finally:
        os.chdir(cwd)
    outputs[-1] = namespace  # type: ignore[assignment]
    return outputs


def test_every_block_runs(seed_run: dict[int, str]) -> None:
    assert len([k for k in seed_run if k >= 0]) == 21


def test_quick_start_prints_its_three_lines(seed_run: dict[int, str]) -> None:
    lines = seed_run[0].splitlines()
    assert [line.split(":")[0] for line in lines] == ["Step Time", "Memory", "MFU"]
    # MFU is a share of the peak, printed as a percentage below 100 %.
    mfu = float(lines[2].split(":")[1].strip().rstrip("%"))
    assert 0 < mfu < 100


def test_gpu_blocks_say_what_is_missing(seed_run: dict[int, str]) -> None:
    if _has_gpu():
        pytest.skip("a GPU is present: the calibration blocks ran")
    for index in GPU_BLOCKS:
        assert seed_run[index], f"block {index}: NoDeviceError without a message"


def test_h800_search_finds_plans(seed_run: dict[int, str]) -> None:
    # The seed's custom GPU (name, memory and BF16 peak only) is completed from the H800 preset,
    # and the search returns ranked plans (the seed prints five).
    lines = [line for line in seed_run[15].splitlines() if line.startswith("#")]
    assert 1 <= len(lines) <= 5
    assert all("tok/s/GPU" in line and "tp=" in line for line in lines)
    namespace = seed_run[-1]
    gpu = namespace["hardware"].gpu  # type: ignore[index, attr-defined]
    assert gpu.bf16_tflops == 788.0 and gpu.memory_gb == 79.6


def test_yaml_example_prints_the_result(seed_run: dict[int, str]) -> None:
    text = seed_run[16]
    assert "Step Time:" in text and "tok/s/GPU" in text and "Allocated" in text and "Reserved" in text


def test_offload_lowers_optimizer_memory(seed_run: dict[int, str]) -> None:
    # Block 11: the seed's offload example (no offload, then 95 % of the optimizer states on the
    # host) leaves 5 % of the optimizer states on the GPU.
    namespace = seed_run[-1]
    cm = namespace["costmodel"]
    parallel = namespace["parallel"]
    plain = cm.predict(parallel).memory_breakdown  # type: ignore[attr-defined]
    if parallel.dp == 1:  # type: ignore[attr-defined]
        pytest.skip("offload needs a sharding group")
    offloaded = cm.predict(parallel, tensorwise_offload_optimizer=True,  # type: ignore[attr-defined]
                           tensorwise_offload_ratio=0.95).memory_breakdown
    assert offloaded.optimizer_memory_gb == pytest.approx(0.05 * plain.optimizer_memory_gb, rel=1e-9)


def test_package_exports_what_the_seed_imports() -> None:
    for name in ("PDCostModel", "ModelConfig", "ParallelConfig", "quick_calibrate",
                 "HardwareCalibrator", "create_calibrated_hardware_config"):
        assert hasattr(pdcost, name)
    from pdcost.config import GPUSpec, HardwareConfig, TrainingConfig  # noqa: F401
