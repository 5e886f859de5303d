-- wrk script: GET /healthz (the HTTP ceiling: no auth, no database).
wrk.path = "/healthz"

-- done(): the summary line scripts/bench reads, shared by its wrk scripts.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "summary.lua")
