import PhysioCore
import PhysioPlatform

/// The sources each case's vitals were stored from lately, across instants:
/// a gateway that forwards each device's observations with that device's
/// own time sends the ECG's heart rate at 0.05 s and the oximeter's pulse
/// rate at 0.45 s of every second, and the capnograph's respiratory rate
/// beside the ECG module's impedance rate. Stored as they come, one column
/// would alternate between two sources (160, 130, 160…): read as a
/// diathermy zigzag, a fast atrial fibrillation with a pulse deficit was
/// removed, and an obstruction's capnograph apnoea hidden by the chest's
/// impedance rate. So a value from a source that ranks lower
/// (`VitalSignCodes.rank`) is left out, and named, while a higher-ranked
/// source of the same vital was stored for the case within `windowSeconds`
/// of its time; as `SourceRanks` and the HL7 reader do within one instant.
/// When the better source stops (leads off, a line removed), the other is
/// stored again after the window.
///
/// Kept in memory on each API node, and told to the others as soon as
/// it is stored (`SourceSharing`; a few milliseconds with their delivery):
/// behind a load balancer without sticky sessions a gateway's Bundles reach
/// every node, and until 2026-12-08 two nodes given two sources of one
/// case's vital each stored theirs (an outside audit: HR 160 from the ECG
/// and 130 from the oximeter alternating in the column, and no HR > 140
/// alarm). A node just started knows only what it is told from then on.
final class SourceHistory: @unchecked Sendable {
    /// A better source counts as present this long around its last value
    /// (the detector holds a heart rate or saturation 30 s too).
    static let windowSeconds: Double = 30
    /// Cases × vitals remembered before the oldest are forgotten.
    static let capacity = 200_000

    /// A value stored: its case, vital, source rank and time.
    struct Stored {
        let caseID: String
        let vital: Vital
        let rank: Int
        let time: Int64
    }

    private let times = Locked(SourceTimes())
    /// Values stored here are told to the other nodes at once (`whenUntold`);
    /// what could not be sent then is told again this often.
    static let tellSeconds = 1.0
    private let untoldHandler = Locked<(@Sendable () -> Void)?>(nil)
    /// A source already told is told again once its time has moved this far:
    /// the others' window then ends at most this much early.
    static let retellSeconds: Double = 5
    private let telling = Locked(Telling())

    private struct Telling {
        struct Key: Hashable {
            let caseID: String
            let vital: Vital
            let rank: Int
        }
        /// The latest time told of each source, and those waiting to be told.
        var told: [Key: Int64] = [:]
        var untold: [Key: Int64] = [:]
    }

    /// The higher-ranked source of `vital` stored for the case nearest to
    /// `time`, within the window: its rank and time. Nil: store the value.
    func higherSource(of vital: Vital, caseID: String, rank: Int, at time: Int64) -> (rank: Int, time: Int64)? {
        guard rank < 3 else { return nil }   // nothing outranks the best
        return times.withLock { $0.higherSource(of: vital, caseID: caseID, rank: rank, at: time) }
    }

    /// Values were stored (after their commit), under one lock. The lowest
    /// rank outranks nothing: not kept.
    func record(_ stored: [Stored]) {
        guard stored.contains(where: { $0.rank > 1 }) else { return }
        learn(stored)
        let retell = Timestamp.micros(seconds: Self.retellSeconds)
        let added = telling.withLock { telling in
            var added = false
            for value in stored where value.rank > 1 {
                let key = Telling.Key(caseID: value.caseID, vital: value.vital, rank: value.rank)
                if let told = telling.told[key], value.time < told + retell, value.time > told - retell { continue }
                telling.untold[key] = max(telling.untold[key] ?? .min, value.time)
                added = true
            }
            return added
        }
        if added { untoldHandler.value?() }
    }

    /// `handler` runs (on the storing thread) whenever a source becomes worth telling the other nodes.
    func whenUntold(_ handler: @escaping @Sendable () -> Void) { untoldHandler.withLock { $0 = handler } }

    /// Values stored on another node (or told back to this one).
    func learn(_ stored: [Stored]) {
        let now = Clock.monotonicNanos()
        times.withLock { times in
            for value in stored where value.rank > 1 { times.record(value, now: now) }
            if times.count > Self.capacity { times.forgetOlderHalf() }
        }
    }

