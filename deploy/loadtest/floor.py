"""The bench's `floor` phase: Tollgate's cost per request against the floor the design allows.

  - the libcurl floor: deploy/loadtest/curl-floor.c, reused easy handles on one multi handle doing keep-alive POSTs
    with the headers a signed call carries; its CPU per transfer natively with the load test's concurrency, and its
    instructions per transfer under callgrind (sequential, N and 2N transfers, difference / N);
  - nginx's instructions per proxied request, under callgrind the same way (one nginx process, master_process off);
  - CPU per request under load (wrk, the bench's connections): user + system time of Tollgate's process and of
    every nginx-proxy process over the run, divided by the requests answered; then Tollgate's as a multiple of
    (nginx's + the libcurl floor's);
  - with one worker each (the fairest pairing on 2 cores): a Tollgate with `workers: 1` and an nginx proxy with
    `worker_processes 1`, alternated for the bench's rounds on invoke.

Mallocs per request come from the callgrind phase (calls to malloc and friends in the profiled Tollgate).
"""
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import time

import fixtures

ALLOCATORS = ("malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc", "memalign")


def calls_to(path: str, names=ALLOCATORS) -> int:
    """Calls to functions named `names` recorded in a callgrind output file (`calls=` lines after a `cfn=`)."""
    ids, total, current = {}, 0, None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith(("cfn=", "cfi=", "fn=")):
                if line.startswith("cfi="):
                    continue
                m = re.match(r"^c?fn=\((\d+)\)(?: (.*))?$", line.strip())
                if m:
                    if m.group(2):
                        ids[m.group(1)] = m.group(2)
                    name = ids.get(m.group(1), "")
                else:
                    name = line.split("=", 1)[1].strip()
                current = name if line.startswith("cfn=") else None
            elif line.startswith("calls=") and current is not None:
                if current.split(":")[-1].split("'")[0] in names:
                    total += int(line[6:].split()[0])
    return total


def wait_listening(port: int, timeout: float) -> None:
    """Waits until something listens on `port`, read from /proc/net/tcp without connecting: nginx under valgrind in
    single-process mode stopped answering SIGTERM after a probe connection that was closed unanswered."""
    hexport = f":{port:04X}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open("/proc/net/tcp") as f:
            if any(line.split()[1].endswith(hexport) and line.split()[3] == "0A" for line in list(f)[1:]):
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def cpu_ticks(pids: list) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat(5))
        except OSError:
            pass
    return total


def process_tree(pid: int) -> list:
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return pids


def cpu_per_request(bench, port: int, pids: list, seconds: float) -> tuple:
    """(µs of CPU per request, requests/s) over one closed-loop wrk run on `port`."""
    hz = os.sysconf("SC_CLK_TCK")
    before = cpu_ticks(pids)
    r = bench.wrk(port, "invoke", seconds, bench.a.connections, label="floor cpu")
    if port == bench.tg:
        bench.tollgate_requests["tollgate"] += r["requests"]
    spent = (cpu_ticks(pids) - before) / hz * 1e6
    return spent / max(1, r["requests"]), r["rps"], r["requests"]


