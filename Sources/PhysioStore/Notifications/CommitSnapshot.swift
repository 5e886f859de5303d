/// Which transactions had committed when a PostgreSQL snapshot was taken
/// (`pg_current_snapshot()`, text `xmin:xmax:xip,…`): a live stream takes
/// one as it opens, and a notification whose writer's transaction it
/// already sees names rows the stream's client could read before it
/// opened, not news (PostgreSQL, "Transaction ID and Snapshot Information
/// Functions").
public struct CommitSnapshot: Sendable, Equatable {
    public let xmin: UInt64
    public let xmax: UInt64
    /// In progress when the snapshot was taken.
    public let inProgress: Set<UInt64>

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let xmin = UInt64(parts[0]), let xmax = UInt64(parts[1]), xmin <= xmax else { return nil }
        var inProgress = Set<UInt64>()
        for part in parts[2].split(separator: ",") {
            guard let xid = UInt64(part) else { return nil }
            inProgress.insert(xid)
        }
        (self.xmin, self.xmax, self.inProgress) = (xmin, xmax, inProgress)
    }

    /// Whether transaction `xid` had committed (or aborted) when the snapshot was taken.
    public func sees(_ xid: UInt64) -> Bool {
        xid < xmin || (xid < xmax && !inProgress.contains(xid))
    }

    public static let currentSQL = "SELECT pg_current_snapshot()::text"
}
