"""The web interface under load: ``newsindex serve`` on the benchmark's index, asked by concurrent clients.

Run by the driver as ``python -m benchmarks.web --index DIR --out FILE.json
[--clients 8] [--seconds 20]`` on the newsindex index of Reuters-21578 x1 (or
the quick run's files). The server is the real command, in a process of its
own, on a free port of 127.0.0.1; the clients are threads of this process
with keep-alive connections. Why: the web issue promises the search page,
with its facets and timeline, in p50 < 100 ms and p95 < 300 ms measured on
the server, and holding up under 8 concurrent clients.

Two phases, both on the query mix of ``queries.json``:

* **cold**: each query's search page once, one at a time, on a freshly
  started server (no answer of that query cached: facets, timeline and hits
  are all computed). This is the figure the target is about.
* **load**: ``--clients`` threads, each cycling from its own starting point
  through a mix of requests a reader makes (search pages at pages 1-3, with
  and without one hit per story, newest first; article pages; the JSON
  search), for ``--seconds`` seconds or ``--max-requests`` requests, whichever
  comes first. Requests per second, latencies on both sides, and every
  non-200 answer are recorded.

Server-side time is the application's own ``Server-Timing`` header (from
the request's arrival in Flask to its response, before the body is sent,
including its wait for its turn with the index); client-side time adds
Waitress and the socket. The header also gives the CPU time of the thread
that answered: what a request costs whatever else the machine is doing,
which on a shared machine is the steadier figure.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from . import QUERIES_FILE
from .engines.newsindex_engine import to_newsindex
from .metrics import percentile
from .querymix import load_queries
from .resources import load_average

#: The command that serves the index, as a reader would start it (a free port).
SERVE = [sys.executable, "-m", "newsindex.cli", "serve", "--port", "0", "--index"]


def search_url(text: str, **params: object) -> str:
    return "/?" + urlencode({"q": text, **{k: v for k, v in params.items() if v}})


def request_mix(queries: list, article_ids: list[str]) -> list[str]:
    """The requests a reader's session makes, in an order that never repeats one back to back."""
    urls = []
    for i, query in enumerate(queries):
        native = to_newsindex(query)
        sort = "date" if native.sort == "date" else ""
        urls.append(search_url(native.text, sort=sort, any=native.operator == "or" and 1))
        urls.append(search_url(native.text, sort=sort, page=2 + i % 2))
        urls.append(search_url(native.text, collapse=1) if i % 2 else search_url(native.text, sort="date"))
        urls.append("/api/search?" + urlencode({"q": native.text, "size": 20}))
        if article_ids:
            urls.append("/article/" + article_ids[i % len(article_ids)] + "?" + urlencode({"q": native.text}))
    return urls


class Client:
    """One keep-alive connection; ``get`` returns (status, client seconds, server seconds, server CPU seconds, body)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, url: str) -> tuple[int, float, float | None, float | None, bytes]:
        start = time.perf_counter()
        try:
            self.connection.request("GET", url)
            response = self.connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, time.perf_counter() - start, None, None, b""
        seconds = time.perf_counter() - start
        timing = dict(re.findall(r"(\w+);dur=([\d.]+)", response.getheader("Server-Timing") or ""))
        wall, cpu = (float(timing[k]) / 1000 if k in timing else None for k in ("app", "cpu"))
        return response.status, seconds, wall, cpu, body


Sample = tuple[int, float, "float | None", "float | None"]


def summary(samples: list[Sample], seconds: float) -> dict:
    """Counts, rate and percentiles (ms) of a phase's samples."""
    client = [s[1] for s in samples]
    server = [s[2] for s in samples if s[2] is not None]
    cpu = [s[3] for s in samples if s[3] is not None]
    errors = [s[0] for s in samples if s[0] != 200]

    def ms(values: list[float], p: float) -> float | None:
        return round(percentile(values, p) * 1000, 2) if values else None

    return {
        "requests": len(samples), "seconds": round(seconds, 2),
        "requests_per_second": round(len(samples) / seconds, 1) if seconds else None,
        "errors": len(errors), "error_statuses": sorted(set(errors)),
        "client_ms": {"p50": ms(client, 50), "p95": ms(client, 95), "p99": ms(client, 99)},
        "server_ms": {"p50": ms(server, 50), "p95": ms(server, 95), "p99": ms(server, 99)},
        "server_cpu_ms": {"p50": ms(cpu, 50), "p95": ms(cpu, 95), "p99": ms(cpu, 99)},
    }


def load(port: int, urls: list[str], clients: int, seconds: float, max_requests: int) -> dict:
    """``clients`` threads over ``urls`` until the time or the request budget is spent."""
    samples: list[Sample] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run(offset: int) -> None:
        client = Client(port)
        step = offset * max(1, len(urls) // clients)
        i = 0
        while time.perf_counter() < deadline:
            status, took, server, cpu, _ = client.get(urls[(step + i) % len(urls)])
            i += 1
            with lock:
                samples.append((status, took, server, cpu))
                if len(samples) >= max_requests:
                    return

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"clients": clients, **summary(samples, time.perf_counter() - began)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web", description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the load phase")
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--queries", type=Path, default=QUERIES_FILE)
    parser.add_argument("--every", type=int, default=1, help="use every Nth query of the mix (the quick run: a sixth)")
    args = parser.parse_args(argv)

    queries = load_queries(args.queries)[:: args.every]
    log = args.out.with_suffix(".serve.log")
    with log.open("w") as errors:  # a file, not a pipe: a pipe nobody reads fills and stops the server
        server = subprocess.Popen([*SERVE, str(args.index)], stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        line = server.stdout.readline() if server.stdout else ""
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not found:
            raise SystemExit(f"newsindex serve did not start: {line.strip()} {log.read_text()}")
        port = int(found.group(1))
        client = Client(port)
        load_before = load_average()
        cold: list[Sample] = []
        for query in queries:
            native = to_newsindex(query)
            status, took, on_server, cpu, _ = client.get(search_url(native.text, sort="date" if native.sort == "date" else ""))
            cold.append((status, took, on_server, cpu))
        cold_summary = summary(cold, sum(s[1] for s in cold))
        found_ids = json.loads(client.get("/api/search?q=oil+OR+coffee+OR+gold&size=20")[4])["hits"]
        urls = request_mix(queries, [hit["id"] for hit in found_ids])
        loaded = load(port, urls, args.clients, args.seconds, args.max_requests)
    finally:
        server.terminate()
        server.wait(timeout=30)
    logged = log.read_text().splitlines()
    result = {
        "queries": len(queries),
        "server_errors_logged": [line for line in logged if "Traceback" in line or "ERROR" in line],
        "cold": cold_summary,
        "load": {**loaded, "distinct_requests": len(urls)},
        "load_average": {"before": load_before, "after": load_average()},
    }
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
