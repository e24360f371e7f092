-- The progress lookup (issue 10): POST /api/v1/progress/lookup without signing in, with the
-- number and the applicant's ID number of a random one of the 100,000 applications, one
-- request in four asking for English. The pairs ("number id-number", one a line) come from a
-- file given after `--`, written by bench/progress_data.py.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local bodies = {}

common.on_init = function(args)
  local file = assert(io.open(args[1] or "lookup_pairs.txt", "r"))
  for line in file:lines() do
    local number, id_number = line:match("^(%d+) ([%dX]+)$")
    if number then
      bodies[#bodies + 1] = string.format(
        '{"application_number": "%s", "id_number": "%s"}', number, id_number)
    end
  end
  file:close()
  assert(#bodies > 0, "no lookup pairs")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

common.next_path = function()
  wrk.body = bodies[math.random(#bodies)]
  if math.random(4) == 1 then
    wrk.headers["Accept-Language"] = "en"
  else
    wrk.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
  end
  return "/api/v1/progress/lookup"
end
