import PhysioCore

/// Stores a recorded case through the ingest writer, in request-sized
/// transactions, after making unreportable values missing (one 0 °C chart
/// entry must not cost the case). Importing it again stores nothing twice.
public struct CaseImporter: Sendable {
    public struct Result: Sendable, Equatable {
        public var samples = 0
        public var accepted = 0
        public var duplicates = 0
        public var droppedValues = 0

        public init(samples: Int = 0, accepted: Int = 0, duplicates: Int = 0, droppedValues: Int = 0) {
            self.samples = samples
            self.accepted = accepted
            self.duplicates = duplicates
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
            result.duplicates += counts.duplicates
        }
        return result
    }
}
