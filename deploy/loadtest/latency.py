"""Latency at half of Tollgate's peak, with what each path spends per request at that rate.

Every path is offered the same paced rate (wrk Lua keeps a fixed schedule of send times per thread, so latency is
measured from the paced send). Beside the percentiles it prints, for the two proxies, CPU time and context switches
per request over the same run: below saturation a request no longer shares its wake-ups and cache warmth with its
neighbours, and those two numbers show what the added latency is made of (see RESULTS.md).

Context switches are summed over the live threads of each process (/proc/PID/task/*/status, voluntary and
involuntary); a thread that exits during the run takes its switches with it, so the figure is a lower bound.
"""

import os

import floor


def context_switches(pids: list) -> int:
    total = 0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/status") as f:
                    total += sum(int(line.split()[1]) for line in f
                                 if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")))
            except OSError:
                pass
    return total


def run(bench, peak: float) -> dict:
    """Runs each path at half of `peak` req/s; returns the added p50/p99 (ms) of Tollgate over the direct path."""
    a = bench.a
    rate = max(100, round(peak / 2))
    hz = os.sysconf("SC_CLK_TCK")
    bench.out(f"invoke latency at half of Tollgate's peak: {rate} req/s offered to each path ({a.connections} connections, "
              f"{a.threads} wrk threads, {a.duration} s each; wrk Lua paces each thread to a fixed schedule of send "
              f"times, latency measured from the paced send); CPU and context switches per request of the proxy's "
              f"processes over the same run")
    bench.out(f"  {'path':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'errors':>7} {'CPU us/req':>11} "
              f"{'switches/req':>13}")
    pids = {"tollgate": lambda: [bench.tollgate.pid], "nginx-proxy": lambda: floor.process_tree(bench.proxy_proc.pid)}
    res = {}
    for name, port in bench.paths.items():
        watched = pids[name]() if name in pids else []
        cpu0, cs0 = floor.cpu_ticks(watched), context_switches(watched)
        r = bench.wrk(port, "invoke", a.duration, a.connections, rate=rate, label="half-rate invoke")
        cpu, cs = floor.cpu_ticks(watched) - cpu0, context_switches(watched) - cs0
        if name == "tollgate":
            bench.tollgate_requests["tollgate"] += r["requests"]
        res[name] = r
        n = max(1, r["requests"])
        spent = f"{cpu / hz * 1e6 / n:>11.1f} {cs / n:>13.2f}" if watched else f"{'':>11} {'':>13}"
        bench.out(f"  {name:<12} {r['rps']:>9.0f} {r['p50'] / 1000:>8.3f} {r['p99'] / 1000:>8.3f} "
                  f"{r['p999'] / 1000:>9.3f} {r['errors']:>7} {spent}")
    t, d = res["tollgate"], res["direct"]
    return {"p50": (t["p50"] - d["p50"]) / 1000, "p99": (t["p99"] - d["p99"]) / 1000}
