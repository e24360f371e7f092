-- The shared ceiling's own /db (../shared/ceiling/app.py) with this bench's pacing (BENCH_RATE,
-- bench/common.lua), to put the paced latency of an endpoint beside the bare framework's at the
-- same rate: a random one of its 200,000 persons per request, as its run.sh asks.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

common.next_path = function()
  return "/db?person=" .. math.random(1, 200000)
end

return common
