# Sourced by scripts/bench (--only floods): whether a flood of one kind
# delays the monitors. 200 monitors post a sample a second each (physio
# loadgen) alone, then beside each flood in turn, one client saturating
# the server with one kind of request: batches of 50 samples (wrk -c32),
# single samples (wrk -c64), HL7 v2 messages over MLLP (loadgen --rate 0,
# 64 connections) and dashboard reads of changing cases (wrk -c32, every
# request a distinct range, so no answer comes from memory). Rows: the
# monitors' request p99 beside each flood, its ratio to theirs alone, and
# how many of their samples were acknowledged. Target: every one, each
# within 250 ms (a quarter of a monitor's period, so that none falls behind).
# Uses: step, row, calc, field, register_model,
# start_server, stop_server, $physio, $ingest_token, $read_token,
# $server_url, $hl7_port, $own_server, $work, $quick.

if [ $quick = 1 ]; then flood_seconds=5; else flood_seconds=20; fi
flood_monitors=200
register_model
step "restarting physio serve with its default worker pool"
stop_server
start_server

monitors_beside() {  # monitors_beside NAME: 200 monitors for flood_seconds, report in $work/flood-NAME.json
    "$physio" loadgen --url "$server_url" --token "$ingest_token" --monitors $flood_monitors --rate 1 --threads 2 \
        --duration "$flood_seconds" --case-prefix "fm-$1" --report "$work/flood-$1.json" >/dev/null 2>>"$work/loadgen.log"
}
flood_wrk() {  # flood_wrk NAME CONNECTIONS SCRIPT [env...]: runs past the monitors' window
    local name=$1 connections=$2 script=$3; shift 3
    env "$@" wrk -t2 -c"$connections" -d"$((flood_seconds + 2))s" --timeout 10s -s "scripts/lib/bench/$script" "$server_url" \
        >"$work/flood-$name.out" 2>&1
}
flood_row() {  # flood_row NAME LABEL FLOOD_NOTE
    local j=$work/flood-$1.json
    local p99; p99=$(field "$j" latency_p99_ms)
    row "flood_$1_p99" "200 monitors beside $2: request p99" "$p99" ms "<=250" "" "" \
        "$(field "$j" ok_requests) of $(field "$j" requests) acknowledged; alone $(field "$work/flood-alone.json" latency_p99_ms) ms ($(calc "round($p99 / $(field "$work/flood-alone.json" latency_p99_ms), 1)")×); $3"
    [ "$(field "$j" ok_requests)" = "$(field "$j" requests)" ] ||
        echo "bench: floods: $1: only $(field "$j" ok_requests) of $(field "$j" requests) monitor requests acknowledged" >&2
}
wrk_rate() { grep '^JSON ' "$work/flood-$1.out" | cut -c6- | python3 -c 'import json,sys; r=json.load(sys.stdin); print(round(r["requests"]/r["seconds"]))'; }

step "floods: $flood_monitors monitors alone, then beside each flood, $flood_seconds s each"
monitors_beside warm
monitors_beside alone
row flood_alone_p99 "200 monitors alone: request p99" "$(field "$work/flood-alone.json" latency_p99_ms)" ms "" "" "" \
    "$(field "$work/flood-alone.json" ok_requests) of $(field "$work/flood-alone.json" requests) acknowledged"

flood_wrk batch 32 ingest_batch.lua PHYSIO_TOKEN="$ingest_token" PHYSIO_BATCH=50 &
flood=$!; sleep 1; monitors_beside batch; wait $flood
flood_row batch "a flood of 50-sample batches" "the flood: $(( $(wrk_rate batch) * 50 )) samples/s (wrk -c32)"

flood_wrk single 64 ingest_single.lua PHYSIO_TOKEN="$ingest_token" &
flood=$!; sleep 1; monitors_beside single; wait $flood
flood_row single "a flood of single samples" "the flood: $(wrk_rate single) req/s (wrk -c64)"

if [ "$own_server" = 1 ]; then
    "$physio" loadgen --url "$server_url" --hl7-port "$hl7_port" --monitors 64 --rate 0 --threads 2 \
        --duration "$((flood_seconds + 2))" --case-prefix flood-hl7 --report "$work/flood-hl7-sender.json" \
        >/dev/null 2>>"$work/loadgen.log" &
    flood=$!; sleep 1; monitors_beside hl7; wait $flood
    flood_row hl7 "a flood of HL7 v2 messages" "the flood: $(printf %.0f "$(field "$work/flood-hl7-sender.json" requests_per_second)") msg/s (64 MLLP connections)"
fi

read_cases=$(python3 -c "print(','.join('fm-alone-%d' % i for i in range(50)))")
flood_wrk reads 32 read_case.lua PHYSIO_TOKEN="$read_token" PHYSIO_CASES="$read_cases" PHYSIO_ROUTE=/vitals PHYSIO_DISTINCT=1 &
flood=$!; sleep 1; monitors_beside reads; wait $flood
flood_row reads "a flood of dashboard reads" "the flood: $(wrk_rate reads) req/s of /cases/{id}/vitals, never from memory (wrk -c32)"
