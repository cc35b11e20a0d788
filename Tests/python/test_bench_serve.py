"""pdcost.bench serve / client / report.

Without torch: the metric definitions on hand-made timings, the client against a stub
OpenAI-compatible streaming server (stdlib http.server on a loopback port, SSE in chunked
transfer encoding), the records through `pdcost validate`, and the report. With torch
(skipped otherwise): a tiny random-weight model (2 layers, hidden 64) generates with the KV
cache the same greedy tokens as a full recompute without a cache, and every parallel
strategy (TP, PP, DP replicas, TP×PP; gloo, spawned processes) generates the same tokens;
one torchrun run of the CLI writes a record that `pdcost validate` accepts.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pdcost.bench.serving_records import (ClientSettings, RequestResult, ServeConfig,
                                          ServeMeasurement, _percentile, build_serve_record,
                                          request_metrics, serving_schema_problems,
                                          static_batch_metrics)

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")

TINY = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 64,
        "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 2,
        "num_hidden_layers": 2, "vocab_size": 256, "tie_word_embeddings": False,
        "hidden_act": "silu", "max_position_embeddings": 512, "name": "tiny-qwen2"}

# GPT-2 style: learned positions, LayerNorm, biased projections (the row-split bias path).
TINY_GPT = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": 64,
            "n_head": 4, "n_layer": 2, "n_positions": 64, "vocab_size": 256,
            "activation_function": "gelu_new", "name": "tiny-gpt2"}


# -- metrics on hand-made timings --------------------------------------------------------------

def test_static_batch_metrics_by_hand() -> None:
    config = ServeConfig(model="x", batch_size=2, input_tokens=8, output_tokens=4, dp=2)
    # Replica 0: tokens at 0.5, 0.6, 0.7, 0.8 s; replica 1 at 0.4, 0.5, 0.6, 1.0 s.
    m = ServeMeasurement(replica_step_times=[[[0, 0.5, 0.6, 0.7, 0.8]], [[0, 0.4, 0.5, 0.6, 1.0]]],
                         peak_allocated_bytes=None, peak_reserved_bytes=None, gpu_name="cpu",
                         num_gpus=2, gpus_per_node=2)
    v = static_batch_metrics(m, config)
    assert v["ttft_ms"] == pytest.approx(450)            # (500 + 400) / 2
    assert v["itl_ms"] == pytest.approx(1000 * (0.1 * 5 + 0.4) / 6)   # six gaps
    assert v["tpot_ms"] == pytest.approx((300 / 3 + 600 / 3) / 2)     # (e2e - ttft)/(4 - 1)
    assert v["e2e_latency_ms"] == pytest.approx(900)
    # 2 replicas × 2 sequences × 4 tokens over the slowest replica's 1.0 s.
    assert v["output_tokens_per_s"] == pytest.approx(16)
    assert v["total_tokens_per_s"] == pytest.approx(4 * 12 / 1.0)
    assert v["requests_per_s"] == pytest.approx(4)
    with pytest.raises(ValueError, match="want 5"):
        static_batch_metrics(ServeMeasurement([[[0, 1]]], None, None, "cpu", 1, 1),
                             ServeConfig(model="x", output_tokens=4))


def test_request_metrics_follow_vllm_definitions() -> None:
    a = RequestResult(True, start=0.0, chunk_times=[0.2, 0.3, 0.5], end=0.55, prompt_tokens=10,
                      output_tokens=3)
    b = RequestResult(True, start=1.0, chunk_times=[1.1, 1.2], end=1.25, prompt_tokens=10)
    failed = RequestResult(False, start=0.0, error="HTTP 500")
    v = request_metrics([a, b, failed], duration_s=2.0)
    assert v["completed"] == 2 and v["failed"] == 1
    assert v["ttft_ms"] == pytest.approx(150)               # (200 + 100) / 2
    assert v["itl_ms"] == pytest.approx((100 + 200 + 100) / 3)
    assert v["tpot_ms"] == pytest.approx((350 / 2 + 150 / 1) / 2)
    assert v["e2e_latency_ms"] == pytest.approx((550 + 250) / 2)
    assert v["output_tokens_per_s"] == pytest.approx(5 / 2)   # 3 (usage) + 2 (chunks)
    assert v["total_tokens_per_s"] == pytest.approx(25 / 2)
    # numpy.percentile's linear interpolation: [1, 2, 3, 4] -> p50 2.5, p99 3 + 0.97.
    assert _percentile([4, 1, 3, 2], 50) == pytest.approx(2.5)
    assert _percentile([4, 1, 3, 2], 99) == pytest.approx(3.97)


BLOCK_TORCH = "import sys; sys.modules['torch'] = None; "


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("command,option", [("serve", "--batch-size"), ("client", "--concurrency"),
                                            ("report", "--no-predictions")])
def test_help_works_without_torch(command: str, option: str) -> None:
    done = _python(BLOCK_TORCH + f"from pdcost.bench.__main__ import main; main(['{command}', '--help'])")
    assert done.returncode == 0, done.stderr
    assert option in done.stdout


def test_serve_without_torch_exits_3() -> None:
    done = _python(BLOCK_TORCH + "from pdcost.bench.__main__ import main; "
                   "sys.exit(main(['serve', '--model', 'gpt2', '--layers', '1']))")
    assert done.returncode == 3 and "pip install torch" in done.stderr


def test_client_settings_validation() -> None:
    base = dict(url="http://127.0.0.1:1", served_model="m", model="qwen2.5-0.5b")
    with pytest.raises(ValueError, match="concurrency"):
        ClientSettings(**base)
    with pytest.raises(ValueError, match="request_rate"):
        ClientSettings(**base, request_rate=0.0)
    with pytest.raises(ValueError, match="framework"):
        ClientSettings(**base, concurrency=1, framework="nim")
    assert ClientSettings(**base, request_rate=2.0).scenario == "online_request_rate"
    assert ClientSettings(**base, concurrency=2).scenario == "online_fixed_concurrency"


# -- stub OpenAI-compatible server -------------------------------------------------------------

PREFILL_S, TOKEN_S = 0.08, 0.03


class _Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    chunked = True
    """Chunked transfer encoding (uvicorn's SSE), or an HTTP/1.0 stream ended by closing."""

    def _chunk(self, data: bytes) -> None:
        if self.chunked:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        else:
            self.wfile.write(data)
        self.wfile.flush()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Stub.seen.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        if self.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.close_connection = True
        self.end_headers()
        n = int(body["max_tokens"])
        chat = "messages" in body
        time.sleep(PREFILL_S)
        for i in range(n):
            if i:
                time.sleep(TOKEN_S)
            choice = {"index": 0, "delta": {"content": f" t{i}"}} if chat else {"index": 0, "text": f" t{i}"}
            self._chunk(b"data: " + json.dumps({"choices": [choice]}).encode() + b"\n\n")
        prompt = len(body.get("prompt") or [])
        usage = {"choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": n}}
        self._chunk(b"data: " + json.dumps(usage).encode() + b"\n\n")
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")


