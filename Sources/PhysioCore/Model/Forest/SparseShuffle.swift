/// Draws k distinct indices of 0..<n in O(k): a Fisher–Yates shuffle of
/// 0..<n that only remembers the positions it swapped, in a small
/// open-addressing table reused from draw to draw (a Dictionary's hashing
/// cost as much as growing the tree).
struct SparseShuffle {
    private var keys: [Int] = []
    private var values: [Int] = []
    private var touched: [Int] = []
    private var mask = 0

    /// `k` distinct indices of 0..<n, in draw order.
    mutating func sample(_ k: Int, from n: Int, using random: inout SeededGenerator) -> [Int] {
        precondition(k <= n, "cannot draw \(k) of \(n) without replacement")
        var size = 16
        while size < 4 * k { size <<= 1 }
        if keys.count != size {
            keys = [Int](repeating: -1, count: size)
            values = [Int](repeating: 0, count: size)
            mask = size - 1
        }
        var chosen: [Int] = []
        chosen.reserveCapacity(k)
        for i in 0..<k {
            let j = i + random.nextIndex(below: n - i)
            let atJ = value(at: j)
            set(j, to: value(at: i))
            chosen.append(atJ)
        }
        for slot in touched { keys[slot] = -1 }
        touched.removeAll(keepingCapacity: true)
        return chosen
    }

    @inline(__always)
    private func slot(for key: Int) -> Int {
        var slot = Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while keys[slot] != -1 && keys[slot] != key { slot = (slot + 1) & mask }
        return slot
    }

    /// What position `key` holds now (itself unless swapped).
    @inline(__always)
    private func value(at key: Int) -> Int {
        let slot = slot(for: key)
        return keys[slot] == key ? values[slot] : key
    }

    @inline(__always)
    private mutating func set(_ key: Int, to value: Int) {
        let slot = slot(for: key)
        if keys[slot] == -1 { keys[slot] = key; touched.append(slot) }
        values[slot] = value
    }
}
