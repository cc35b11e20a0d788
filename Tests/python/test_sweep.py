"""pdcost.sweep / `pdcost sweep GRID`: every grid point's best plans, locally and with Ray."""

from __future__ import annotations

import json
import math
import warnings

import pytest

import pdcost
from pdcost import sweep as sweep_function
from pdcost.cli import main
from pdcost.search import NoPlanFitsWarning
from pdcost.sweep import grid_points, load_grid, to_table, write_parquet

from conftest import REPO

# Small and quick: 1 model x 2 GPUs (a preset and a what-if) x 2 sizes x (2 training + 1
# serving) = 12 points.
WHAT_IF = {"name": "what-if-hopper", "architecture": "hopper", "memory_gb": 40.0,
           "bf16_tflops": 500.0, "hbm_gb_per_s": 2000.0, "nvlink_gb_per_s": 200.0,
           "network_gb_per_s": 25.0}
GRID = {
    "models": ["llama3-8b"],
    "gpus": ["H100-SXM-80GB", WHAT_IF],
    "num_gpus": [8, 16],
    "training": [{"seq_len": 4096, "global_batch": 64, "micro_batch_sizes": [1, 2]},
                 {"seq_len": 2048, "global_batch": 1}],
    "serving": [{"input_tokens": 1024, "output_tokens": 128, "concurrency": 16}],
    "top_k": 2,
}


def test_points_are_the_product_in_order() -> None:
    points = grid_points(GRID)
    assert len(points) == 1 * 2 * 2 * 3
    assert [p["point"] for p in points] == list(range(12))
    first = points[0]
    assert (first["kind"], first["gpu"]["name"], first["num_gpus"]) == ("training", "H100-SXM-80GB", 8)
    assert [p["kind"] for p in points[:3]] == ["training", "training", "serving"]
    assert points[3]["num_gpus"] == 16 and points[6]["gpu"]["name"] == "what-if-hopper"
    # The what-if GPU keeps every stated number.
    gpu = points[6]["gpu"]
    assert {k: gpu[k] for k in WHAT_IF} == WHAT_IF


@pytest.mark.parametrize("grid, message", [
    ({**GRID, "gpu": ["H100"]}, "unknown key(s) 'gpu'"),
    ({**GRID, "models": []}, "'models' is empty"),
    ({**GRID, "num_gpus": [0]}, "num_gpus entry=0 must be in [1, "),
    ({**GRID, "training": [{"seq_len": 4096}], "serving": []}, "training[0]: give global_batch"),
    ({**GRID, "training": [{"seq_len": 4096, "global_batch": 8, "tp": 2}]}, "training[0]: unknown key(s) 'tp'"),
    ({**GRID, "serving": [{"input_tokens": 8, "output_tokens": 8, "gpu": "A100"}]}, "serving[0]: unknown key(s) 'gpu'"),
    ({**GRID, "top_k": 0}, "top_k=0 must be in [1, "),
    ({**GRID, "num_gpus": [12]}, "num_gpus=12 is not a multiple of gpus_per_node=8 (H100-SXM-80GB's NVLink domain)"),
    ({k: v for k, v in GRID.items() if k not in ("training", "serving")}, "at least one workload"),
])
def test_bad_grids_name_the_key(grid: dict, message: str) -> None:
    with pytest.raises(ValueError) as error:
        grid_points(grid)
    assert message in str(error.value)


@pytest.fixture(scope="module")
def local_rows() -> list[dict]:
    return sweep_function(GRID, workers=2)


def test_rows_are_the_searches_best_plans(local_rows: list[dict]) -> None:
    # Point 0 is the first training workload on 8 H100s: its rows are PDCostModel.search's top 2.
    rows = [r for r in local_rows if r["point"] == 0]
    cm = pdcost.PDCostModel(pdcost.ModelConfig.from_name("llama3-8b"),
                            pdcost.HardwareConfig(gpu="H100-SXM-80GB", gpus_per_node=8),
                            pdcost.TrainingConfig(sequence_length=4096))
    expected = cm.search(global_batch_size=64, micro_batch_sizes=(1, 2), top_k=2).results
    assert [r["rank"] for r in rows] == [1, 2]
    for row, entry in zip(rows, expected):
        assert (row["tp"], row["pp"], row["dp"], row["micro_batch_size"]) == \
            (entry.parallel.tp, entry.parallel.pp, entry.parallel.dp, entry.micro_batch_size)
        assert row["tokens_per_second_per_gpu"] == entry.prediction.tokens_per_second_per_gpu
        # The global batch is kept: mbs x accumulation steps x dp = 64 sequences.
        assert row["micro_batch_size"] * row["gradient_accumulation_steps"] * row["dp"] == 64
        assert json.loads(row["workload"]) == GRID["training"][0]
    # Every point has rows: ranked plans, or one unranked row saying why nothing fits.
    assert sorted({r["point"] for r in local_rows}) == list(range(12))
    for r in local_rows:
        if r["rank"] is None:
            assert r["explanation"]
        else:
            assert r.get("explanation") is None


