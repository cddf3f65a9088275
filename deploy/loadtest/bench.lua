-- wrk script for the Tollgate bench (https://github.com/wg/wrk/blob/master/SCRIPTING).
-- Environment:
--   BENCH_BODY     file holding the request body (the ~1 KB Anthropic messages body), sent as a POST
--   BENCH_KEY      client API key, sent as `Authorization: Bearer <key>` (the direct and nginx paths ignore it)
--   BENCH_RATE     optional: total requests/s to pace to (0 or unset = closed loop, as fast as answers come)
--   BENCH_THREADS  wrk's -t, needed to split BENCH_RATE between threads
-- done() prints one line `BENCH {json}` with counts and latency percentiles in microseconds.

local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "")

-- Pacing: each thread owns a schedule of send times `interval` ms apart; every connection of the thread takes the
-- next slot when it is ready to send, so the thread sends at 1/interval however many connections it has (as long
-- as the server keeps up). Latency is then measured from the paced send, at a known offered load.
local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
local threads = tonumber(os.getenv("BENCH_THREADS") or "1") or 1
local interval = 0
local next_slot = 0
local now_ms

if rate > 0 then
    local ffi = require("ffi")
    ffi.cdef [[
        typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
        int clock_gettime(int clock_id, bench_timespec *tp);
    ]]
    local ts = ffi.new("bench_timespec")
    now_ms = function()
        ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
        return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
    end
    interval = threads * 1000.0 / rate

    function delay()
        local now = now_ms()
        if next_slot < now then next_slot = now end
        next_slot = next_slot + interval
        return math.floor(next_slot - now - interval)
    end
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
        '"timeout":%d,"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}\n',
        summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
        latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(99),
        latency:percentile(99.9), latency.max, latency.mean))
end
