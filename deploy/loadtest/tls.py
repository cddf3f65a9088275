"""The bench's `tls` phase: HTTPS invoke throughput, Tollgate's own TLS listener beside nginx with TLS.

Both serve the same certificate (a P-256 self-signed one made here with the openssl command), TLS 1.2-1.3, session
tickets on, keep-alive, and proxy to the same upstream as the plain paths. wrk alternates four paths for the bench's
rounds: nginx-proxy and Tollgate in plain HTTP (the reference pair of the other phases), then nginx-tls and
tollgate-tls. The figures that matter are ratios taken in the same run: tollgate-tls / nginx-tls, and what TLS costs
each server (its TLS rate over its plain rate).
"""
import json
import os
import shutil
import ssl
import statistics
import subprocess
import http.client

PROXY_TLS_NGINX_EXTRA = """\
        listen 127.0.0.1:{tls_port} ssl backlog=8192 reuseport;
        ssl_certificate {dir}/tls/cert.pem;
        ssl_certificate_key {dir}/tls/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_tickets on;
"""


def make_certificate(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    subprocess.run([
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", f"{directory}/key.pem", "-out", f"{directory}/cert.pem"], check=True, capture_output=True)
    os.chmod(f"{directory}/key.pem", 0o600)


def check(port: int, bench, cafile: str) -> None:
    context = ssl.create_default_context(cafile=cafile)
    c = http.client.HTTPSConnection("localhost", port, timeout=5, context=context)
    body = open(f"{bench.dir}/request.json", "rb").read()
    c.request("POST", bench.model_path + "invoke", body=body,
              headers={"Authorization": "Bearer " + bench.env["BENCH_KEY"], "Content-Type": "application/json"})
    r = c.getresponse()
    answer = r.read()
    want = open(f"{bench.dir}/invoke.json", "rb").read()
    if r.status != 200 or answer != want:
        raise RuntimeError(f"https on {port}: status {r.status}, body {'same' if answer == want else 'differs'}")
    c.close()


def run(bench) -> dict:
    a = bench.a
    tls_dir = f"{bench.dir}/tls"
    make_certificate(tls_dir)
    os.chmod(tls_dir, 0o755)
    os.chmod(f"{tls_dir}/cert.pem", 0o644)
    # nginx workers run unprivileged but the master reads the key before dropping privileges.
    nginx_tls_port, tollgate_tls_port = bench.free_ports(2)

    with open(f"{bench.dir}/proxy.conf") as f:
        conf = f.read()
    anchor = f"        listen 127.0.0.1:{bench.proxy} backlog=8192 reuseport;\n"
    if anchor not in conf:
        raise RuntimeError("proxy.conf has no listen line to replace")
    conf = conf.replace(anchor, PROXY_TLS_NGINX_EXTRA.format(tls_port=nginx_tls_port, dir=bench.dir))
    conf = conf.replace(f"{bench.dir}/proxy.pid", f"{bench.dir}/proxy-tls.pid").replace("proxy-error.log", "proxy-tls-error.log")
    with open(f"{bench.dir}/proxy-tls.conf", "w") as f:
        f.write(conf)
    nginx = bench.start_nginx("proxy-tls")

    sub = f"{bench.dir}/tollgate-tls"
    shutil.copytree(f"{bench.dir}/tollgate", sub, ignore=shutil.ignore_patterns("ledger", "*.out"))
    with open(f"{sub}/tollgate.json") as f:
        config = json.load(f)
    config["listen"] = [{"address": f"127.0.0.1:{tollgate_tls_port}",
                         "tls": {"certificate": f"{tls_dir}/cert.pem", "private_key": f"{tls_dir}/key.pem"}}]
    with open(f"{sub}/tollgate.json", "w") as f:
        json.dump(config, f)
    tollgate = bench.start_tollgate("tollgate-tls")
    bench.wait_port(nginx_tls_port, 10)
    bench.wait_port(tollgate_tls_port, 10)
    check(nginx_tls_port, bench, f"{tls_dir}/cert.pem")
    check(tollgate_tls_port, bench, f"{tls_dir}/cert.pem")

    paths = {"nginx-proxy": ("http", bench.proxy), "tollgate": ("http", bench.tg),
             "nginx-tls": ("https", nginx_tls_port), "tollgate-tls": ("https", tollgate_tls_port)}
    runs = {name: [] for name in paths}
    for name, (scheme, port) in paths.items():
        bench.wrk(port, "invoke", a.warmup, a.connections, label="tls warm-up", scheme=scheme)
    for rnd in range(a.rounds):
        for name, (scheme, port) in paths.items():
            r = bench.wrk(port, "invoke", a.duration, a.connections, label=f"tls round {rnd + 1}", scheme=scheme)
            runs[name].append(r)
            bench.log(f"tls round {rnd + 1} {name}: {r['rps']:.0f} req/s p50 {r['p50']} us errors {r['errors']}")
    alive = tollgate.poll() is None
    bench.procs.stop(tollgate)
    bench.procs.stop(nginx)

    med = lambda rs, k: statistics.median(r[k] for r in rs)  # noqa: E731
    bench.out(f"HTTPS invoke (TLS 1.3, keep-alive, same P-256 certificate; {a.rounds} rounds x {a.duration} s, "
              f"{a.connections} connections, alternating nginx-proxy / tollgate / nginx-tls / tollgate-tls)")
    for name, rs in runs.items():
        bench.out(f"  {name:<13} {med(rs, 'rps'):>9.0f} req/s  p50 {med(rs, 'p50') / 1000:.3f} ms  "
                  f"p99 {med(rs, 'p99') / 1000:.3f} ms  errors {sum(r['errors'] for r in rs)}   "
                  + ", ".join(f"{r['rps']:.0f}" for r in rs))
    per_round = [t["rps"] / n["rps"] for t, n in zip(runs["tollgate-tls"], runs["nginx-tls"])]
    tls_cost_tollgate = [t["rps"] / p["rps"] for t, p in zip(runs["tollgate-tls"], runs["tollgate"])]
    tls_cost_nginx = [t["rps"] / p["rps"] for t, p in zip(runs["nginx-tls"], runs["nginx-proxy"])]
    ratio = statistics.median(per_round)
    bench.out(f"  tollgate-tls / nginx-tls throughput: {ratio:.2f}x (per round: {', '.join(f'{x:.2f}' for x in per_round)})")
    bench.out(f"  TLS rate / plain rate: tollgate {statistics.median(tls_cost_tollgate):.2f}, "
              f"nginx {statistics.median(tls_cost_nginx):.2f}")
    if not alive:
        bench.out("  TOLLGATE (TLS) DIED during the runs")
    bench.out()
    return {"ratio": ratio, "errors": sum(r["errors"] for rs in runs.values() for r in rs), "alive": alive}
