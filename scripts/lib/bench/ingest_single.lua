-- wrk script: one sample per request, unique times; each wrk thread spreads
-- its requests over PHYSIO_CASES_PER_THREAD cases (default 16), as many
-- monitors would, so every sample is new.
-- env: PHYSIO_TOKEN, PHYSIO_CASES_PER_THREAD
local counter = 0
local token = os.getenv("PHYSIO_TOKEN")
local cases = tonumber(os.getenv("PHYSIO_CASES_PER_THREAD") or "16")
local paths = {}

function setup(thread)
  counter = counter + 1
  thread:set("threadIndex", counter)
end

function init(args)
  local prefix = "single-" .. threadIndex .. "-" .. os.time() .. "-" .. tostring({}):sub(8) .. "-"
  for i = 1, cases do paths[i] = "/cases/" .. prefix .. i .. "/vitals" end
  next = 1700000000000
end

function request()
  next = next + 1
  local body = string.format('{"samples":[{"t":%d.%03d,"hr":%d,"spo2":98}]}', math.floor(next / 1000), next % 1000, 60 + (next % 40))
  return wrk.format("POST", paths[next % cases + 1],
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

-- done(): the summary line scripts/bench reads, shared by its wrk scripts.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "summary.lua")
