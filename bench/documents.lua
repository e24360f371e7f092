-- "My documents" (issue 3): GET /api/v1/me/documents, signed in with one of the tokens
-- bench/documents_data.py wrote (common.bearer_scenario).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

common.bearer_scenario("/api/v1/me/documents", "document_tokens.txt")
