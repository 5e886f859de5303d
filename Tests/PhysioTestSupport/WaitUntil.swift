import PhysioPlatform

/// Polls `condition` every `interval` until it holds or `seconds` pass, and
/// says whether it held: the one way tests wait for something that happens
/// on another thread or process. Assert on the answer:
/// `#expect(try waitUntil(seconds: 5) { … })`.
@discardableResult
public func waitUntil(seconds: Double = 5, every interval: Double = 0.02, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Clock.monotonicNanos() + UInt64(seconds * 1e9)
    while true {
        if try condition() { return true }
        if Clock.monotonicNanos() >= deadline { return false }
        Clock.sleep(seconds: interval)
    }
}
