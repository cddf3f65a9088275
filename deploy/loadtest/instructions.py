"""Instructions and allocations per request under callgrind (phase `callgrind`): a release Tollgate under
valgrind, N and 2N sequential keep-alive requests, (Ir(2N) - Ir(N)) / N, so start-up and idle cost cancel out; for
invoke and for the stream path, with the libraries' shares and the top functions of invoke."""
import http.client
import os
import re
import shutil
import subprocess

import floor

HERE = os.path.dirname(os.path.abspath(__file__))


def annotate(path: str, inclusive: bool = False) -> tuple:
    """(total Ir, {(function, object file): self (or inclusive) Ir}) from callgrind_annotate."""
    r = subprocess.run(["callgrind_annotate", "--threshold=100", f"--inclusive={'yes' if inclusive else 'no'}", path],
                       capture_output=True, text=True, check=True)
    total, funcs = 0, {}
    for line in r.stdout.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(.*?)\s*$", line)
        if not m or not m.group(2):
            continue
        ir, rest = int(m.group(1).replace(",", "")), m.group(2)
        if rest.startswith("PROGRAM TOTALS"):
            total = ir
            continue
        obj = ""
        mo = re.search(r"\s*\[([^\]]*)\]$", rest)
        if mo:
            obj, rest = os.path.basename(mo.group(1)), rest[:mo.start()]
        fn = rest.split(":", 1)[1] if ":" in rest else rest  # callgrind names functions file:function
        funcs[(fn, obj)] = funcs.get((fn, obj), 0) + ir
    return total, funcs


def profiled_run(bench, n: int, op: str = "invoke") -> str:
    out = f"{bench.dir}/callgrind.{n}.out" if op == "invoke" else f"{bench.dir}/callgrind.{op}.{n}.out"
    p = bench.start_tollgate("tollgate", ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"],
                            binary=bench.nodebug, env=dict(os.environ, LD_PRELOAD=bench.shim))
    bench.wait_healthy(bench.tg, 120)
    if p.poll() is not None:
        raise RuntimeError(f"the profiled Tollgate exited (status {p.returncode}) before its requests: see {bench.dir}/tollgate/tollgate.out")
    body = open(f"{bench.dir}/request.json", "rb").read()
    headers = {"Authorization": "Bearer " + bench.client_key, "Content-Type": "application/json"}
    c = http.client.HTTPConnection("127.0.0.1", bench.tg, timeout=30)
    for _ in range(n):
        c.request("POST", bench.model_path + op, body=body, headers=headers)
        r = c.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError(f"callgrind run: status {r.status}")
    c.close()
    bench.procs.stop(p, timeout=120)
    return out


def profile_list(bench, title: str, a_funcs: dict, b_funcs: dict, n: int, per: float, keep) -> None:
    diff = {f: (b_funcs.get(f, 0) - a_funcs.get(f, 0)) / n for f in set(a_funcs) | set(b_funcs)}
    names = [fn for fn, _ in diff]
    demangled = names
    swift = shutil.which("swift")
    if swift:
        r = subprocess.run([swift, "demangle", "--simplified"], input="\n".join(names) + "\n",
                           capture_output=True, text=True)
        if r.returncode == 0 and len(r.stdout.splitlines()) == len(names):
            demangled = r.stdout.splitlines()
    rows = [(v, name, obj) for ((_, obj), v), name in zip(diff.items(), demangled) if keep(name, obj)]
    rows.sort(key=lambda row: -row[0])
    bench.out("  " + title)
    for v, name, obj in rows[:15]:
        if len(name) > 140:
            name = name[:137] + "..."
        bench.out(f"  {v:>9,.0f} {100 * v / per:5.1f}%  {name}  [{obj}]")


