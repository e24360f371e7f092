-- "My applications" (issue 10): GET /api/v1/me/applications, signed in with one of the
-- tokens bench/progress_data.py wrote (common.bearer_scenario).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

common.bearer_scenario("/api/v1/me/applications", "application_tokens.txt")