    /// The sources stored here since last asked and not told yet (`SourceSharing` tells the other nodes).
    func takeUntold() -> [Stored] {
        telling.withLock { telling in
            let untold = telling.untold
            telling.untold = [:]
            if telling.told.count > Self.capacity { telling.told = [:] }   // told again, at worst
            for (key, time) in untold { telling.told[key] = time }
            return untold.map { Stored(caseID: $0.key.caseID, vital: $0.key.vital, rank: $0.key.rank, time: $0.value) }
        }
    }

    /// Sources that could not be told: told at the next chance.
    func giveBack(_ untold: [Stored]) {
        telling.withLock { telling in
            for value in untold {
                let key = Telling.Key(caseID: value.caseID, vital: value.vital, rank: value.rank)
                telling.told.removeValue(forKey: key)
                telling.untold[key] = max(telling.untold[key] ?? .min, value.time)
            }
        }
    }

    /// Why `value` is not stored, for the sender.
    static func reason(_ value: Float, of stored: Stored, higher: (rank: Int, time: Int64)) -> String {
        let vital = stored.vital
        let apart = Float((Double(abs(higher.time - stored.time)) / 1e5).rounded() / 10)
        return "\(vital.name) \(value.clean) \(vital.unit): a source of \(vital.name) that ranks higher (\(higher.rank) over \(stored.rank): "
            + "the ECG over a pulse rate, a capnograph over impedance, a line over a cuff) gave this case's \(vital.name) \(apart.clean) s "
            + "\(higher.time <= stored.time ? "before" : "after"); not stored"
    }
}

/// The latest time each case's vitals were stored from each source rank
/// (1…3): `SourceHistory`'s memory, and a message's or a Bundle's own
/// across its instants.
struct SourceTimes {
    private struct Key: Hashable {
        let caseID: String
        let vital: Vital
    }

    private struct Latest {
        var byRank: (Int64, Int64, Int64) = (.min, .min, .min)
        var touched: UInt64 = 0

        func time(rank: Int) -> Int64 { rank == 3 ? byRank.2 : rank == 2 ? byRank.1 : byRank.0 }

        mutating func set(rank: Int, time: Int64) {
            switch rank {
            case 3: byRank.2 = max(byRank.2, time)
            case 2: byRank.1 = max(byRank.1, time)
            default: byRank.0 = max(byRank.0, time)
            }
        }
    }

    private var entries: [Key: Latest] = [:]
    private let window = Timestamp.micros(seconds: SourceHistory.windowSeconds)

    var count: Int { entries.count }

    func higherSource(of vital: Vital, caseID: String, rank: Int, at time: Int64) -> (rank: Int, time: Int64)? {
        guard rank < 3, let latest = entries[Key(caseID: caseID, vital: vital)] else { return nil }
        for higher in stride(from: 3, to: rank, by: -1) {
            let seen = latest.time(rank: higher)
            if seen != .min, abs(seen - time) <= window { return (higher, seen) }
        }
        return nil
    }

    mutating func record(_ value: SourceHistory.Stored, now: UInt64 = 0) {
        let key = Key(caseID: value.caseID, vital: value.vital)
        var latest = entries[key] ?? Latest()
        latest.set(rank: value.rank, time: value.time)
        latest.touched = now
        entries[key] = latest
    }

    /// The half written longest ago goes: cases no longer sending.
    mutating func forgetOlderHalf() {
        let cut = entries.values.map(\.touched).sorted()[entries.count / 2]
        entries = entries.filter { $0.value.touched > cut }
    }
}

/// The values of one message or Bundle about to be stored, ranked against
/// each other across its instants and against `history`'s: the one check
/// HL7 and FHIR make before a value goes into a row. Most messages hold one
/// instant, whose sources the readers rank themselves (`superseded`,
/// `SourceRanks`), so the map of its own is built only once a second comes.
struct BatchSources {
    let history: SourceHistory?
    /// Every value to store, for `SourceHistory.record` once committed.
    private(set) var stored: [SourceHistory.Stored] = []
    private var times: SourceTimes?

    init(history: SourceHistory?) { self.history = history }

    /// A higher-ranked source of the value within the window, here or stored
    /// before (then the value is not stored); nil: the value is taken.
    mutating func outranking(_ value: SourceHistory.Stored) -> (rank: Int, time: Int64)? {
        if times == nil, let instant = stored.first?.time, instant != value.time {
            var built = SourceTimes()
            for earlier in stored { built.record(earlier) }
            times = built
        }
        if let higher = times?.higherSource(of: value.vital, caseID: value.caseID, rank: value.rank, at: value.time)
            ?? history?.higherSource(of: value.vital, caseID: value.caseID, rank: value.rank, at: value.time) {
            return higher
        }
        stored.append(value)
        times?.record(value)
        return nil
    }
}

