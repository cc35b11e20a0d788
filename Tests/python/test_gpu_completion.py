"""Custom GPUs: architecture as a field, completion of unknown numbers, the CLI's GPU files.

Expected numbers are datasheet values (cited), never the library's own output."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pdcost import GPUSpec, HardwareConfig, ModelConfig, ParallelConfig, PDCostModel, TrainingConfig
from pdcost.errors import InvalidArgumentError


def test_seed_h800_is_completed_from_the_preset():
    gpu = GPUSpec(name="H800", memory_gb=79.6, bf16_tflops=788.0)
    assert gpu.bf16_tflops == 788.0          # stated numbers win
    assert gpu.memory_gb == 79.6
    assert gpu.nvlink_gb_per_s == 200.0      # H800 datasheet: NVLink 400 GB/s bidirectional
    assert gpu.hbm_gb_per_s == 3350.0        # H800 datasheet: 3.35 TB/s
    assert gpu.architecture == "hopper" and gpu.supports_fp8 is True
    filled = {f.field: f for f in gpu.filled_in}
    for name in ("architecture", "nvlink_gb_per_s", "hbm_gb_per_s", "fp8_tflops", "tdp_watts",
                 "network_gb_per_s", "pcie_gb_per_s", "gpus_per_node"):
        assert name in filled, name
    assert "bf16_tflops" not in filled and "memory_gb" not in filled
    assert filled["nvlink_gb_per_s"].value == 200.0
    assert filled["nvlink_gb_per_s"].source == "preset H800-SXM-80GB"
    assert filled["architecture"].value == "hopper"


def test_a_preset_has_nothing_filled_in():
    assert GPUSpec.from_name("H100-SXM-80GB").filled_in == ()


def test_uncompletable_gpu_is_rejected_at_construction_naming_the_python_field():
    with pytest.raises(InvalidArgumentError) as error:
        GPUSpec(name="Mystery-1", memory_gb=80, bf16_tflops=500)
    message = str(error.value)
    assert message.startswith("GPUSpec.hbm_gb_per_s=0 is unknown and no preset or architecture")
    assert "set GPUSpec.architecture or the number" in message
    assert "in->" not in message


def test_architecture_completes_a_gpu_without_a_preset():
    # Half an H100 SXM's BF16 (989.4 / 2): FP8 halves too (1978.9 / 2), bandwidths are the H100's.
    gpu = GPUSpec(name="Lab-Part", architecture="hopper", bf16_tflops=494.7)
    assert abs(gpu.fp8_tflops - 1978.9 / 2) < 0.01
    assert gpu.nvlink_gb_per_s == 450.0 and gpu.memory_gb == 80
    with pytest.raises(ValueError, match="architecture"):
        GPUSpec(name="Lab-Part", architecture="turing", bf16_tflops=100)


def test_blackwell_ultra_completes_from_the_b300():
    # A Blackwell Ultra part with only its BF16 rate stated: the B300 reference (2.25 PFLOPS BF16,
    # 4.5 FP8 dense, 7.7 TB/s; NVIDIA HGX B300) scaled by 2.5 / 2.25 for the peaks, its HBM as is.
    gpu = GPUSpec(name="Lab-Ultra", architecture="blackwell_ultra", bf16_tflops=2500)
    assert gpu.architecture == "blackwell_ultra"
    assert abs(gpu.fp8_tflops - 5000) < 0.01
    assert gpu.hbm_gb_per_s == 7700.0
    assert gpu.supports_fp4 is True


def _step_ms(gpu: GPUSpec) -> float:
    model = ModelConfig.from_name("llama3-8b")
    hardware = HardwareConfig(gpu=gpu, num_nodes=1, gpus_per_node=8)
    training = TrainingConfig(micro_batch_size=1, sequence_length=4096)
    return PDCostModel(model, hardware, training).predict(ParallelConfig(tp=2, dp=4)).step_time_ms


def test_the_name_does_not_decide_the_architecture():
    # The A100 80GB SXM datasheet numbers under three names predict the same step.
    numbers = dict(memory_gb=80, fp32_tflops=19.5, tf32_tflops=156, fp16_tflops=312,
                   bf16_tflops=312, hbm_gb_per_s=2039, nvlink_gb_per_s=300, network_gb_per_s=25,
                   pcie_gb_per_s=32, tdp_watts=400, gpus_per_node=8)
    steps = [_step_ms(GPUSpec(name="A100-SXM-80GB", **numbers)),
             _step_ms(GPUSpec(name="HGX-A100-80GB", **numbers)),
             _step_ms(GPUSpec(name="Baseline-A100", architecture="ampere", **numbers))]
    assert steps[0] == steps[1] == steps[2]


def test_prediction_reports_the_filled_gpu_values():
    model = ModelConfig.from_name("llama3-8b")
    hardware = HardwareConfig(gpu=GPUSpec(name="H800", memory_gb=79.6, bf16_tflops=788.0),
                              num_nodes=1, gpus_per_node=8)
    result = PDCostModel(model, hardware, TrainingConfig(sequence_length=4096)).predict(
        ParallelConfig(tp=2, dp=4))
    assert {f.field for f in result.gpu_filled_in} >= {"nvlink_gb_per_s", "architecture"}
    assert json.loads(json.dumps(result.to_dict()))["gpu_filled_in"]


def test_new_presets_datasheet_numbers():
    # Dense = the datasheets' sparse figures / 2.
    assert GPUSpec.from_name("L40S").bf16_tflops == 362.05            # L40S datasheet
    assert GPUSpec.from_name("L40S").architecture == "ada"
    assert GPUSpec.from_name("H20").hbm_gb_per_s == 4000              # 4.0 TB/s
    assert GPUSpec.from_name("A800").nvlink_gb_per_s == 200           # 400 GB/s bidirectional
    assert GPUSpec.from_name("A100-40GB").memory_gb == 40
    assert GPUSpec.from_name("H100-NVL").bf16_tflops == 1671 / 2
    assert GPUSpec.from_name("H100-PCIe").fp8_tflops == 3026 / 2
    assert GPUSpec.from_name("RTX-4090").bf16_tflops == 165.2         # Ada whitepaper, FP32 acc.


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pdcost", *args], capture_output=True, text=True)


def test_cli_gpu_file_and_explain(tmp_path):
    path = tmp_path / "my_gpu.json"
    path.write_text(json.dumps({"name": "H800", "memory_gb": 79.6, "bf16_tflops": 788.0}))
    explain = run("gpu", "--explain", str(path))
    assert explain.returncode == 0, explain.stderr
    lines = {line.split()[0]: line for line in explain.stdout.splitlines()[2:] if line.strip()}
    assert "stated" in lines["bf16_tflops"] and "788" in lines["bf16_tflops"]
    assert "filled from preset H800-SXM-80GB" in lines["nvlink_gb_per_s"]
    assert " 200 " in lines["nvlink_gb_per_s"]
    as_json = json.loads(run("gpu", "--explain", str(path), "--json").stdout)
    assert as_json["gpu"]["nvlink_gb_per_s"] == 200
    assert any(f["field"] == "nvlink_gb_per_s" for f in as_json["filled_in"])

    predicted = run("predict", "--model", "llama3-8b", "--gpu", str(path), "--gpus", "8",
                    "--tp", "2", "--json")
    assert predicted.returncode == 0, predicted.stderr
    report = json.loads(predicted.stdout)
    assert report["gpu"] == "H800"

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "H800", "nvlink_gbps": 100}))
    failed = run("gpu", "--explain", str(bad))
    assert failed.returncode != 0 and "nvlink_gbps" in failed.stderr
