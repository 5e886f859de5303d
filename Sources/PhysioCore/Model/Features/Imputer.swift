/// Fills what is still missing after carry-forward with the training median
/// of the column, stored in the model so scoring imputes exactly as training did.
public struct Imputer: Codable, Sendable, Equatable {
    public let medians: [Float]

    public init(medians: [Float]) { self.medians = medians }

    /// Medians of the observed (non-NaN) values of each column (the mean of
    /// the middle two for an even count, as numpy); NaN for a column never observed.
    /// Only rows whose `rows` entry is true count, when given.
    public static func fit(_ raw: FeatureMatrix, rows: [Bool]? = nil) -> (imputer: Imputer, observedFraction: [Double]) {
        var medians: [Float] = [], fractions: [Double] = []
        var column = [Float]()
        column.reserveCapacity(raw.rows)
        let included = rows.map { $0.filter { $0 }.count } ?? raw.rows
        for c in 0..<raw.columns {
            column.removeAll(keepingCapacity: true)
            for r in 0..<raw.rows where !raw[r, c].isNaN && rows?[r] ?? true { column.append(raw[r, c]) }
            fractions.append(included == 0 ? 0 : Double(column.count) / Double(included))
            medians.append(median(&column))
        }
        return (Imputer(medians: medians), fractions)
    }

    static func median(_ values: inout [Float]) -> Float {
        guard !values.isEmpty else { return .nan }
        values.sort()
        let middle = values.count / 2
        if values.count % 2 == 1 { return values[middle] }
        return Float((Double(values[middle - 1]) + Double(values[middle])) / 2)
    }

    public func transform(_ matrix: inout FeatureMatrix) {
        precondition(matrix.columns == medians.count)
        for r in 0..<matrix.rows {
            for c in 0..<matrix.columns where matrix[r, c].isNaN { matrix[r, c] = medians[c] }
        }
    }

    /// A copy keeping only `columns`, in that order.
    public func selecting(_ columns: [Int]) -> Imputer { Imputer(medians: columns.map { medians[$0] }) }
}
