-- "My entry/exit records" (issue 12): GET /api/v1/me/crossings with `Authorization: Bearer <key>`, a
-- random one of the 10,000 tokens for each request, one request in four asking for English.
-- The keys come from a file (one a line) given after `--`, written by bench/documents_data.py.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local keys = {}

common.on_init = function(args)
  local file = assert(io.open(args[1] or "document_tokens.txt", "r"))
  for line in file:lines() do
    if line ~= "" then
      keys[#keys + 1] = "Bearer " .. line
    end
  end
  file:close()
  assert(#keys > 0, "no tokens")
end

common.next_path = function()
  wrk.headers["Authorization"] = keys[math.random(#keys)]
  if math.random(4) == 1 then
    wrk.headers["Accept-Language"] = "en"
  else
    wrk.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
  end
  return "/api/v1/me/crossings"
end