class _StubClosing(_Stub):
    protocol_version = "HTTP/1.0"
    chunked = False


@pytest.fixture()
def stub_server() -> Any:
    yield from _serve(_Stub)


@pytest.fixture()
def closing_stub_server() -> Any:
    yield from _serve(_StubClosing)


def _serve(handler: Any) -> Any:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Stub.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _validate_text(path: Path) -> str:
    from pdcost.cli import main

    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["validate", str(path)])
    assert status == 0, out.getvalue()
    return out.getvalue()


def test_client_closed_loop_against_stub(stub_server: str, tmp_path: Path) -> None:
    from pdcost.bench.__main__ import main

    out = tmp_path / "client.json"
    status = main(["client", "--url", stub_server, "--served-model", "stub",
                   "--model", "qwen2.5-0.5b", "--gpu", "H100-SXM-80GB", "--framework", "vllm",
                   "--input-tokens", "16", "--output-tokens", "6", "--num-requests", "6",
                   "--concurrency", "2", "--out", str(out), "--quiet"])
    assert status == 0
    record = json.loads(out.read_text())["runs"][0]
    assert serving_schema_problems(record) == []
    m = record["measured"]
    # The stub's own delays: first token after 80 ms, then one every 30 ms.
    assert m["ttft_ms"] == pytest.approx(1e3 * PREFILL_S, abs=40)
    assert m["itl_ms"] == pytest.approx(1e3 * TOKEN_S, abs=15)
    assert m["tpot_ms"] == pytest.approx(1e3 * TOKEN_S, abs=15)
    assert m["e2e_latency_ms"] == pytest.approx(1e3 * (PREFILL_S + 5 * TOKEN_S), abs=60)
    assert m["output_tokens"] == 6 and m["concurrency"] == 2
    assert record["serving"]["scenario"] == "online_fixed_concurrency"
    assert record["complete"] is True
    # 6 requests + the untimed probe; every prompt is 16 token ids, max_tokens 6, streamed.
    assert len(_Stub.seen) == 7
    assert all(len(b["prompt"]) == 16 and b["max_tokens"] == 6 and b["stream"] for b in _Stub.seen)
    # Two in flight, three rounds of ~230 ms: between 2 and 3 rounds' worth of tokens/s.
    per_request = PREFILL_S + 5 * TOKEN_S
    assert 36 / (3 * per_request + 0.5) < m["output_tokens_per_s"] <= 36 / (3 * per_request)
    # `pdcost validate` predicts it (the serving part: MAPE per source group) ...
    text = _validate_text(out)
    assert "predicted 1, skipped 0" in text and "pdcost-bench-client-vllm" in text
    # ... and `python -m pdcost.bench compare` lists predicted / measured per record.
    from pdcost.bench.compare import compare

    line = next(x for x in compare(out).splitlines() if x.startswith(record["id"] + ":"))
    assert "ttft_ms " in line and f"/{m['ttft_ms']:.4g}" in line and "skipped" not in line


