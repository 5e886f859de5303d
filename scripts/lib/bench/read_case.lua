-- wrk script: GET one route of a random case per request (dashboard reads).
-- env: PHYSIO_TOKEN (read scope), PHYSIO_CASES (comma-separated case ids),
--      PHYSIO_ROUTE (after /cases/{id}, e.g. "/anomalies" or "/vitals?bucket=1m"),
--      PHYSIO_DISTINCT=1: every request a distinct from= before the case, so the
--      server's answer cache never hits (the cost of reading a changing case)
local token = os.getenv("PHYSIO_TOKEN")
local route = os.getenv("PHYSIO_ROUTE")
local distinct = os.getenv("PHYSIO_DISTINCT") == "1"
local paths = {}
local counter = 0
local sent = 0

function setup(thread)
  counter = counter + 1
  thread:set("threadIndex", counter)
end

function init(args)
  for id in string.gmatch(os.getenv("PHYSIO_CASES"), "[^,]+") do
    paths[#paths + 1] = "/cases/" .. id .. route
  end
  math.randomseed(os.time() * 1000 + threadIndex)
end

function request()
  local path = paths[math.random(#paths)]
  if distinct then
    -- microseconds into 2000-01-01, distinct per thread and request: still the whole case
    sent = sent + 1
    local micros = (threadIndex * 1000000000 + sent) % 3600000000
    path = path .. (path:find("?", 1, true) and "&" or "?") .. string.format("from=2000-01-01T00:%02d:%02d.%06dZ",
      math.floor(micros / 60000000), math.floor(micros / 1000000) % 60, micros % 1000000)
  end
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end

-- done(): the summary line scripts/bench reads, shared by its wrk scripts.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "summary.lua")
