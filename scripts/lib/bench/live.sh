# Sourced by scripts/bench (--only live): what live scoring costs once every
# job reads a whole context (the monitors row's cases are 45 s old, too
# young for that). 30 [5] simulated cases of 40 [20] minutes are replayed
# through the API at 30× their speed, a sample a second each, into our own
# server with its default worker pool. Rows: the server's CPU time (user +
# system, from /proc) over the replay and the drain after it, and how long
# the drain took. For an A/B, run it with PHYSIO_BIN of each build in turn.
# Uses: db, step, row, calc, now, simulate, register_model, start_server,
# stop_server, wait_for_queue, $physio, $ingest_token, $server_url,
# $server_pid, $own_server, $work, $quick.

if [ $quick = 1 ]; then live_cases=5 live_hours=0.34; else live_cases=30 live_hours=0.67; fi
register_model
step "restarting physio serve with its default worker pool"
stop_server
start_server
if [ "$own_server" = 1 ] && [ -r "/proc/$server_pid/stat" ]; then
    live_data=$(simulate live "$live_cases" "$live_hours" 21)
    server_cpu() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
    step "live: $live_cases cases × $live_hours h replayed at 30×, workers scoring"
    cpu_before=$(server_cpu) started=$(now)
    "$physio" replay --url "$server_url" --token "$ingest_token" --speed 30 --case-prefix live- "$live_data" \
        >"$work/live.log" 2>&1
    replayed=$(now)
    wait_for_queue 600 || echo "bench: live: the queue did not drain within 600 s of the replay" >&2
    drained=$(now) cpu_after=$(server_cpu)
    scored=$(db -c "SELECT count(*) FROM anomaly_scores WHERE case_id LIKE 'live-%'")
    row live_cpu "live: server CPU, $live_cases cases × $live_hours h replayed at 30× and scored" \
        "$(calc "($cpu_after - $cpu_before) / $(getconf CLK_TCK)")" s "" "" "" \
        "$scored samples scored; the replay took $(calc "$replayed - $started") s"
    row live_drain "live: scoring still to do when the replay ends" "$(calc "$drained - $replayed")" s
else
    echo "bench: live needs our own server on this machine (its CPU time): skipped" >&2
fi