def test_client_open_loop_chat_against_stub(stub_server: str) -> None:
    from pdcost.bench.client import run_client

    settings = ClientSettings(url=stub_server, endpoint="/v1/chat/completions",
                              served_model="stub", model="qwen2.5-0.5b", gpu="H100-SXM-80GB",
                              framework="sglang", input_tokens=8, output_tokens=4,
                              num_requests=5, request_rate=20.0)
    record = run_client(settings)
    assert record["serving"]["scenario"] == "online_request_rate"
    assert record["measured"]["request_rate"] == 20.0
    assert record["measured"]["ttft_ms"] == pytest.approx(1e3 * PREFILL_S, abs=40)
    assert "messages" in _Stub.seen[-1]


def test_client_reads_a_stream_ended_by_close(closing_stub_server: str) -> None:
    from pdcost.bench.client import run_client

    record = run_client(ClientSettings(url=closing_stub_server, served_model="stub",
                                       model="qwen2.5-0.5b", gpu="H100-SXM-80GB",
                                       input_tokens=4, output_tokens=3, num_requests=2,
                                       concurrency=2))
    assert record["measured"]["output_tokens"] == 3 and record["complete"] is True
    assert record["measured"]["itl_ms"] == pytest.approx(1e3 * TOKEN_S, abs=15)


def test_client_unreachable_server_fails_cleanly() -> None:
    from pdcost.bench.__main__ import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    status = main(["client", "--url", f"http://127.0.0.1:{port}", "--served-model", "m",
                   "--model", "qwen2.5-0.5b", "--gpu", "H100-SXM-80GB", "--concurrency", "1",
                   "--num-requests", "1", "--quiet"])
    assert status == 2


# -- report ------------------------------------------------------------------------------------

def _serve_record(tp: int, dp: int, seconds_per_token: float,
                  device: str = "NVIDIA H100 80GB HBM3") -> dict[str, Any]:
    from pdcost.bench.serving_records import resolve_serve_model

    config = ServeConfig(model="qwen2.5-0.5b", batch_size=4, input_tokens=64, output_tokens=3,
                         tp=tp, dp=dp, device="cpu" if device == "cpu" else "cuda")
    times = [[[0, 0.1, 0.1 + seconds_per_token, 0.1 + 2 * seconds_per_token]]] * dp
    m = ServeMeasurement(times, 2 << 30, 3 << 30, device, tp * dp, 8,
                         environment={"torch": "2.8.0"})
    return build_serve_record(config, resolve_serve_model(config), m)


