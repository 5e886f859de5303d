import PhysioCore
import PhysioPlatform
import PhysioStore

/// Tells a reader when the range asked for reaches past retention: the
/// answer then carries `Physio-Past-Retention`, naming the time before
/// which that kind of data has been removed and the period. The server is
/// given the periods `physio retention` deletes by (PHYSIO_RETENTION_RAW,
/// PHYSIO_RETENTION_AGGREGATES). A range without `from` starts at the
/// first sample of its case (of any case for an export of all), which
/// `cases` keeps after the samples go.
final class RetentionNotice: Sendable {
    enum Data {
        /// Samples and their scores.
        case raw
        /// The minute and hour buckets.
        case aggregates
    }

    static let header = "Physio-Past-Retention"

    private let retention: Retention
    /// The cutoffs move with the clock; reading them once a minute is enough for a notice.
    private let cached = Locked<(at: UInt64, raw: Int64?, aggregates: Int64?)?>(nil)

    init(raw: String?, aggregates: String?) {
        retention = Retention(raw: raw, aggregates: aggregates)
    }

    /// Whether a period is set for `data` (else no read of it needs a notice).
    func applies(to data: Data) -> Bool { period(for: data) != nil }

    private func period(for data: Data) -> String? { data == .raw ? retention.raw : retention.aggregates }

    /// The header for a read of `data` from `from` (nil: from the start) of
    /// `caseID` (nil: every case), or nil when nothing it covers is removed.
    func header(for data: Data, from: Int64?, caseID: CaseID?, on connection: DatabaseConnection) throws -> (String, String)? {
        guard let period = period(for: data) else { return nil }
        let cutoffs = try cutoffs(on: connection)
        guard let cutoff = data == .raw ? cutoffs.raw : cutoffs.aggregates else { return nil }
        guard let start = try from ?? CaseQueries().firstSample(caseID: caseID, on: connection), start < cutoff else { return nil }
        let what = data == .raw ? "raw samples and their scores" : "minute and hour aggregates"
        return (Self.header, "\(what) before \(Timestamp.format(cutoff)) have been removed (retention \(period))")
    }

    private func cutoffs(on connection: DatabaseConnection) throws -> (raw: Int64?, aggregates: Int64?) {
        let now = Clock.monotonicNanos()
        if let known = cached.value, now - known.at < 60_000_000_000 { return (known.raw, known.aggregates) }
        var fresh: (raw: Int64?, aggregates: Int64?) = (nil, nil)
        do {
            fresh = try retention.cutoffs(on: connection)
        } catch let error as DatabaseError where !error.isUnavailable {
            // A period PostgreSQL cannot read: said in the log, not to every reader.
            Log.warning("retention notice off: \(error.description)")
        }
        cached.withLock { $0 = (now, fresh.raw, fresh.aggregates) }
        return fresh
    }
}
