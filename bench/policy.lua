-- Endorsements (issue 11): GET /api/v1/endorsements/policy, half in Chinese, half in English
-- (no If-None-Match: every answer is the full body, the cached rendering).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

common.next_path = function()
  if math.random() < 0.5 then
    wrk.headers["Accept-Language"] = "en"
  else
    wrk.headers["Accept-Language"] = "zh-Hans"
  end
  return "/api/v1/endorsements/policy"
end