def test_serve_record_and_report(tmp_path: Path) -> None:
    from pdcost.bench.report import parallel_efficiency, load_rows, write_report

    records = [_serve_record(1, 1, 0.02), _serve_record(1, 2, 0.02), _serve_record(2, 1, 0.015)]
    for r in records:
        assert serving_schema_problems(r) == []
    one = records[0]
    assert one["hardware"]["gpu"] == "H100-SXM-80GB" and one["framework"] == "pytorch"
    assert one["measured"]["output_tokens_per_s"] == pytest.approx(4 * 3 / 0.14, abs=1e-3)
    assert one["measured"]["peak_allocated_gib"] == 2.0
    cpu = _serve_record(1, 1, 0.02, device="cpu")
    assert cpu["hardware"]["gpu"] == "cpu" and cpu["precision"]["weights"] == "fp32"
    path = tmp_path / "runs.json"
    path.write_text(json.dumps({"schema": "pdcost.runs/1", "runs": records + [cpu]}))
    # `pdcost validate` predicts the GPU records as the engine "pytorch" (the eager loop) and
    # says why the CPU one is not predicted.
    text = _validate_text(path)
    assert "predicted 3, skipped 1" in text
    from pdcost.bench.compare import compare

    table = compare(path)
    assert "not one of" not in table
    assert f"{cpu['id']}: skipped: hardware.gpu='cpu'" in table
    _, rows = load_rows([path])
    eff = {r.id: e for r, _b, e in parallel_efficiency(rows)}
    # dp=2: the same batch per replica at the same speed -> 2x throughput on 2 GPUs: 100 %.
    assert eff[records[1]["id"]] == pytest.approx(1.0, rel=1e-4)
    # tp=2: e2e 0.13 s instead of 0.14 s on 2 GPUs: (12/0.13) / (2 · 12/0.14) = 0.14/0.26.
    assert eff[records[2]["id"]] == pytest.approx(0.14 / 0.26, rel=1e-4)
    written = write_report([path], tmp_path / "report")
    names = {Path(p).name for p in written}
    assert {"report.md", "report.html"} <= names
    html_text = (tmp_path / "report" / "report.html").read_text()
    assert records[2]["id"] in html_text and "<script" not in html_text
    if importlib.util.find_spec("matplotlib") is not None:
        assert {"throughput_vs_gpus_inference.svg", "latency_vs_throughput.svg",
                "parallel_efficiency.svg"} <= names
        assert html_text.count("<svg") >= 3 and 'src="' not in html_text
    else:
        assert "matplotlib" in (tmp_path / "report" / "report.md").read_text()


def test_report_predicted_vs_measured_from_client_record(stub_server: str, tmp_path: Path) -> None:
    from pdcost.bench.client import run_client
    from pdcost.bench.report import write_report

    record = run_client(ClientSettings(url=stub_server, served_model="stub", model="qwen2.5-0.5b",
                                       gpu="H100-SXM-80GB", input_tokens=8, output_tokens=4,
                                       num_requests=3, concurrency=1))
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"schema": "pdcost.runs/1", "runs": [record]}))
    write_report([path], tmp_path / "r")
    md = (tmp_path / "r" / "report.md").read_text()
    section = md.split("## Predicted vs measured")[1]
    assert record["id"] in section and "ttft_ms" in section


# -- the eager loop (torch) --------------------------------------------------------------------

