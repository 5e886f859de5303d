import PhysioCore

/// Cross-validation by case: each case in exactly one fold, so no case is
/// scored by a model that saw any of its samples.
public enum CaseFolds {
    /// Fold index (0..<folds) of each id: a seeded shuffle of the sorted ids,
    /// dealt round-robin, so folds differ in size by at most one and do not
    /// depend on the order the ids come in.
    public static func assign(_ caseIDs: [String], folds: Int, seed: UInt64 = 0) -> [String: Int] {
        precondition(folds >= 2, "cross-validation needs at least two folds")
        var ids = Array(Set(caseIDs)).sorted()
        var random = SeededGenerator(seed: seed)
        for i in stride(from: ids.count - 1, to: 0, by: -1) { ids.swapAt(i, random.nextIndex(below: i + 1)) }
        var fold: [String: Int] = [:]
        for (position, id) in ids.enumerated() { fold[id] = position % folds }
        return fold
    }
}
