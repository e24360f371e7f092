-- Scenario (c), hall detail: GET /api/v1/halls/{code}, a random hall for each request. The
-- codes come from a file (one a line) given after `--`, written by bench/run.sh from the
-- database.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local codes = {}

common.on_init = function(args)
  local file = assert(io.open(args[1] or "bench/results/hall_codes.txt", "r"))
  for line in file:lines() do
    if line ~= "" then
      codes[#codes + 1] = line
    end
  end
  file:close()
  assert(#codes > 0, "no hall codes")
end

common.next_path = function()
  return "/api/v1/halls/" .. codes[math.random(#codes)]
end
