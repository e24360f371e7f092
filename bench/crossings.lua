-- "My entry/exit records" (issue 12): GET /api/v1/me/crossings, signed in with one of the
-- tokens bench/documents_data.py wrote (common.bearer_scenario).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

common.bearer_scenario("/api/v1/me/crossings", "document_tokens.txt")
