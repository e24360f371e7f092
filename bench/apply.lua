-- Endorsements (issue 11): POST /api/v1/me/endorsement-applications, a different person for
-- every request, as each would apply online: their token, their card pass, one endorsement they
-- are eligible for (individual travel G when registered in Shenzhen, else group travel L; 3
-- months, 1 trip), paid at a kiosk. Every automatic check passes, so each is approved at once.
-- Arguments after `--`: the file bench/endorsements_data.py wrote ("<key> <document id>
-- <destination> <type>" a line) and the line to start at (the warm-up starts further on, so
-- that no person applies twice). Counts non-2xx answers, and 2xx answers whose endorsement is
-- not "approved", both as failures.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local lines = {}
local start = 0
local sent = 0
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2") or 2

common.on_init = function(args)
  local file = assert(io.open(args[1] or "apply_tokens.txt", "r"))
  for line in file:lines() do
    if line ~= "" then
      lines[#lines + 1] = line
    end
  end
  file:close()
  start = tonumber(args[2] or "0") or 0
  assert(#lines > 0, "no persons")
end

-- Thread `id` (1..threads) takes lines start+id, start+id+threads, ...: no line twice.
function request()
  local n = start + (id or 1) + sent * nthreads
  sent = sent + 1
  assert(n <= #lines, "out of persons: make more (BENCH_ENDORSEMENTS_PERSONS)")
  local key, document, destination, type_code = lines[n]:match("^(%S+) (%d+) (%u+) (%u)$")
  wrk.headers["Authorization"] = "Bearer " .. key
  local body = string.format(
    '{"document_id": %s, "items": [{"destination": "%s", "type": "%s", "option": "3m1"}], '
      .. '"channel": "kiosk"}',
    document, destination, type_code)
  return wrk.format(nil, "/api/v1/me/endorsement-applications", nil, body)
end

not_approved = 0

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  elseif not body:find('"status":%s*"approved"') then
    not_approved = not_approved + 1
  end
end

local threads = {}
local common_setup = setup
function setup(thread)
  common_setup(thread)
  threads[#threads + 1] = thread
end

local common_done = done
function done(summary, latency, requests)
  common_done(summary, latency, requests)
  local n = 0
  for _, thread in ipairs(threads) do
    n = n + (thread:get("not_approved") or 0)
  end
  io.write(string.format('BENCH_APPLY {"not_approved": %d}\n', n))
end
