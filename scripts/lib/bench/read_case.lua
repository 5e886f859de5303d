-- wrk script: GET one route of a random case per request (dashboard reads).
-- env: PHYSIO_TOKEN (read scope), PHYSIO_CASES (comma-separated case ids),
--      PHYSIO_ROUTE (after /cases/{id}, e.g. "/anomalies" or "/vitals?bucket=1m")
local token = os.getenv("PHYSIO_TOKEN")
local route = os.getenv("PHYSIO_ROUTE")
local paths = {}
local counter = 0

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
  return wrk.format("GET", paths[math.random(#paths)], {["Authorization"] = "Bearer " .. token})
end

-- done(): the summary line scripts/bench reads, shared by its wrk scripts.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "summary.lua")
