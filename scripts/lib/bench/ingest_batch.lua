-- wrk script: POST batches of samples with unique times; each wrk thread
-- spreads its requests over PHYSIO_CASES_PER_THREAD cases (default 16), as
-- many monitors would, so every sample is new (no duplicates).
-- env: PHYSIO_TOKEN, PHYSIO_BATCH (samples per request, default 50), PHYSIO_CASES_PER_THREAD
local counter = 0
local batch = tonumber(os.getenv("PHYSIO_BATCH") or "50")
local cases = tonumber(os.getenv("PHYSIO_CASES_PER_THREAD") or "16")
local token = os.getenv("PHYSIO_TOKEN")
local paths = {}
local sent = 0

function setup(thread)
  counter = counter + 1
  thread:set("threadIndex", counter)
end

function init(args)
  local prefix = "bench-" .. threadIndex .. "-" .. os.time() .. "-" .. tostring({}):sub(8) .. "-"
  for i = 1, cases do paths[i] = "/cases/" .. prefix .. i .. "/vitals" end
  next = 1700000000
end

function request()
  local parts = {}
  for i = 1, batch do
    parts[i] = string.format('{"t":%d,"hr":%d,"sbp":%d,"dbp":%d,"spo2":%d}',
      next, 60 + (next % 40), 110 + (next % 30), 55 + (next % 20), 95 + (next % 5))
    next = next + 1
  end
  sent = sent + 1
  local body = '{"samples":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format("POST", paths[sent % cases + 1],
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

-- done(): the summary line scripts/bench reads, shared by its wrk scripts.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "summary.lua")