def _reference_tokens(config: ServeConfig) -> list[list[int]]:
    """Greedy tokens by full recompute without a cache (DecoderLM.forward on the whole
    sequence each step), from the same weights and prompts as the cached loop."""
    import torch

    from pdcost.bench.serve import Layout, _build

    runner = _build(config, Layout(), torch, torch.device("cpu"), torch.float32)
    vocab = runner.model.config.vocab_size
    generator = torch.Generator(device="cpu").manual_seed(config.seed + 1)
    ids = torch.randint(0, vocab, (config.batch_size, config.input_tokens), generator=generator)
    out = []
    with torch.inference_mode():
        for _ in range(config.output_tokens):
            token = runner.model(ids)[:, -1, :].argmax(dim=-1, keepdim=True)
            out.append(token)
            ids = torch.cat([ids, token], dim=1)
    return torch.cat(out, dim=1).tolist()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world: int, port: int, config: ServeConfig, queue: Any) -> None:
    import torch

    torch.set_num_threads(1)  # several processes on a 2-core CI machine
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE=str(world),
                      RANK=str(rank), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(world))
    from pdcost.bench.serve import run_serve

    measurement = run_serve(config)
    if measurement is not None:
        queue.put((measurement.tokens, [len(r) for r in measurement.replica_step_times]))
    from pdcost.bench.serve import teardown

    teardown()


def _spawn(config: ServeConfig) -> tuple[Any, Any]:
    import torch.multiprocessing as mp

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    world = config.world_size
    mp.spawn(_worker, args=(world, _free_port(), config, queue), nprocs=world, join=True)
    return queue.get(timeout=60)


@needs_torch
@pytest.mark.parametrize("model", [TINY, TINY_GPT], ids=["qwen2", "gpt2"])
def test_cached_generation_equals_full_recompute(model: dict[str, Any]) -> None:
    from pdcost.bench.serve import run_serve

    config = ServeConfig(model=model, batch_size=2, input_tokens=5, output_tokens=6,
                         device="cpu", warmup_runs=0, runs=2)
    measurement = run_serve(config)
    assert measurement is not None
    assert measurement.tokens == [_reference_tokens(config)]
    v = static_batch_metrics(measurement, config)
    assert v["ttft_ms"] > 0 and v["e2e_latency_ms"] >= v["ttft_ms"]
    assert measurement.peak_allocated_bytes is None          # no allocator statistics on CPU


@needs_torch
@pytest.mark.parametrize("tp,pp,dp", [(2, 1, 1), (1, 2, 1), (1, 1, 2), (2, 2, 1)],
                         ids=["tp2", "pp2", "dp2", "tp2xpp2"])
def test_parallel_strategies_generate_the_same_tokens(tp: int, pp: int, dp: int) -> None:
    config = ServeConfig(model=TINY_GPT if tp == 2 and pp == 1 else TINY, batch_size=2,
                         input_tokens=5, output_tokens=4, tp=tp, pp=pp, dp=dp, device="cpu",
                         warmup_runs=0, runs=1)
    tokens, runs = _spawn(config)
    reference = _reference_tokens(ServeConfig(**{**config.to_dict(), "model": config.model,
                                                 "tp": 1, "pp": 1, "dp": 1}))
    assert tokens[0] == reference
    assert len(tokens) == dp and runs == [1] * dp


@needs_torch
@pytest.mark.skipif(shutil.which("torchrun") is None and not Path(sys.executable).with_name("torchrun").exists(),
                    reason="torchrun is not on PATH")
def test_torchrun_cli_record_is_accepted_by_validate(tmp_path: Path) -> None:
    config_path = tmp_path / "tiny.json"
    config_path.write_text(json.dumps(TINY))
    out = tmp_path / "serve.json"
    torchrun = shutil.which("torchrun") or str(Path(sys.executable).with_name("torchrun"))
    proc = subprocess.run(
        [torchrun, "--nproc-per-node", "2", "--master-port", str(_free_port()), "-m",
         "pdcost.bench", "serve", "--model", str(config_path), "--tp", "2", "--device", "cpu",
         "--batch-size", "2", "--input-tokens", "8", "--output-tokens", "4", "--runs", "1",
         "--out", str(out), "--quiet"],
        capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.loads(out.read_text())["runs"][0]
    assert serving_schema_problems(record) == []
    assert record["parallel"]["tp"] == 2 and record["hardware"]["num_gpus"] == 2
    assert record["precision"]["weights"] == "fp32" and record["complete"] is False
    assert math.isfinite(record["measured"]["ttft_ms"])
    text = _validate_text(out)
    assert "predicted 0, skipped 1" in text and "hardware.gpu='cpu'" in text
