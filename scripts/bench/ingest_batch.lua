-- wrk script: POST batches of samples with unique times, one case per
-- connection, so every sample is new (no duplicates).
-- env: PHYSIO_TOKEN, PHYSIO_BATCH (samples per request, default 50)
local counter = 0
local batch = tonumber(os.getenv("PHYSIO_BATCH") or "50")
local token = os.getenv("PHYSIO_TOKEN")
local caseId

function setup(thread)
  counter = counter + 1
  thread:set("threadIndex", counter)
end

function init(args)
  caseId = "bench-" .. threadIndex .. "-" .. os.time() .. "-" .. tostring({}):sub(8)
  next = 1700000000
end

function request()
  local parts = {}
  for i = 1, batch do
    parts[i] = string.format('{"t":%d,"hr":%d,"sbp":%d,"dbp":%d,"spo2":%d}',
      next, 60 + (next % 40), 110 + (next % 30), 55 + (next % 20), 95 + (next % 5))
    next = next + 1
  end
  local body = '{"samples":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format("POST", "/cases/" .. caseId .. "/vitals",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. ": " .. body .. "\n")
  end
end

done = function(summary, latency, requests)
  io.write(string.format("JSON {\"requests\":%d,\"errors\":%d,\"seconds\":%.3f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"batch\":%d}\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, batch))
end
