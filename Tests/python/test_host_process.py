"""pdcost is safe in any host process (include/pdcost.h, Threads): fork after a parallel search,
paths that are not regular files, the GIL released while a document is parsed, the module's
subinterpreter declaration, and caches that stay bounded."""

from __future__ import annotations

import json
import os
import signal
import stat
import sys
import threading
import time

import pytest
from conftest import GPT2_CONFIG

from pdcost import CalibrationProfile, ModelConfig, ParallelConfig, PDCostModel, _native
from pdcost.config import GPUSpec, HardwareConfig, TrainingConfig
from pdcost.costmodel import CACHE_SIZE
from pdcost.errors import PDCostIOError


def _cost_model(gpus: int = 16) -> PDCostModel:
    hardware = HardwareConfig(gpu=GPUSpec.from_name("H100-SXM-80GB"), num_nodes=gpus // 8,
                              gpus_per_node=8)
    return PDCostModel(ModelConfig.from_name("llama3-8b"), hardware,
                       TrainingConfig(sequence_length=4096))


def _search_summary(cm: PDCostModel, threads: int) -> list[tuple[object, ...]]:
    result = cm.search(global_batch_size=128, micro_batch_sizes=(1, 2), recompute=("none", "full"),
                       max_vpp=2, max_cp=2, top_k=5, threads=threads)
    return [(e.parallel.tp, e.parallel.pp, e.parallel.dp, e.parallel.cp, e.parallel.vpp,
             e.micro_batch_size, e.prediction.tokens_per_second) for e in result.results]


# -- fork ------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork")
def test_child_of_a_fork_after_a_parallel_search_searches_again() -> None:
    cm = _cost_model()
    expected = _search_summary(cm, threads=1)
    assert expected and _search_summary(cm, threads=2) == expected
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.close(read_end)
            signal.alarm(20)  # a hung search dies of SIGALRM
            summary = _search_summary(cm, threads=2)
            os.write(write_end, json.dumps(summary).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
        pytest.fail("the forked child's 2-thread search did not return within 30 s")
    with os.fdopen(read_end, "rb") as pipe:
        reported = pipe.read()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"child wait status {status}"
    assert [tuple(row) for row in json.loads(reported)] == expected
    # And the parent still searches after forking.
    assert _search_summary(cm, threads=2) == expected


# -- paths that are not regular files ------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "config.fifo"
    os.mkfifo(path)
    assert stat.S_ISFIFO(os.stat(path).st_mode)
    # A blocked open() would hang the test run: SIGALRM turns it into an error.
    previous = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("blocked on a FIFO"))
    signal.alarm(20)
    yield path
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _readers():
    """Every public entry point that takes a file path, by name."""
    from pdcost import fitting
    return {
        "ModelConfig.from_json": ModelConfig.from_json,             # the library reads it
        "_native.model_from_file": _native.model_from_file,
        "TrainingConfig.from_json": TrainingConfig.from_json,       # Python reads these
        "HardwareConfig.from_json": HardwareConfig.from_json,
        "CalibrationProfile.load": CalibrationProfile.load,
        "fit": lambda path: fitting.fit(path),
    }


@pytest.mark.parametrize("reader", sorted(_readers()))
def test_a_fifo_is_refused_at_once(fifo, reader: str) -> None:
    with pytest.raises(PDCostIOError, match="is a FIFO, not a regular file") as info:
        _readers()[reader](fifo)
    assert str(fifo) in str(info.value)
    assert info.value.status == "PDCOST_EIO"


@pytest.mark.parametrize("reader", sorted(_readers()))
def test_a_directory_is_refused(tmp_path, reader: str) -> None:
    with pytest.raises(PDCostIOError, match="is a directory, not a regular file") as info:
        _readers()[reader](tmp_path)
    assert str(tmp_path) in str(info.value)


def test_a_device_is_refused() -> None:
    with pytest.raises(PDCostIOError, match="'/dev/zero': is a character device"):
        ModelConfig.from_json("/dev/zero")
    with pytest.raises(PDCostIOError, match="'/dev/null': is a character device"):
        TrainingConfig.from_json("/dev/null")


def test_a_missing_file_is_still_an_os_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        TrainingConfig.from_json(tmp_path / "missing.json")


# -- the GIL is released while a document is parsed ---------------------------------------------


def _big_config() -> bytes:
    """A valid config.json of about 21 MiB: GPT-2's, padded with a key the loader ignores."""
    padding = b"[" + b"0," * (21 << 19) + b"0]"
    head = json.dumps(GPT2_CONFIG).encode()
    return head[:-1] + b', "pdcost_test_padding": ' + padding + b"}"


def _ticks_during(call) -> tuple[int, float]:
    """Runs call() while a thread records timestamps whenever it holds the GIL; returns how
    many it recorded in the middle 80% of the call, and the call's duration."""
    ticks: list[float] = []
    stop = threading.Event()

    def counter() -> None:
        last = 0.0
        while not stop.is_set():
            now = time.perf_counter()
            if now - last > 0.002:
                ticks.append(now)
                last = now

    thread = threading.Thread(target=counter)
    thread.start()
    time.sleep(0.05)
    start = time.perf_counter()
    call()
    end = time.perf_counter()
    stop.set()
    thread.join()
    margin = (end - start) * 0.1
    return sum(1 for t in ticks if start + margin < t < end - margin), end - start


