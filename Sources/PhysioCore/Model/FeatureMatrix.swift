/// Rows of features in one flat row-major buffer: `values[row * columns + column]`.
/// What the forest fits and scores; NaN only before imputation.
public struct FeatureMatrix: Sendable, Equatable {
    public let columns: Int
    public private(set) var values: [Float]

    public init(columns: Int, values: [Float] = []) {
        precondition(columns > 0 && values.count % columns == 0, "values must hold whole rows")
        self.columns = columns
        self.values = values
    }

    public init(columns: Int, reservingRows rows: Int) {
        self.init(columns: columns)
        values.reserveCapacity(rows * columns)
    }

    public var rows: Int { values.count / columns }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    public func row(_ row: Int) -> ArraySlice<Float> { values[(row * columns)..<((row + 1) * columns)] }

    public mutating func append(row: some Collection<Float>) {
        precondition(row.count == columns, "row has \(row.count) values, expected \(columns)")
        values.append(contentsOf: row)
    }

    public mutating func append(contentsOf other: FeatureMatrix) {
        precondition(other.columns == columns)
        values.append(contentsOf: other.values)
    }
}

extension FeatureMatrix {
    /// A copy keeping only `columns`, in that order.
    public func selecting(columns kept: [Int]) -> FeatureMatrix {
        if kept == Array(0..<columns) { return self }
        var out = FeatureMatrix(columns: kept.count, reservingRows: rows)
        var row = [Float](repeating: 0, count: kept.count)
        for r in 0..<rows {
            for (i, c) in kept.enumerated() { row[i] = self[r, c] }
            out.append(row: row)
        }
        return out
    }
}

extension FeatureMatrix {
    /// A copy keeping the rows whose `mask` entry is true.
    public func selecting(rows mask: [Bool]) -> FeatureMatrix {
        precondition(mask.count == rows)
        if !mask.contains(false) { return self }
        var out = FeatureMatrix(columns: columns, reservingRows: mask.filter { $0 }.count)
        for r in 0..<rows where mask[r] { out.values.append(contentsOf: row(r)) }
        return out
    }
}
