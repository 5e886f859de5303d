# Sourced by scripts/bench (--only retention): `physio retention` removing a
# day of stored monitors while 1,000 monitors post live. The day is 40 days
# old, one sample a second per monitor and its score, as the workers would
# have left it (vacuumed; on TimescaleDB, its aggregates refreshed). Then
# ingest p99 in three windows: before, during (retention starts a few
# seconds in) and after. The target: during ≤ 2× the lower of before and
# after (issue 21's "2× its baseline").
# Uses: db, settle, step, row, calc, field, register_model, start_server,
# stop_server, loadgen, $physio, $work, $pgdir, $quick, $monitors.

if [ $quick = 1 ]; then
    retention_cases=100 retention_seconds=3600 retention_window=10 retention_delay=2
else
    retention_cases=1000 retention_seconds=86400 retention_window=30 retention_delay=5
fi
register_model
IFS='|' read -r day day_suffix < <(db -c "SELECT d, to_char(d, 'YYYYMMDD') FROM (SELECT (now() AT TIME ZONE 'UTC')::date - 40) AS t(d)")
timescale=$(db -c "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'")
if [ "$timescale" = 0 ]; then
    db -c "SELECT physio_add_day_partitions('vitals', '$day', '$day') + physio_add_day_partitions('anomaly_scores', '$day', '$day')" >/dev/null
fi
model_id=$(db -c "SELECT min(id) FROM models")
step "retention: storing a day 40 days old, $retention_cases monitors × $retention_seconds s, samples and scores"
started=$(now)
old_rows="FROM generate_series(1, $retention_cases) c, generate_series(0, $retention_seconds - 1) s"
old_ts="timestamp '$day' AT TIME ZONE 'UTC' + s * interval '1 second'"
db -c "INSERT INTO vitals SELECT 'old-' || c, $old_ts, 60 + c % 40, 120, 70, 88, 98, 14, 38, 36.8 $old_rows" &
vitals_pid=$!
db -c "INSERT INTO anomaly_scores SELECT 'old-' || c, $old_ts, 0.4, false, '{}', $model_id, now(), now() $old_rows"
wait $vitals_pid
if [ "$timescale" != 0 ]; then
    # TimescaleDB refuses a refresh over a range a policy is refreshing: wait for it.
    for view in vitals_1m vitals_1h; do
        for attempt in $(seq 60); do
            db -c "CALL refresh_continuous_aggregate('$view', NULL, NULL)" 2>"$work/refresh.err" && break
            grep -q "concurrent refresh" "$work/refresh.err" && [ "$attempt" -lt 60 ] || { cat "$work/refresh.err" >&2; exit 1; }
            sleep 10
        done
    done
fi
db -c "VACUUM ANALYZE vitals" -c "VACUUM ANALYZE anomaly_scores"
if [ "$timescale" = 0 ]; then
    relations="SELECT oid FROM pg_class WHERE relname IN ('vitals_$day_suffix', 'anomaly_scores_$day_suffix')"
else
    relations="SELECT format('%I.%I', chunk_schema, chunk_name)::regclass FROM timescaledb_information.chunks
               WHERE hypertable_name IN ('vitals', 'anomaly_scores') AND range_end <= timestamp '$day' AT TIME ZONE 'UTC' + interval '1 day'"
fi
day_bytes=$(db -c "SELECT sum(pg_total_relation_size(r)) FROM ($relations) AS t(r)")
day_gb=$(calc "round($day_bytes / 1e9, 1)")
step "retention: stored in $(calc "$(now) - $started") s, $day_gb GB"
settle
# Online discard (mount option `discard`) makes the file system trim every
# freed block as the day's files are unlinked: say what this disk does.
data_directory=$(db -c "SHOW data_directory" 2>/dev/null || true)   # superusers only
filesystem=
if [ -d "$data_directory" ]; then filesystem=$(findmnt -no FSTYPE,OPTIONS --target "$data_directory" 2>/dev/null | tr -s ' ' ' ' || true); fi
# The day was written minutes ago, so the kernel still caches it; a day 30
# days old would have been evicted long since, and freeing gigabytes of
# cached pages as the files go costs the removal seconds of CPU. Evict the
# day's files (CHECKPOINT above left them clean), as time would have.
day_cache="still in the page cache (the data directory is not readable here)"
if [ -d "$data_directory" ]; then
    evicted=0
    while read -r file; do
        for segment in "$data_directory/$file" "$data_directory/$file".[0-9]*; do
            [ -f "$segment" ] && dd if="$segment" iflag=nocache count=0 status=none && evicted=$((evicted + 1))
        done
    done < <(db -c "SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE c.oid IN ($relations)
                    OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN ($relations))")
    day_cache="evicted from the page cache ($evicted files), as a day 30 days old would be"
fi

stop_server
start_server
loadgen retention-warm $((retention_window / 2))
for window in before during after; do
    loadgen "retention-$window" "$retention_window" &
    loadgen_pid=$!
    if [ $window = during ]; then
        sleep $retention_delay
        started=$(now)
        "$physio" retention --raw '30 days' >"$work/retention.out" 2>>"$work/setup.log"
        took=$(calc "$(now) - $started")
    fi
    wait $loadgen_pid
    j=$work/retention-$window.json
    [ "$(field "$j" ok_requests)" = "$(field "$j" requests)" ] || echo "bench: retention $window: $(field "$j" ok_requests) of $(field "$j" requests) requests answered 200" >&2
done
row retention_took "retention: a day of $retention_cases monitors removed" "$took" s "" "" "" \
    "$day_gb GB of samples and scores, $day_cache; $(cat "$work/retention.out"); data directory on ${filesystem:-unknown}"
for window in before during after; do
    j=$work/retention-$window.json
    row "retention_p99_$window" "retention: live monitors' request p99, $window" "$(field "$j" latency_p99_ms)" ms "" "" "" \
        "p50 $(field "$j" latency_p50_ms) ms, max $(field "$j" latency_max_ms) ms, $(field "$j" ok_requests) of $(field "$j" requests) answered 200 in $retention_window s"
done
# The baseline is the quieter of the windows around the removal: a slow
# second in one of them (a WAL segment being created, say) must not make
# the removal look cheap.
p99() { field "$work/retention-$1.json" latency_p99_ms; }
row retention_p99_ratio "retention: request p99 during ÷ the lower of before and after" \
    "$(calc "$(p99 during) / min($(p99 before), $(p99 after))")" "×" "<=2"
