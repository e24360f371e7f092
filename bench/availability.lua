-- Appointments scenario: GET /api/v1/appointments/availability for a random hall of the ones in
-- the file given after `--` (written by bench/rush_data.py setup), passport, with one of three
-- ranges: the default (today to the release horizon, about a week), the next three days, and
-- one day. Dates are Beijing time.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local codes = {}
local ranges = {}

local function beijing_date(days)
  return os.date("!%Y-%m-%d", os.time() + 8 * 3600 + days * 86400)
end

common.on_init = function(args)
  local file = assert(io.open(args[1] or "bench/results/availability_halls.txt", "r"))
  for line in file:lines() do
    if line ~= "" then
      codes[#codes + 1] = line
    end
  end
  file:close()
  assert(#codes > 0, "no hall codes")
  ranges = {
    "",
    "&from=" .. beijing_date(0) .. "&to=" .. beijing_date(2),
    "&from=" .. beijing_date(3) .. "&to=" .. beijing_date(3),
  }
end

common.next_path = function()
  return "/api/v1/appointments/availability?service=passport&hall="
    .. codes[math.random(#codes)] .. ranges[math.random(#ranges)]
end