def test_serving_rows_are_search_serving_best(local_rows: list[dict]) -> None:
    rows = [r for r in local_rows if r["point"] == 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoPlanFitsWarning)
        expected = pdcost.search_serving("llama3-8b", gpu="H100-SXM-80GB", num_gpus=8, max_gpus=8,
                                         input_tokens=1024, output_tokens=128, concurrency=16, top_k=2)
    assert len(rows) == len(expected.top) >= 1
    for row, entry in zip(rows, expected.top):
        assert row["kind"] == "serving"
        assert (row["tp"], row["replicas"], row["engine"]) == (entry.tp, entry.replicas, entry.engine)
        assert row["output_tokens_per_s_per_gpu"] == entry.output_tokens_per_s_per_gpu
        # Concurrency is kept over the deployment (search_serving: replicas vary).
        assert row["concurrency"] == 16
        # num_gpus is the point's budget; the deployment may use fewer.
        assert row["num_gpus"] == 8 and row["deployment_gpus"] == entry.num_gpus <= 8
        assert row["deployment_gpus"] == row["tp"] * row["pp"] * row["replicas"]


def test_what_if_gpu_is_priced_by_its_numbers(local_rows: list[dict]) -> None:
    # Same job on the what-if GPU (500 vs 989.4 dense BF16 TFLOP/s, 2.0 vs 3.35 TB/s HBM): the
    # best plan cannot be faster than on the H100 (every rate is lower).
    h100 = next(r for r in local_rows if r["point"] == 0 and r["rank"] == 1)
    what_if = next(r for r in local_rows if r["point"] == 6 and r["rank"] == 1)
    assert what_if["gpu"] == "what-if-hopper"
    assert what_if["tokens_per_second_per_gpu"] < h100["tokens_per_second_per_gpu"]


def test_single_process_equals_pool(local_rows: list[dict]) -> None:
    assert to_table(sweep_function(GRID, workers=1)).equals(to_table(local_rows))


def test_cli_writes_parquet(tmp_path, capsys) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps(GRID))
    out = tmp_path / "out.parquet"
    assert main(["sweep", str(grid), "-o", str(out), "--workers", "2", "--no-progress"]) == 0
    assert "12 points" in capsys.readouterr().out
    table = pq.read_table(out)
    assert table.equals(to_table(sweep_function(GRID, workers=1)))
    assert {"point", "kind", "model", "gpu", "num_gpus", "workload", "rank"} <= set(table.column_names)


def test_example_grid_loads() -> None:
    pytest.importorskip("yaml")
    grid = load_grid(REPO / "examples" / "sweep.yaml")
    points = grid_points(grid)
    # 2 models x 3 GPUs x 2 sizes x (2 training + 1 serving)
    assert len(points) == 2 * 3 * 2 * 3
    assert {p["gpu"]["name"] for p in points} == {"H100-SXM-80GB", "A100-SXM-80GB", "what-if-hopper-2x-hbm"}


def test_cli_bad_grid_is_a_usage_error(tmp_path, capsys) -> None:
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({**GRID, "num_gpus": [-1]}))
    assert main(["sweep", str(grid), "-o", str(tmp_path / "x.parquet")]) == 2
    assert "num_gpus entry=-1 must be in [1, " in capsys.readouterr().err


def test_ray_equals_local(local_rows: list[dict], tmp_path, capsys) -> None:
    ray = pytest.importorskip("ray")
    pq = pytest.importorskip("pyarrow.parquet")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        rows = sweep_function(GRID, ray=True)  # 12 points, 2 CPUs: 6 tasks of 2 points
        single = sweep_function(GRID, ray=True, ray_chunk=1)
        # The CLI's --ray uses the instance this process is connected to.
        grid = tmp_path / "grid.json"
        grid.write_text(json.dumps(GRID))
        assert main(["sweep", str(grid), "--ray", "-o", str(tmp_path / "cli.parquet"), "--no-progress"]) == 0
    finally:
        ray.shutdown()
    local = write_parquet(local_rows, tmp_path / "local.parquet")
    remote = write_parquet(rows, tmp_path / "ray.parquet")
    assert remote.equals(local)
    assert to_table(single).equals(local)
    assert pq.read_table(tmp_path / "cli.parquet").equals(local)
    assert (tmp_path / "local.parquet").read_bytes() == (tmp_path / "ray.parquet").read_bytes()
    # No NaN slipped in where a number is expected (equals treats NaN as unequal anyway).
    assert all(not (isinstance(v, float) and math.isnan(v))
               for r in rows for k, v in r.items() if k == "tokens_per_second_per_gpu")


def test_point_where_nothing_fits_says_why() -> None:
    # Llama-3-70B's weights alone are 70.6e9 x 2 bytes = 141 GB; with gradients and Adam states
    # (16 bytes per parameter with the distributed optimizer's fp32 copies) no split over 8 GPUs
    # of 40 GiB holds them (8 x 40 GiB = 344 GB < 70.6e9 x 12 bytes of fp32 states alone).
    grid = {"models": ["llama3-70b"], "gpus": [WHAT_IF], "num_gpus": [8],
            "training": [{"seq_len": 4096, "global_batch": 8}]}
    rows = sweep_function(grid, workers=1)
    assert len(rows) == 1 and rows[0]["rank"] is None
    assert rows[0]["explanation"]
    assert "tokens_per_second_per_gpu" not in rows[0]


def test_progress_line_on_stderr(capsys) -> None:
    grid = {**GRID, "num_gpus": [8], "gpus": ["H100-SXM-80GB"], "serving": []}
    sweep_function(grid, workers=1, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err


def test_bad_workload_value_names_the_point() -> None:
    grid = {"models": ["llama3-8b"], "gpus": ["H100-SXM-80GB"], "num_gpus": [8],
            "training": [{"seq_len": 4096, "global_batch": 8, "micro_batch_sizes": [0]}]}
    with pytest.raises(ValueError) as error:
        sweep_function(grid, workers=1)
    assert "grid point 0 (training" in str(error.value) and "llama3-8b on 8x H100-SXM-80GB" in str(error.value)