@pytest.mark.parametrize("source", ["bytes", "str", "path"])
def test_another_thread_runs_while_a_big_config_is_parsed(tmp_path, source) -> None:
    data = _big_config()
    assert 20 << 20 < len(data) < 64 << 20
    path = tmp_path / "config.json"
    path.write_bytes(data)
    arg = {"bytes": data, "str": data.decode(), "path": str(path)}[source]
    parse = _native.model_from_file if source == "path" else _native.model_from_json
    models = []
    ticks, seconds = _ticks_during(lambda: models.append(parse(arg)))
    assert json.loads(models[0].to_json())["num_hidden_layers"] == GPT2_CONFIG["n_layer"]
    # The thread ticks every 2 ms when it can run: with the GIL held for the whole call it
    # could not tick at all inside it.
    assert seconds > 0.05, f"parsing took only {seconds:.3f} s; pad the document more"
    assert ticks >= 3, f"{ticks} ticks during a {seconds:.3f} s parse"


# -- the subinterpreter declaration ---------------------------------------------------------------


def _interpreters_module():
    for name in ("_interpreters", "_xxsubinterpreters"):
        try:
            return __import__(name)
        except ImportError:
            continue
    return None


@pytest.mark.skipif(sys.version_info < (3, 12) or _interpreters_module() is None,
                    reason="isolated subinterpreters (own GIL) need CPython 3.12+")
def test_isolated_subinterpreter_imports_and_calls_back(tmp_path) -> None:
    """The module declares Py_MOD_PER_INTERPRETER_GIL_SUPPORTED: an isolated interpreter (own
    GIL; CPython refuses modules that do not declare support) imports it and runs a search
    whose progress callback runs in that interpreter (PyGILState would have run it under the
    main interpreter's thread state)."""
    interpreters = _interpreters_module()
    out = tmp_path / "out.json"
    script = f"""
import json, sys
sys.path[:0] = {sys.path!r}
from pdcost import ModelConfig, PDCostModel
from pdcost.config import GPUSpec, HardwareConfig, TrainingConfig
hardware = HardwareConfig(gpu=GPUSpec.from_name("H100-SXM-80GB"), num_nodes=2, gpus_per_node=8)
cm = PDCostModel(ModelConfig.from_name("llama3-8b"), hardware, TrainingConfig(sequence_length=4096))
try:
    import _interpreters as interpreters
except ImportError:
    import _xxsubinterpreters as interpreters
here = interpreters.get_current()
assert here != interpreters.get_main()
calls = []
def progress(done, total):
    # Runs in this interpreter, not under another interpreter's thread state.
    calls.append((done, total, interpreters.get_current() == here))
    return False
result = cm.search(global_batch_size=128, micro_batch_sizes=(1, 2), recompute=("none", "full"),
                   max_vpp=2, max_cp=2, top_k=5, threads=2, progress=progress)
rows = [[e.parallel.tp, e.parallel.pp, e.parallel.dp, e.parallel.cp, e.parallel.vpp,
         e.micro_batch_size, e.prediction.tokens_per_second] for e in result.results]
with open({str(out)!r}, "w") as f:
    json.dump({{"rows": rows, "calls": calls}}, f)
"""
    interp = interpreters.create()  # "isolated" by default: own GIL, extensions checked
    try:
        failure = interpreters.run_string(interp, script)  # 3.12 raises, 3.13 returns it
    finally:
        interpreters.destroy(interp)
    assert failure is None, failure
    got = json.loads(out.read_text())
    assert [tuple(r) for r in got["rows"]] == _search_summary(_cost_model(), threads=1)
    assert got["calls"], "the progress callback was never called"
    done, total, _ = got["calls"][-1]
    assert done == total > 0
    assert all(in_own for _, _, in_own in got["calls"]), "a callback ran in another interpreter"


# -- bounded caches -------------------------------------------------------------------------------


def test_twenty_thousand_setups_keep_the_caches_at_their_bound() -> None:
    cm = PDCostModel(ModelConfig.from_name("qwen3-30b-a3b"))
    plan = ParallelConfig(tp=1, pp=1, dp=8, ep=8)
    first = cm.predict(plan, seq_len=1000, settings={"moe_capacity_factor": 1.0})
    for i in range(20_000):
        cm.predict(plan, seq_len=1000 + i, settings={"moe_capacity_factor": 1.0 + i / 1000})
        assert len(cm._cache) <= CACHE_SIZE and len(cm._settings_reports) <= CACHE_SIZE
    assert len(cm._cache) == CACHE_SIZE == 64
    assert len(cm._settings_reports) == CACHE_SIZE
    # An evicted setup is rebuilt on demand, with the same answer.
    again = cm.predict(plan, seq_len=1000, settings={"moe_capacity_factor": 1.0})
    assert again.step_time_ms == first.step_time_ms and again.settings == first.settings