def run(bench) -> dict:
    a, d = bench.a, bench.dir
    out = {}
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    floor_bin = f"{d}/curl-floor"
    subprocess.run([cc, "-O2", "-o", floor_bin, os.path.join(os.path.dirname(__file__), "curl-floor.c"), "-lcurl"],
                   check=True)
    url = f"http://127.0.0.1:{bench.up}{bench.model_path}invoke"
    body = f"{d}/request.json"
    bench.out("the floor (issue 13): libcurl alone, nginx, and Tollgate's CPU per request against them")

    def native() -> dict:
        """The floor natively with the load test's concurrency (what a proxy under that load spends in libcurl per
        call)."""
        run = subprocess.run([floor_bin, url, body, "40000", str(a.connections)], capture_output=True, text=True,
                             check=True)
        return json.loads(re.search(r"^FLOOR (\{.*\})$", run.stdout, re.M).group(1))

    floor = native()

    n = a.callgrind_n
    counts = []
    for k in (n, 2 * n):
        path = f"{d}/callgrind.floor.{k}.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={path}", floor_bin, url, body, str(k)],
                       capture_output=True, check=True)
        counts.append(bench.annotate(path))
    per = (counts[1][0] - counts[0][0]) / n
    by_object = {}
    for key in set(counts[0][1]) | set(counts[1][1]):
        by_object[key[1] or "?"] = by_object.get(key[1] or "?", 0) + (counts[1][1].get(key, 0) - counts[0][1].get(key, 0)) / n
    top = sorted(by_object.items(), key=lambda kv: -kv[1])[:3]
    out["floor_ir"] = per
    bench.out(f"  libcurl floor (curl-floor.c: reused handles on one multi handle, keep-alive POSTs): "
              f"{floor['cpu_us_per_transfer']:.1f} us CPU per transfer natively with {a.connections} in parallel (user "
              f"{floor['user_us_per_transfer']:.1f} us; each round below measures it again); {per:,.0f} instructions "
              f"per transfer under callgrind, sequential (" + ", ".join(f"{obj} {v:,.0f}" for obj, v in top) + ")")

    # nginx as the proxy, one process, under callgrind.
    conf = f"{d}/proxy-cg.conf"
    (port,) = bench.free_ports(1)
    text = open(f"{d}/proxy.conf").read().replace("daemon off;", "daemon off;\nmaster_process off;")
    text = re.sub(r"worker_processes \d+;", "worker_processes 1;", text)
    text = re.sub(r"listen 127\.0\.0\.1:\d+ backlog=8192 reuseport;", f"listen 127.0.0.1:{port};", text)
    text = text.replace(f"pid {d}/proxy.pid;", f"pid {d}/proxy-cg.pid;")
    open(conf, "w").write(text)
    nginx_ir = []
    for k in (n, 2 * n):
        path = f"{d}/callgrind.nginx.{k}.out"
        p = bench.procs.start("nginx-cg", ["valgrind", "--tool=callgrind", f"--callgrind-out-file={path}", "nginx",
                                           "-p", d, "-e", f"{d}/proxy-cg-early.log", "-c", conf], f"{d}/proxy-cg.out")
        wait_listening(port, 60)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        payload = open(body, "rb").read()
        for _ in range(k):
            c.request("POST", bench.model_path + "invoke", body=payload, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
        c.close()
        bench.procs.stop(p, timeout=60)
        nginx_ir.append(bench.annotate(path)[0])
    out["nginx_ir"] = (nginx_ir[1] - nginx_ir[0]) / n
    bench.out(f"  nginx-proxy: {out['nginx_ir']:,.0f} instructions per proxied request under callgrind (one process, "
              f"N={n} and 2N={2 * n} sequential keep-alive requests)")

    # CPU per request under load, the three measured side by side in each round (one machine, shared and noisy:
    # a lone figure moves by a third between runs), and the 1-worker pairing.
    rounds = []
    for _ in range(a.rounds):
        f_cpu = native()["cpu_us_per_transfer"]
        n_cpu, n_rps, _ = cpu_per_request(bench, bench.proxy, process_tree(bench.proxy_proc.pid), a.duration)
        t_cpu, t_rps, _ = cpu_per_request(bench, bench.tg, [bench.tollgate.pid], a.duration)
        rounds.append({"floor": f_cpu, "nginx": n_cpu, "tollgate": t_cpu, "n_rps": n_rps, "t_rps": t_rps,
                       "ratio": t_cpu / (n_cpu + f_cpu)})
    med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    out["floor_cpu_us"] = med["floor"]
    out["cpu_ratio"] = med["ratio"]
    bench.out(f"  CPU per request under load ({a.connections} connections, {a.duration} s each, {a.rounds} rounds of libcurl "
              f"floor, nginx-proxy, tollgate; medians): tollgate {med['tollgate']:.1f} us ({med['t_rps']:.0f} req/s), "
              f"nginx-proxy {med['nginx']:.1f} us ({med['n_rps']:.0f} req/s), libcurl floor {med['floor']:.1f} us; "
              f"tollgate / (nginx + libcurl floor) = {out['cpu_ratio']:.2f}x (per round: "
              + ", ".join(f"{r['tollgate']:.0f} / ({r['nginx']:.0f} + {r['floor']:.0f}) = {r['ratio']:.2f}" for r in rounds)
              + ")")
    out["one_worker"] = one_worker(bench)
    bench.out()
    return out


def one_worker(bench) -> float:
    """Tollgate with one loop against nginx with one worker, alternated; returns the median throughput ratio."""
    a, d = bench.a, bench.dir
    w1 = f"{d}/w1"
    os.makedirs(f"{w1}/nginx-tmp", exist_ok=True)
    os.chmod(w1, 0o755)
    os.chmod(f"{w1}/nginx-tmp", 0o777)
    proxy_port, tg_port, drip_tg = bench.free_ports(3)
    fixtures.generate(w1, upstream_port=bench.up, drip_port=bench.drip, proxy_port=proxy_port, tollgate_port=tg_port,
                      drip_tollgate_port=drip_tg, workers=1, nofile=16384, drip_bytes_per_s=a.drip_rate,
                      drip_seconds=10, key_hash=bench.key_hash())
    proxy = bench.procs.start("proxy-w1", ["nginx", "-p", w1, "-e", f"{w1}/proxy-early.log", "-c", f"{w1}/proxy.conf"],
                              f"{w1}/proxy.out")
    tollgate = bench.procs.start("tollgate-w1", [bench.tollgate_bin, "serve", "--config", f"{w1}/tollgate/tollgate.json"],
                                 f"{w1}/tollgate/tollgate.out")
    bench.wait_port(proxy_port, 10)
    bench.wait_healthy(tg_port, 10)
    runs = {"nginx-proxy": [], "tollgate": []}
    for _ in range(a.rounds):
        for name, port in (("nginx-proxy", proxy_port), ("tollgate", tg_port)):
            runs[name].append(bench.wrk(port, "invoke", a.duration, a.connections, label="one worker"))
    bench.procs.stop(tollgate)
    bench.procs.stop(proxy, timeout=10)
    ratios = [t["rps"] / n["rps"] for t, n in zip(runs["tollgate"], runs["nginx-proxy"])]
    bench.out(f"  one worker each (Tollgate workers 1, nginx worker_processes 1), invoke, {a.rounds} rounds x {a.duration} s: "
              f"tollgate {statistics.median(r['rps'] for r in runs['tollgate']):.0f} req/s, nginx-proxy "
              f"{statistics.median(r['rps'] for r in runs['nginx-proxy']):.0f} req/s; ratio {statistics.median(ratios):.2f}x "
              f"(per round: {', '.join(f'{r:.2f}' for r in ratios)})")
    return statistics.median(ratios)
