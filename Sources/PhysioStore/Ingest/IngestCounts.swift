import PhysioCore

/// What became of one sample: a new instant, vitals added to a stored
/// instant, nothing new, or a value that differs from the one stored.
public enum SampleOutcome: UInt8, Sendable, Equatable {
    case accepted, merged, duplicate, conflict
}

/// A sample that sent a value different from the one already stored for
/// that vital and instant. The stored value is kept (first stored wins).
public struct SampleConflict: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public let vital: Vital
        public let stored: Float
        public let sent: Float
    }

    /// The sample's row in its batch.
    public let row: Int
    public let timestamp: Int64
    public let fields: [Field]
    /// Vitals of the same sample that were empty and are stored: a conflict
    /// keeps the stored value, not the rest of what the sample brought.
    public let filled: [Vital]

    public init(row: Int, timestamp: Int64, fields: [Field], filled: [Vital] = []) {
        self.row = row
        self.timestamp = timestamp
        self.fields = fields
        self.filled = filled
    }
}

/// How the samples of one batch were stored. Each sample is counted once:
/// `accepted` (a new instant), `merged` (it filled vitals still empty at a
/// stored instant, or at an instant an earlier sample of the same commit
/// brought), `duplicates` (every vital it sent was already there with the
/// same value) or `conflicts` (some vital differs from the one stored; the
/// stored value is kept, its empty vitals are still filled).
public struct IngestCounts: Sendable, Equatable {
    public let accepted: Int
    public let merged: Int
    public let duplicates: Int
    public let conflicts: Int
    /// Every conflict, in row order.
    public let conflicting: [SampleConflict]
    /// Refused whole: a unit that must be stored all or nothing had a
    /// conflict (a FHIR transaction). Nothing of it was written.
    public let refused: Bool
    /// Per row; nil when every row was accepted (the fast path).
    let outcomes: [SampleOutcome]?

    public init(accepted: Int, merged: Int = 0, duplicates: Int, conflicts: Int = 0, conflicting: [SampleConflict] = [], refused: Bool = false) {
        self.init(accepted: accepted, merged: merged, duplicates: duplicates, conflicts: conflicts, conflicting: conflicting,
                  refused: refused, outcomes: nil)
    }

    init(accepted: Int, merged: Int, duplicates: Int, conflicts: Int, conflicting: [SampleConflict], refused: Bool, outcomes: [SampleOutcome]?) {
        self.accepted = accepted
        self.merged = merged
        self.duplicates = duplicates
        self.conflicts = conflicts
        self.conflicting = conflicting
        self.refused = refused
        self.outcomes = outcomes
    }

    /// Every row of a batch of `count` samples new.
    static func allAccepted(_ count: Int) -> IngestCounts {
        IngestCounts(accepted: count, duplicates: 0)
    }

    /// What became of row `row` of the batch.
    public func outcome(row: Int) -> SampleOutcome { outcomes?[row] ?? .accepted }

    /// Samples that stored something (a new instant or a filled vital).
    public var stored: Int { accepted + merged }

    public static func == (lhs: IngestCounts, rhs: IngestCounts) -> Bool {
        (lhs.accepted, lhs.merged, lhs.duplicates, lhs.conflicts, lhs.refused) == (rhs.accepted, rhs.merged, rhs.duplicates, rhs.conflicts, rhs.refused)
            && lhs.conflicting == rhs.conflicting
    }
}

/// Batches written together, all or nothing when `refusesConflicts`: one
/// request (its batch), or one FHIR transaction (a batch per case).
public struct IngestUnit: Sendable {
    public let batches: [SampleBatch]
    /// A conflict anywhere refuses the whole unit instead of keeping the
    /// stored values (FHIR transactions are atomic).
    public let refusesConflicts: Bool

    public init(_ batches: [SampleBatch], refusesConflicts: Bool = false) {
        self.batches = batches
        self.refusesConflicts = refusesConflicts
    }

    var rows: Int { batches.reduce(0) { $0 + $1.count } }
}
