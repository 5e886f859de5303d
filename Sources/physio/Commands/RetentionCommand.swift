import ArgumentParser
import PhysioCore
import PhysioStore

struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Remove raw samples and scores, and aggregates, older than the retention periods (run it from cron or a timer).",
        discussion: """
            Plain PostgreSQL: raw samples and scores go by whole UTC days (day partitions dropped, \
            a short lock wait per try); other rows are deleted in batches (--batch-rows per table and \
            transaction), so live ingest does not wait. TimescaleDB: whole chunks past the cutoff are \
            dropped, after the aggregates are refreshed up to it, so their buckets outlive the raw rows \
            (docs/retention.md). Episodes and their reviews are kept.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Keep raw samples and their scores this long, a PostgreSQL interval such as '30 days' (env PHYSIO_RETENTION_RAW).")
    var raw: String?

    @Option(help: "Keep the minute and hour aggregates this long, e.g. '5 years' (env PHYSIO_RETENTION_AGGREGATES).")
    var aggregates: String?

    @Option(help: "Rows deleted per table and transaction (plain PostgreSQL).")
    var batchRows = 10_000

    func run() throws {
        var retention = Retention(raw: raw ?? Environment.string("PHYSIO_RETENTION_RAW"),
                                  aggregates: aggregates ?? Environment.string("PHYSIO_RETENTION_AGGREGATES"))
        guard retention.raw != nil || retention.aggregates != nil else {
            throw ValidationError("nothing to do: give --raw or --aggregates (or PHYSIO_RETENTION_RAW, PHYSIO_RETENTION_AGGREGATES)")
        }
        guard batchRows > 0 else { throw ValidationError("--batch-rows must be positive") }
        retention.batchRows = batchRows
        let connection = try DatabaseConnection(url: database.url(), applicationName: "physio-retention")
        let removed = try retention.purge(on: connection)
        print("removed \(removed.days) day partitions and \(removed.rawChunks) chunks of samples and scores, "
              + "\(removed.aggregateChunks) chunks of buckets; row by row \(removed.vitals) samples, \(removed.scores) scores, "
              + "\(removed.minutes) minute and \(removed.hours) hour buckets")
    }
}