def run(bench) -> None:
    n = bench.a.callgrind_n
    # The profiled Tollgate takes the main one's port: with --only callgrind the main one is still up (in a full
    # run the ledger check stopped it), and the profiled one would fail to bind while requests went to the other.
    bench.procs.stop(bench.tollgate)
    # Valgrind 3.19 cannot read the DWARF 5 the Swift toolchain writes ("Possibly corrupted debuginfo file. I can't
    # recover"): profile a copy without debug sections. Its symbol table, so the function names, is kept.
    bench.nodebug = f"{bench.dir}/tollgate-nodebug"
    subprocess.run(["objcopy", "--strip-debug", bench.tollgate_bin, bench.nodebug], check=True)
    # And it dies on libdispatch's sigsuspend with a read-only mask: see sigsuspend-shim.c.
    bench.shim = f"{bench.dir}/sigsuspend-shim.so"
    cc = shutil.which("cc") or shutil.which("clang") or os.path.join(os.path.dirname(shutil.which("swift") or "/"), "clang")
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", bench.shim, os.path.join(HERE, "sigsuspend-shim.c")], check=True)
    bench.out(f"instructions per invoke request (valgrind --tool=callgrind, release build, sequential keep-alive "
             f"client, runs of N={n} and 2N={2 * n} requests, (Ir(2N) - Ir(N)) / N)")
    a_path = profiled_run(bench, n)
    bench.tollgate_requests["tollgate"] += n
    b_path = profiled_run(bench, 2 * n)
    bench.tollgate_requests["tollgate"] += 2 * n
    a_total, a_funcs = annotate(a_path)
    b_total, b_funcs = annotate(b_path)
    per = (b_total - a_total) / n
    bench.ir_per_request = per
    bench.mallocs_per_request = (floor.calls_to(b_path) - floor.calls_to(a_path)) / n
    bench.out(f"  Ir total: {a_total:,} (N) and {b_total:,} (2N) -> {per:,.0f} instructions per request; "
             f"{bench.mallocs_per_request:.1f} allocations per request (calls to malloc and friends)")
    # The stream path the same way: InvokeModelWithResponseStream, the 7,304-byte eventstream answer relayed and
    # its frames read for usage.
    sa_path = profiled_run(bench, n, "invoke-with-response-stream")
    sb_path = profiled_run(bench, 2 * n, "invoke-with-response-stream")
    bench.tollgate_requests["tollgate"] += 3 * n
    sa_total, _ = annotate(sa_path)
    sb_total, _ = annotate(sb_path)
    bench.ir_per_stream = (sb_total - sa_total) / n
    stream_mallocs = (floor.calls_to(sb_path) - floor.calls_to(sa_path)) / n
    bench.out(f"  stream (invoke-with-response-stream, {os.path.getsize(f'{bench.dir}/stream.bin'):,} B eventstream "
             f"answer): {bench.ir_per_stream:,.0f} instructions per request; {stream_mallocs:.1f} allocations per request")
    by_object = {}
    for key in set(a_funcs) | set(b_funcs):
        by_object[key[1] or "?"] = by_object.get(key[1] or "?", 0) + (b_funcs.get(key, 0) - a_funcs.get(key, 0)) / n
    top_objects = sorted(by_object.items(), key=lambda kv: -kv[1])[:6]
    bench.out("  by library (bench cost): " + ", ".join(f"{obj} {v:,.0f} ({100 * v / per:.0f}%)" for obj, v in top_objects))
    profile_list(bench, "top 15 functions by own (bench) instructions per request, difference of the two runs / N:",
                      a_funcs, b_funcs, n, per, lambda fn, obj: True)
    _, ai = annotate(a_path, inclusive=True)
    _, bi = annotate(b_path, inclusive=True)
    skip = ("thunk", "partial apply", "closure #", "_dispatch", "start_thread", "clone", "@objc")
    profile_list(bench, "top 15 Tollgate functions by inclusive instructions per request (callees included; "
                      "thunks, closures and dispatch frames left out):", ai, bi, n, per,
                      lambda fn, obj: obj.startswith("tollgate") and not fn.startswith("0x") and
                      not any(k in fn for k in skip))
    bench.out()
