"""This build beside a baseline binary (phase `compare`, with --compare BASELINE): both serve the same config on
their own ports and wrk alternates baseline, this build and nginx-proxy, ROUNDS rounds on invoke and stream; with
--compare-rate R, invoke is also paced at R req/s on all three for latency at one offered rate."""
import json
import os
import shutil
import statistics
import time

import memory


def run(bench) -> None:
    """This build against a baseline binary, alternated in one run (see the module docstring)."""
    a = bench.a
    base_dir = f"{bench.dir}/baseline"
    shutil.copytree(f"{bench.dir}/tollgate", base_dir, ignore=shutil.ignore_patterns("ledger", "*.out"))
    (bench.base_port,) = bench.free_ports(1)
    with open(f"{base_dir}/tollgate.json") as f:
        config = json.load(f)
    config["listen"] = [f"127.0.0.1:{bench.base_port}"]
    with open(f"{base_dir}/tollgate.json", "w") as f:
        json.dump(config, f)
    baseline = bench.start_tollgate("baseline", binary=os.path.abspath(a.compare))
    bench.wait_healthy(bench.base_port, 10)
    time.sleep(0.2)
    # Both measured fresh: this build's figure is the one taken at setup, before any request.
    idle = {"baseline": memory.proc_status(baseline.pid)["VmRSS"], "this build": bench.idle["VmRSS"]}
    ports = {"baseline": bench.base_port, "this build": bench.tg, "nginx-proxy": bench.proxy}
    bench.out(f"this build against {a.compare}, alternated: baseline / this build / nginx-proxy, {a.rounds} rounds "
             f"x {a.duration} s, {a.connections} connections")
    bench.out(f"  idle RSS: baseline {idle['baseline'] / 1024:.1f} MB, this build {idle['this build'] / 1024:.1f} MB")
    for op in ("invoke", "invoke-with-response-stream"):
        runs = {name: [] for name in ports}
        for name, port in ports.items():
            bench.wrk(port, op, a.warmup, a.connections, label=f"compare {op} warm-up")
        for rnd in range(a.rounds):
            for name, port in ports.items():
                r = bench.wrk(port, op, a.duration, a.connections, label=f"compare {op} round {rnd + 1}")
                runs[name].append(r)
                bench.log(f"compare {op} round {rnd + 1} {name}: {r['rps']:.0f} req/s p50 {r['p50']} us errors {r['errors']}")
        bench.out(f"  {op}: " + "; ".join(
            f"{name} {statistics.median(r['rps'] for r in rs):.0f} req/s (p50 {statistics.median(r['p50'] for r in rs) / 1000:.3f} ms, "
            f"errors {sum(r['errors'] for r in rs)})" for name, rs in runs.items()))
        per_round = ", ".join(f"{t['rps'] / b['rps']:.2f}" for t, b in zip(runs["this build"], runs["baseline"]))
        vs_nginx = ", ".join(f"{b['rps'] / n['rps']:.2f} -> {t['rps'] / n['rps']:.2f}"
                             for t, b, n in zip(runs["this build"], runs["baseline"], runs["nginx-proxy"]))
        bench.out(f"    this build / baseline per round: {per_round}; against nginx-proxy per round (baseline -> this build): {vs_nginx}")
    if a.compare_rate > 0:
        # Latency at one offered rate, the same for both builds (paced as the half-peak phase paces).
        runs = {name: [] for name in ports}
        for rnd in range(a.rounds):
            for name, port in ports.items():
                runs[name].append(bench.wrk(port, "invoke", a.duration, a.connections, rate=a.compare_rate,
                                           label=f"compare paced round {rnd + 1}"))
        bench.out(f"  invoke paced at {a.compare_rate:.0f} req/s, medians of {a.rounds} rounds: " + "; ".join(
            f"{name} p50 {statistics.median(r['p50'] for r in rs) / 1000:.3f} ms, "
            f"p99 {statistics.median(r['p99'] for r in rs) / 1000:.3f} ms (rounds p50 "
            + ", ".join(f"{r['p50'] / 1000:.2f}" for r in rs) + ")" for name, rs in runs.items()))
    bench.procs.stop(baseline)
    bench.out()
