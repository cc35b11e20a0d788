"""``python -m pdcost.bench client``: drive a running OpenAI-compatible server (vLLM, SGLang,
TensorRT-LLM's trtllm-serve) and record what a user sees.

Standard library only (asyncio streams, no aiohttp). Each request is a streamed
``POST /v1/completions`` (or ``/v1/chat/completions``) with ``input_tokens`` random prompt
token ids, ``max_tokens = output_tokens``, ``ignore_eos`` and ``stream_options.include_usage``,
as vLLM's serving benchmark sends them (benchmarks/backend_request_func.py
``async_request_openai_completions``). Load:

* closed loop (``concurrency``): at most that many requests in flight, the next one sent as
  soon as one finishes (vLLM ``--max-concurrency`` with ``--request-rate inf``);
* open loop (``request_rate``): Poisson arrivals, exponential gaps of mean 1/rate (vLLM
  ``get_request`` with burstiness 1: gamma(shape=1, scale=1/rate)), optionally capped by
  ``concurrency``.

The metrics are vLLM's (serving_records.request_metrics).
"""

from __future__ import annotations

import asyncio
import json
import random
import ssl
import time
from typing import Any, Callable
from urllib.parse import urlsplit

from .serving_records import ClientSettings, RequestResult, request_metrics

__all__ = ["run_client", "stream_request"]

#: Seconds one request may take before it counts as failed (vLLM AIOHTTP_TIMEOUT: 6 hours).
REQUEST_TIMEOUT_S = 6 * 3600


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]):
    """The response body as it arrives: chunked transfer encoding (RFC 9112 §7.1), a
    Content-Length, or everything until the server closes."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size_line = await reader.readline()
            if not size_line:
                return
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readline()
                return
            data = await reader.readexactly(size)
            await reader.readexactly(2)  # CRLF after the chunk
            yield data
    elif "content-length" in headers:
        yield await reader.readexactly(int(headers["content-length"]))
    else:
        while True:
            data = await reader.read(65536)
            if not data:
                return
            yield data


def _text_of(event: dict[str, Any]) -> str:
    choices = event.get("choices") or []
    if not choices:
        return ""
    choice = choices[0]
    if "text" in choice:                       # /v1/completions
        return choice.get("text") or ""
    return (choice.get("delta") or {}).get("content") or ""   # /v1/chat/completions


async def stream_request(url: str, payload: dict[str, Any], prompt_tokens: int,
                         headers: dict[str, str] | None = None) -> RequestResult:
    """Sends one streamed request; returns its chunk arrival times (perf_counter)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    context = ssl.create_default_context() if parts.scheme == "https" else None
    body = json.dumps(payload).encode()
    path = parts.path or "/"
    request = (f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}:{port}\r\n"
               "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
               + "\r\n").encode() + body
    result = RequestResult(success=False, prompt_tokens=prompt_tokens)
    result.start = time.perf_counter()
    writer = None
    try:
        reader, writer = await asyncio.open_connection(parts.hostname, port, ssl=context)
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        status = status_line.split(b" ", 2)
        code = int(status[1]) if len(status) > 1 else 0
        response_headers: dict[str, str] = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            key, _, value = line.decode("latin-1").partition(":")
            response_headers[key.strip().lower()] = value.strip()
        if code != 200:
            text = b"".join([chunk async for chunk in _read_body(reader, response_headers)])
            result.error = f"HTTP {code}: {text[:300].decode('utf-8', 'replace')}"
            return result
        buffer = b""
        done = False
        async for data in _read_body(reader, response_headers):
            buffer += data
            while b"\n" in buffer and not done:
                line, buffer = buffer.split(b"\n", 1)
                line = line.strip()
                if not line.startswith(b"data:"):
                    continue
                message = line[5:].strip()
                now = time.perf_counter()
                if message == b"[DONE]":
                    result.end = now
                    done = True
                    break
                event = json.loads(message)
                if _text_of(event):
                    result.chunk_times.append(now)
                usage = event.get("usage")
                if usage and usage.get("completion_tokens") is not None:
                    result.output_tokens = int(usage["completion_tokens"])
                    if usage.get("prompt_tokens") is not None:
                        result.prompt_tokens = int(usage["prompt_tokens"])
            if done:
                break
        if not result.end:
            result.end = time.perf_counter()
        result.success = bool(result.chunk_times)
        if not result.success:
            result.error = "the stream carried no text"
    except (OSError, ValueError, asyncio.IncompleteReadError) as error:
        result.error = f"{type(error).__name__}: {error}"
    finally:
        if writer is not None:
            writer.close()
    return result


async def _run(settings: ClientSettings, say: Callable[[str], None]) -> tuple[list[RequestResult], float]:
    rng = random.Random(settings.seed)
    url = settings.url.rstrip("/") + settings.endpoint
    chat = settings.endpoint.rstrip("/").endswith("chat/completions")

    def payload() -> dict[str, Any]:
        # Random token ids (vLLM's RandomDataset draws ids too); a chat endpoint takes text,
        # so it gets one short word per wanted token (the server's count is in the usage).
        body: dict[str, Any] = {"model": settings.served_model, "max_tokens": settings.output_tokens,
                                "temperature": 0.0, "stream": True, "ignore_eos": True,
                                "stream_options": {"include_usage": True}}
        if chat:
            body["messages"] = [{"role": "user", "content": " ".join(
                rng.choice("abcdefghij") for _ in range(settings.input_tokens))}]
        else:
            body["prompt"] = [rng.randrange(100, 20000) for _ in range(settings.input_tokens)]
        return body

    bodies = [payload() for _ in range(settings.num_requests)]
    semaphore = asyncio.Semaphore(settings.concurrency) if settings.concurrency else None

    async def one(body: dict[str, Any]) -> RequestResult:
        if semaphore is None:
            return await asyncio.wait_for(stream_request(url, body, settings.input_tokens),
                                          REQUEST_TIMEOUT_S)
        async with semaphore:
            return await asyncio.wait_for(stream_request(url, body, settings.input_tokens),
                                          REQUEST_TIMEOUT_S)

    # One request first, untimed, as vLLM's "initial single prompt test run".
    probe = await stream_request(url, bodies[0], settings.input_tokens)
    if not probe.success:
        raise ConnectionError(f"pdcost.bench client: the test request to {url} failed: "
                              f"{probe.error}")
    say(f"{settings.num_requests} request(s), "
        + (f"Poisson at {settings.request_rate:g} req/s" if settings.request_rate
           else f"concurrency {settings.concurrency}"))
    start = time.perf_counter()
    tasks = []
    for i, body in enumerate(bodies):
        tasks.append(asyncio.create_task(one(body)))
        if settings.request_rate is not None and i < len(bodies) - 1:
            await asyncio.sleep(rng.expovariate(settings.request_rate))
    results = list(await asyncio.gather(*tasks))
    return results, time.perf_counter() - start


def run_client(settings: ClientSettings, *, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Runs the load and returns its record (serving_records.build_client_record)."""
    from .serving_records import build_client_record
    from .config import BenchConfig, resolve_model

    say = log or (lambda _m: None)
    model = resolve_model(BenchConfig(model=settings.model, device="cpu"))
    results, duration = asyncio.run(_run(settings, say))
    metrics = request_metrics(results, duration)
    failed = [r.error for r in results if not r.success]
    if failed:
        say(f"{len(failed)} request(s) failed; first: {failed[0]}")
    if metrics["completed"] == 0:
        raise ConnectionError(f"pdcost.bench client: every request failed: {failed[0]}")
    return build_client_record(settings, model, metrics)
