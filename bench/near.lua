-- Scenario (a), nearest-hall search: GET /api/v1/halls?near=LAT,LNG&limit=20, one of ~200
-- fixed points across China drawn at random for each request.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local points = common.points()

common.next_path = function()
  local point = points[math.random(#points)]
  return "/api/v1/halls?near=" .. common.near(point) .. "&limit=20"
end
