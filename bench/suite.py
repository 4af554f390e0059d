"""Every benchmark in one run: figures as JSON, a Markdown table, PNG charts.

    .venv/bin/python bench/suite.py            # make bench; ~15 minutes on 2 cores
    .venv/bin/python bench/suite.py --quick    # shorter runs of each; under 3 minutes
    .venv/bin/python bench/suite.py --only mesh,notifications

Runs mesh_bench (with the bare grpc.aio echo server as a mode), then
notifications, credentials, matching and agent, each in its own process,
each writing its figures through bench/record.py. Writes into `--out`
(default build/bench/): results.json (every figure, the load average each was
measured at), results.md (the issue's table: the figures of issue 12's
"now" column beside this run's, and this run's bare-echo limit beside every
ratio), latency.png (percentiles per mode) and throughput.png (per mode).
Absolute figures move with whatever else the machine runs; the ratios to the
bare echo server measured in the same run move much less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REPO = pathlib.Path(__file__).resolve().parents[1]
AGENT_CACHE = REPO / ".iworkz" / "agent"


@dataclass
class Bench:
    name: str
    script: str
    full: list[str]
    quick: list[str]
    timeout: float  # seconds, full run
    available: Callable[[], str] = lambda: ""  # why it cannot run here, or ""


BENCHES = [
    Bench(
        "mesh",
        "mesh_bench.py",
        ["--seconds", "10", "--latency-seconds", "4", "--concurrency", "16"],
        ["--seconds", "3", "--latency-seconds", "1.5", "--concurrency", "16"],
        600,
    ),
    Bench(
        "notifications",
        "notifications_bench.py",
        ["--streams", "1000", "--events", "10000", "--rates", "1000,2500,5000,10000", "--seconds", "3"],
        ["--streams", "200", "--events", "2000", "--rates", "2500,5000", "--seconds", "1.5", "--timeout", "30"],
        900,
    ),
    Bench(
        "credentials",
        "credentials_bench.py",
        [],
        ["--issue", "300", "--verify", "300", "--sd-jwt", "30", "--timeout", "40"],
        900,
    ),
    Bench(
        "matching",
        "matching_bench.py",
        ["--jobs", "100000"],
        ["--jobs", "5000", "--queries", "30", "--skip", "allocation,spreading,freshness", "--mesh-jobs", "200"]
        + ["--mesh-seconds", "3"],
        1200,
    ),
    Bench(
        "agent",
        "agent_bench.py",
        ["--rounds", "20"],
        ["--rounds", "2"],
        1200,
        lambda: "" if AGENT_CACHE.exists() else f"no ESCO cache in {AGENT_CACHE} (make up builds it once)",
    ),
]

# Issue 12's "now" column (main before the work, a quiet 2-core machine) and its aims.
NOW = {
    "bare": "4,125 rps",
    "direct": "1,500 rps (0.36× bare)",
    "rest": "1,241 rps, p99 42 ms",
    "cpu": "0.73 ms (bare ≈ 0.25 ms)",
    "edge_hop": "+0.53 ms",
    "sidecar_hop": "+0.23 ms",
    "n_e2e": "2,235/s",
    "n_p99": "548 ms at 2,500/s",
    "n_inbox": "2,993/s",
    "n_cpu": "388–730 µs",
}


def run_bench(bench: Bench, quick: bool, out: pathlib.Path) -> dict[str, Any]:
    """One benchmark in its own process, its output shown and kept in <out>/<name>.log."""
    why_not = bench.available()
    if why_not:
        print(f"\n=== {bench.name}: skipped ({why_not})", flush=True)
        return {"skipped": why_not}
    args = bench.quick if quick else bench.full
    command = [sys.executable, str(REPO / "bench" / bench.script), *args]
    print(f"\n=== {bench.name}: {' '.join(command[1:])}", flush=True)
    env = {**os.environ, "BENCH_RESULTS_DIR": str(out / "raw")}  # no PYTHONPATH: envoy/ would hide the wheel
    (out / "raw" / f"{bench.name}.json").unlink(missing_ok=True)
    started = time.monotonic()
    load = os.getloadavg()[0]
    with open(out / f"{bench.name}.log", "w") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert process.stdout is not None
        deadline = started + (bench.timeout / 3 if quick else bench.timeout)
        for line in iter(process.stdout.readline, b""):
            text = line.decode(errors="replace")
            sys.stdout.write(text)
            log.write(text)
            if time.monotonic() > deadline:
                break
        try:
            process.wait(max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(30)
    seconds = time.monotonic() - started
    raw = out / "raw" / f"{bench.name}.json"
    if process.returncode != 0 or not raw.exists():
        return {"failed": f"exit code {process.returncode}, see {out / bench.name}.log", "seconds": seconds}
    figures = json.loads(raw.read_text())
    figures["seconds"] = round(seconds, 1)
    figures["load_average_at_start"] = round(load, 2)
    return figures


# --- the table ------------------------------------------------------------------------


def _n(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def table(results: dict[str, dict[str, Any]]) -> list[str]:
    """Issue 12's table with this run's figures; every figure's ratio to this run's bare echo."""
    rows: list[tuple[str, str, str, str]] = []
    mesh = results.get("mesh", {})
    modes = mesh.get("modes", {})
    bare = modes.get("bare grpc.aio echo", {})
    direct = modes.get("direct gRPC", {})
    rest = modes.get("REST via edge + sidecar", {})
    if modes:
        bare_cpu = bare["cpu_ms_per_call"].get("service")
        load = f" (load {mesh['load_average']:.1f})"
        rows += [
            (
                "bare `grpc.aio` unary echo" + load,
                NOW["bare"],
                f"{_n(bare['rps'])} rps, p99 {_n(bare['p99_ms'], 1)} ms",
                "the limit",
            ),
            (
                "identity `GetJwks` direct",
                NOW["direct"],
                f"{_n(direct['rps'])} rps ({direct['x_bare']:.2f}× bare)",
                "",
            ),
            (
                "`GetJwks` as REST through edge + sidecar",
                NOW["rest"],
                f"{_n(rest.get('rps'))} rps ({rest.get('x_bare', 0):.2f}× bare), p99 {_n(rest.get('p99_ms'), 1)} ms",
                "≥ 0.6× bare, p99 ≤ 20 ms",
            ),
            (
                "service CPU per `GetJwks`",
                NOW["cpu"],
                f"{direct['cpu_ms_per_call'].get('service', 0):.2f} ms (bare {_n(bare_cpu, 2)} ms)",
                "≤ 0.35 ms",
            ),
            (
                "p50 added by the edge hop (TLS + mTLS)",
                NOW["edge_hop"],
                f"{mesh['hops_p50_ms'].get('edge', 0):+.2f} ms",
                "≤ 0.3 ms",
            ),
            (
                "p50 added by the sidecar hop",
                NOW["sidecar_hop"],
                f"{mesh['hops_p50_ms']['sidecar']:+.2f} ms",
                "≤ 0.3 ms",
            ),
        ]
        for name, m in modes.items():
            if name.startswith("direct gRPC, "):
                rows.append((f"scale-out: {name}", "", f"{_n(m['rps'])} rps ({m['x_bare']:.2f}× bare)", ""))
    notes = results.get("notifications", {})
    phases = notes.get("phases", {})
    if phases:
        best = max(
            (f for n, f in phases.items() if n not in ("fan-out only", "inbox only", "warm-up")),
            key=lambda f: f["rate"] or 0,
        )
        paced = {n: f for n, f in phases.items() if n.startswith("paced")}
        bare_rps = bare.get("rps")
        x = f" ({best['rate'] / bare_rps:.2f}× bare echo rps)" if bare_rps else ""
        rows.append(
            (
                f"notifications end to end, {notes['streams']:,} streams, one process"
                f" (load {notes['load_average']:.1f})",
                NOW["n_e2e"],
                f"{_n(best['rate'])}/s{x}",
                "≥ 10,000/s",
            )
        )
        for name, f in paced.items():
            rows.append(
                (
                    f"notifications p50/p99 at {name.split()[1]} offered",
                    NOW["n_p99"] if name == "paced 2500/s" else "",
                    f"{_n(f['p50'], 1)} / {_n(f['p99'], 1)} ms ({_n(f['rate'])}/s achieved)",
                    "p99 ≤ 100 ms at 5,000/s" if name == "paced 5000/s" else "",
                )
            )
        rows.append(("notifications inbox write alone", NOW["n_inbox"], f"{_n(phases['inbox only']['rate'])}/s", ""))
        cpus = [f["cpu_us"] for n, f in phases.items() if f.get("cpu_us") and n not in ("fan-out only", "warm-up")]
        rows.append(
            (
                "notifications service CPU per delivery",
                NOW["n_cpu"],
                f"{min(cpus):.0f}–{max(cpus):.0f} µs" if cpus else "–",
                "≤ 100 µs",
            )
        )
    cred = results.get("credentials", {})
    if "issue" in cred:
        rows.append(
            (
                f"credentials issued (load {cred['load_average']:.1f})",
                "",
                f"{_n(cred['issue']['rps'])}/s, p99 {_n(cred['issue']['p99_ms'], 1)} ms",
                "≥ 300/s",
            )
        )
        rows.append(
            (
                "credentials verified (full check list)",
                "",
                f"{_n(cred['verify']['rps'])}/s, p99 {_n(cred['verify']['p99_ms'], 1)} ms",
                "≥ 500/s, p99 ≤ 20 ms",
            )
        )
    match = results.get("matching", {})
    if "recommend" in match:
        rows.append(
            (
                f"matching recommendations in-process, {match['index']['jobs']:,} jobs"
                f" (load {match['load_average']:.1f})",
                "",
                f"{_n(match['recommend']['rps'])}/s, p99 {_n(match['recommend']['p99_ms'], 1)} ms;"
                f" recall@20 {match['index']['recall_at_20']:.3f}",
                "≥ 500/s, p99 ≤ 50 ms, recall ≥ 0.95",
            )
        )
    if "pgvector" in match:
        pg = match["pgvector"]
        rows.append(
            (
                f"matching recommendations on pgvector, {pg['jobs']:,} jobs, 16 in flight",
                "",
                f"{_n(pg['rps'])}/s, p99 {_n(pg['p99_ms'], 1)} ms; recall@20 {pg['recall_at_20']:.3f};"
                f" build {_n(pg['build_s'], 1)} s, replica +{_n(pg['rss_mb'])} MB",
                "recall ≥ 0.95",
            )
        )
    if "recommend_service" in match:
        service = match["recommend_service"]
        for mode, label in (("direct", "direct gRPC"), ("mesh", "edge + sidecar")):
            rows.append(
                (
                    f"matching RecommendJobs, {label}, {service['jobs']:,} jobs, {service['in_flight']} in flight",
                    "",
                    f"{_n(service[mode]['rps'])}/s, p99 {_n(service[mode]['p99_ms'], 1)} ms",
                    "≥ 500/s direct, p99 ≤ 50 ms",
                )
            )
    agent = results.get("agent", {})
    if "embed_texts_per_s" in agent:
        rows.append(
            (
                f"agent `Embed` batch 32 (load {agent['load_average']:.1f})",
                "",
                f"{_n(agent['embed_texts_per_s'], 1)} texts/s",
                "≥ 80/s",
            )
        )
        rows.append(
            ("agent `ParseResume` p50, 2-page PDF", "", f"{_n(agent['parse_resume']['p50_ms'], 1)} ms", "≤ 500 ms")
        )
        rows.append(("agent `ExtractSkills` p50", "", f"{_n(agent['extract_skills']['p50_ms'], 1)} ms", "≤ 150 ms"))
    lines = ["| measure | now (issue 12) | this run | aim |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    for name, figures in results.items():
        if "skipped" in figures or "failed" in figures:
            why = f"skipped: {figures['skipped']}" if "skipped" in figures else f"FAILED: {figures['failed']}"
            lines.append(f"| {name} | | {why} | |")
    return lines


# --- the charts -----------------------------------------------------------------------


def charts(results: dict[str, dict[str, Any]], out: pathlib.Path) -> list[pathlib.Path]:
    """latency.png: p50/p90/p99 per mode; throughput.png: calls or deliveries per second per mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    latency: list[tuple[str, list[float | None]]] = []  # (mode, [p50, p90, p99])
    throughput: list[tuple[str, float]] = []
    for name, m in results.get("mesh", {}).get("modes", {}).items():
        latency.append((f"mesh: {name}", [m["p50_ms"], m["p90_ms"], m["p99_ms"]]))
        throughput.append((f"mesh: {name}", m["rps"]))
    for name, f in results.get("notifications", {}).get("phases", {}).items():
        if name.startswith("paced"):
            latency.append((f"notifications {name}", [f["p50"], None, f["p99"]]))
        throughput.append((f"notifications: {name}", f["rate"] or 0))
    cred = results.get("credentials", {})
    for phase in ("issue", "verify"):
        if phase in cred:
            latency.append((f"credentials {phase}", [cred[phase]["p50_ms"], None, cred[phase]["p99_ms"]]))
            throughput.append((f"credentials: {phase}", cred[phase]["rps"]))
    if "recommend" in results.get("matching", {}):
        r = results["matching"]["recommend"]
        latency.append(("matching recommend", [r["p50_ms"], None, r["p99_ms"]]))
        throughput.append(("matching: recommend (in-process)", r["rps"]))
    if "recommend_service" in results.get("matching", {}):
        service = results["matching"]["recommend_service"]
        for mode, label in (("direct", "direct gRPC"), ("mesh", "edge + sidecar")):
            latency.append((f"matching recommend, {label}", [service[mode]["p50_ms"], None, service[mode]["p99_ms"]]))
            throughput.append((f"matching: recommend, {label}", service[mode]["rps"]))
    stamp = f"{results['_run']['started']} · {os.cpu_count()} CPUs · load {results['_run']['load_average']:.1f}"
    written = []
    if latency:
        fig, ax = plt.subplots(figsize=(10, 0.45 * len(latency) + 1.5))
        labels = [m for m, _ in latency]
        for i, (quantile, colour) in enumerate((("p50", "#4c72b0"), ("p90", "#dd8452"), ("p99", "#c44e52"))):
            ys = [n + (i - 1) * 0.27 for n in range(len(labels))]
            xs = [(v[i] or 0) for _, v in latency]
            ax.barh(ys, xs, height=0.27, label=quantile, color=colour)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("latency, ms (log scale)")
        ax.set_title(f"Latency percentiles per mode — {stamp}", fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "latency.png", dpi=110)
        plt.close(fig)
        written.append(out / "latency.png")
    if throughput:
        fig, ax = plt.subplots(figsize=(10, 0.35 * len(throughput) + 1.5))
        labels = [m for m, _ in throughput]
        ax.barh(range(len(labels)), [v for _, v in throughput], color="#55a868")
        bare = results.get("mesh", {}).get("modes", {}).get("bare grpc.aio echo", {}).get("rps")
        if bare:
            ax.axvline(bare, color="#c44e52", linestyle="--", label=f"bare grpc.aio echo {bare:,.0f}/s")
            ax.legend(fontsize=8)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("calls or deliveries per second (log scale)")
        ax.set_title(f"Throughput per mode — {stamp}", fontsize=9)
        fig.tight_layout()
        fig.savefig(out / "throughput.png", dpi=110)
        plt.close(fig)
        written.append(out / "throughput.png")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs of every benchmark (under 3 minutes)")
    parser.add_argument("--only", default="", help="comma-separated benchmarks: " + ",".join(b.name for b in BENCHES))
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "build" / "bench")
    args = parser.parse_args(argv)
    only = set(filter(None, args.only.split(",")))
    unknown = only - {b.name for b in BENCHES}
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {
        "_run": {
            "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "quick": args.quick,
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg()[0],
        }
    }
    started = time.monotonic()
    for bench in BENCHES:
        if not only or bench.name in only:
            results[bench.name] = run_bench(bench, args.quick, args.out)
    results["_run"]["seconds"] = round(time.monotonic() - started, 1)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    run = results["_run"]
    heading = (
        f"Measured {run['started']} on {run['cpus']} CPUs{' (--quick)' if args.quick else ''}, "
        f"{run['seconds']:.0f} s; load average at the start {run['load_average']:.1f}."
    )
    lines = [heading, "", *table({k: v for k, v in results.items() if k != "_run"})]
    (args.out / "results.md").write_text("\n".join(lines) + "\n")
    pictures = charts(results, args.out)
    print("\n" + "\n".join(lines))
    print(f"\nwrote {args.out / 'results.json'}, {args.out / 'results.md'}, " + ", ".join(str(p) for p in pictures))
    failed = [n for n, f in results.items() if "failed" in f]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
