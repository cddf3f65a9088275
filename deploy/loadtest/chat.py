"""OpenAI chat completions beside Bedrock invoke on the same Tollgate (phase `chat`)."""
import http.client
import json
import statistics

import fixtures


def run(bench) -> None:
    """OpenAI chat completions beside Bedrock invoke on the same Tollgate, the same conversation and reply:
    what the translation (Chat Completions -> Converse -> chat.completion) costs, alternated in one run."""
    a = bench.a
    chat_path = "/openai/v1/chat/completions"
    body = f"{bench.dir}/chat-request.json"
    c = http.client.HTTPConnection("127.0.0.1", bench.tg, timeout=5)
    c.request("POST", chat_path, body=open(body, "rb").read(),
              headers={"Authorization": "Bearer " + bench.client_key, "Content-Type": "application/json"})
    r = c.getresponse()
    answer = json.loads(r.read())
    c.close()
    if r.status != 200 or answer["choices"][0]["message"]["content"] != fixtures.REPLY:
        raise RuntimeError(f"chat completions: status {r.status}: {answer}")
    runs = {"invoke": [], "chat": []}
    bench.wrk(bench.tg, "invoke", a.warmup, a.connections, label="chat warm-up")
    bench.wrk(bench.tg, "", a.warmup, a.connections, label="chat warm-up", path=chat_path, body=body)
    for rnd in range(a.rounds):
        runs["invoke"].append(bench.wrk(bench.tg, "invoke", a.duration, a.connections, label=f"chat round {rnd + 1}"))
        runs["chat"].append(bench.wrk(bench.tg, "", a.duration, a.connections, label=f"chat round {rnd + 1}",
                                     path=chat_path, body=body))
        bench.log(f"chat round {rnd + 1}: invoke {runs['invoke'][-1]['rps']:.0f}, chat {runs['chat'][-1]['rps']:.0f} req/s")
    med = lambda rs, k: statistics.median(r[k] for r in rs)  # noqa: E731
    per_round = [c["rps"] / i["rps"] for c, i in zip(runs["chat"], runs["invoke"])]
    bench.out(f"OpenAI chat completions beside invoke on Tollgate ({a.rounds} rounds x {a.duration} s, {a.connections} connections)")
    for name, rs in runs.items():
        bench.out(f"  {name:<7} {med(rs, 'rps'):>9.0f} req/s  p50 {med(rs, 'p50') / 1000:.3f} ms  errors {sum(r['errors'] for r in rs)}")
    bench.out(f"  chat / invoke throughput: {statistics.median(per_round):.2f}x (per round: {', '.join(f'{x:.2f}' for x in per_round)})")
    bench.out()
