import PhysioCore

/// Stores a recorded case through the ingest writer, in request-sized
/// transactions, after making unreportable values missing (one 0 °C chart
/// entry must not cost the case). Importing it again stores nothing twice;
/// a file with more vitals for stored instants fills them (merged).
public struct CaseImporter: Sendable {
    public struct Result: Sendable, Equatable {
        public var samples = 0
        public var accepted = 0
        /// Samples that filled vitals of an instant already stored.
        public var merged = 0
        public var duplicates = 0
        /// Samples with a value that differs from the stored one (kept).
        public var conflicts = 0
        public var droppedValues = 0

        public init(samples: Int = 0, accepted: Int = 0, merged: Int = 0, duplicates: Int = 0, conflicts: Int = 0, droppedValues: Int = 0) {
            self.samples = samples
            self.accepted = accepted
            self.merged = merged
            self.duplicates = duplicates
            self.conflicts = conflicts
            self.droppedValues = droppedValues
        }
    }

    public let samplesPerTransaction: Int

    public init(samplesPerTransaction: Int = 10_000) { self.samplesPerTransaction = samplesPerTransaction }

    public func store(_ series: SampleBatch, on connection: DatabaseConnection) throws -> Result {
        let (cleaned, dropped) = series.droppingUnreportableValues()
        let samples = cleaned.droppingEmptyRows()
        var result = Result(samples: samples.count, droppedValues: dropped)
        for piece in samples.chunks(of: samplesPerTransaction) {
            let counts = try VitalsWriter().write([piece], on: connection)[0]
            result.accepted += counts.accepted
            result.merged += counts.merged
            result.duplicates += counts.duplicates
            result.conflicts += counts.conflicts
        }
        return result
    }
}
