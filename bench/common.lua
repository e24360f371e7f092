-- Shared by the wrk scenarios: the proxy header, a per-thread random generator, counting of
-- non-2xx responses and a machine-readable summary line for bench/report.py.
--
-- A scenario sets `next_path` (a function returning the next request path) before loading
-- this file with dofile().

local M = {}

wrk.method = "GET"
wrk.headers["X-Forwarded-Proto"] = "https" -- as nginx sends it; production redirects plain HTTP
wrk.headers["Accept"] = "application/json"

-- A small deterministic generator (LCG) for the fixed lists, the same in every wrk thread.
function M.lcg(seed)
  local state = seed
  return function(lo, hi)
    state = (state * 1103515245 + 12345) % 2147483648
    return lo + (hi - lo) * state / 2147483648
  end
end

function M.urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

-- About 200 points across China: 150 scattered up to ~40 km around 50 cities (not hall
-- locations) and 50 spread over the country's inhabited latitudes and longitudes.
local CITIES = {
  { 39.90, 116.40 }, { 31.23, 121.47 }, { 23.13, 113.26 }, { 22.54, 114.06 }, { 30.57, 104.07 },
  { 29.56, 106.55 }, { 30.59, 114.31 }, { 34.34, 108.94 }, { 32.06, 118.80 }, { 30.27, 120.16 },
  { 39.13, 117.20 }, { 36.07, 120.38 }, { 38.91, 121.61 }, { 41.80, 123.43 }, { 45.80, 126.53 },
  { 43.82, 125.32 }, { 36.65, 117.12 }, { 34.75, 113.63 }, { 28.23, 112.94 }, { 28.68, 115.86 },
  { 26.07, 119.30 }, { 24.48, 118.09 }, { 25.04, 102.71 }, { 26.65, 106.63 }, { 22.82, 108.37 },
  { 20.04, 110.20 }, { 18.25, 109.51 }, { 36.06, 103.83 }, { 36.62, 101.78 }, { 38.49, 106.23 },
  { 43.83, 87.62 }, { 29.65, 91.12 }, { 40.84, 111.75 }, { 37.87, 112.55 }, { 38.04, 114.51 },
  { 31.82, 117.23 }, { 22.27, 113.57 }, { 23.02, 113.75 }, { 31.30, 120.58 }, { 29.87, 121.54 },
  { 28.00, 120.70 }, { 24.88, 118.68 }, { 39.47, 75.99 }, { 44.01, 87.31 }, { 40.65, 109.84 },
  { 46.64, 124.99 }, { 21.48, 109.12 }, { 27.73, 109.19 }, { 35.50, 112.85 }, { 33.00, 97.00 },
}

function M.points()
  local rnd = M.lcg(20261125)
  local points = {}
  for i = 1, 150 do
    local city = CITIES[(i - 1) % #CITIES + 1]
    points[#points + 1] = { city[1] + rnd(-0.35, 0.35), city[2] + rnd(-0.4, 0.4) }
  end
  for _ = 1, 50 do
    points[#points + 1] = { rnd(22.0, 46.0), rnd(85.0, 128.0) }
  end
  return points
end

function M.near(point)
  return string.format("%.4f,%.4f", point[1], point[2])
end

-- wrk hooks -------------------------------------------------------------------------------
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  threads[#threads + 1] = thread
end

non2xx = 0
statuses = {}

function init(args)
  math.randomseed(1000 + (id or 0) * 7919) -- the same request sequence on every run
  if M.on_init then
    M.on_init(args)
  end
end

function request()
  return wrk.format(nil, M.next_path())
end

-- Paced runs: with BENCH_THINK_MS set, each connection waits a random 0..2x that many ms after
-- each response (mean BENCH_THINK_MS), like users who read before clicking again. 64
-- connections with ~61 ms offer about 1,000 requests/s, so latency is measured at that rate
-- rather than at saturation, where it is only the queue (connections / throughput).
--
-- With BENCH_RATE set instead (requests/s over all wrk threads; BENCH_RATE_THREADS = wrk's -t),
-- each thread sends on a fixed schedule, one request every threads/rate seconds on whichever of
-- its connections is free, so the offered rate is the one asked for whatever the latency (a
-- think time offers less as answers slow down). A thread that falls behind (every connection
-- busy) catches up at most 100 ms, so the run never turns into an unpaced burst.
local think_ms = tonumber(os.getenv("BENCH_THINK_MS") or "")
local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate and rate > 0 then
  local ffi = require("ffi")
  ffi.cdef([[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec *tp);
  ]])
  local ts = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval = (tonumber(os.getenv("BENCH_RATE_THREADS") or "1") or 1) * 1000 / rate
  local next_at = nil
  function delay()
    local now = now_ms()
    if next_at == nil or next_at < now - 100 then
      next_at = now
    end
    next_at = next_at + interval
    return math.max(0, math.floor(next_at - now))
  end
elseif think_ms and think_ms > 0 then
  function delay()
    return math.random(0, 2 * think_ms)
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    local seen = thread:get("statuses") or {}
    for code, n in pairs(seen) do
      by_status[#by_status + 1] = string.format('"%d": %d', code, n)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "rps": %.1f, '
      .. '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}, '
      .. '"non2xx": %d, "non2xx_by_status": {%s}, '
      .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.requests / (summary.duration / 1e6),
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, bad, table.concat(by_status, ", "),
    e.connect, e.read, e.write, e.status, e.timeout))
end

-- A signed-in scenario: GET `path` with `Authorization: Bearer <key>`, a random one of the keys
-- in the file given after `--` (one a line; `default_file` without it) for each request, one
-- request in four asking for English.
function M.bearer_scenario(path, default_file)
  local keys = {}
  M.on_init = function(args)
    local file = assert(io.open(args[1] or default_file, "r"))
    for line in file:lines() do
      if line ~= "" then
        keys[#keys + 1] = "Bearer " .. line
      end
    end
    file:close()
    assert(#keys > 0, "no tokens")
  end
  -- BENCH_SWEEP=1 (a warm-up): each thread takes the keys in turn, thread i the i-th of every
  -- `threads`, so a run of at least as many requests as keys reads every key's data once.
  local sweep = os.getenv("BENCH_SWEEP") == "1"
  local threads = tonumber(os.getenv("BENCH_RATE_THREADS") or "2") or 2
  local turn = 0
  M.next_path = function()
    if sweep then
      wrk.headers["Authorization"] = keys[(turn * threads + (id or 1) - 1) % #keys + 1]
      turn = turn + 1
    else
      wrk.headers["Authorization"] = keys[math.random(#keys)]
    end
    if math.random(4) == 1 then
      wrk.headers["Accept-Language"] = "en"
    else
      wrk.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
    end
    return path
  end
end

return M
