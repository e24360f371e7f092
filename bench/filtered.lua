-- Scenario (b), filtered hall list: GET /api/v1/halls with a mix of region (province and city
-- codes), service, q (Chinese, pinyin and English words), open_now=true and near+service. The
-- mix is a fixed list of ~400 query strings; each request draws one at random.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local PROVINCES = {
  "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000",
  "320000", "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000",
  "440000", "450000", "460000", "500000", "510000", "520000", "530000", "540000", "610000",
  "620000", "630000", "640000", "650000",
}
local CITIES = {
  "440300", "440100", "440400", "320500", "330100", "420100", "510100", "350200", "441900",
  "130100", "140100", "210100", "210200", "220100", "230100", "320100", "330200", "330300",
  "340100", "350100", "360100", "370100", "370200", "410100", "430100", "440600", "450100",
  "460100", "520100", "530100", "610100", "650100",
}
local SERVICES = {
  "passport", "hk-macao-pass", "taiwan-permit", "endorsement-hk-macao", "endorsement-taiwan",
  "exit-entry-record",
}
local WORDS = {
  -- Chinese
  "深圳", "广州", "北京", "上海", "成都", "出入境", "办证大厅", "罗湖", "浦东", "人民路",
  -- pinyin (full and initials)
  "shenzhen", "guangzhou", "hangzhou", "wuhan", "luohu", "chongqing", "szs", "crj",
  -- English
  "Shenzhen", "Beijing", "Service Hall", "Port", "District", "Road", "Xiamen", "Harbin",
}

local rnd = common.lcg(2604)
local function pick(list)
  return list[math.floor(rnd(1, #list + 1))]
end

local points = common.points()
local queries = {}
local function add(q)
  queries[#queries + 1] = q
end
for _ = 1, 40 do add("region=" .. pick(PROVINCES)) end
for _ = 1, 40 do add("region=" .. pick(CITIES)) end
for _ = 1, 30 do add("service=" .. pick(SERVICES)) end
for _ = 1, 40 do add("region=" .. pick(PROVINCES) .. "&service=" .. pick(SERVICES)) end
for _ = 1, 70 do add("q=" .. common.urlencode(pick(WORDS))) end
for _ = 1, 30 do add("q=" .. common.urlencode(pick(WORDS)) .. "&region=" .. pick(PROVINCES)) end
for _ = 1, 20 do add("open_now=true") end
for _ = 1, 30 do add("open_now=true&region=" .. pick(PROVINCES)) end
for _ = 1, 20 do add("open_now=true&service=" .. pick(SERVICES)) end
for _ = 1, 80 do
  add("near=" .. common.near(points[math.floor(rnd(1, #points + 1))]) .. "&service="
    .. pick(SERVICES))
end

common.next_path = function()
  return "/api/v1/halls?" .. queries[math.random(#queries)] .. "&limit=20"
end
