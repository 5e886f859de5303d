import PhysioCore
import PhysioStore
import PhysioPlatform

/// The model workers score with: loaded at start, swapped when another is
/// activated (the listener reloads it on NOTIFY physio_models).
public final class ActiveModel: @unchecked Sendable {
    public struct Loaded: Sendable {
        public let id: Int64
        public let model: AnomalyModel
    }

    private let lock = Lock()
    private var loaded: Loaded?
    /// The active model this release cannot read, while it is active.
    private var unreadableID: Int64?
    /// The untrained model scoring in place of an unreadable one.
    private var standInID: Int64?

    public init() {}

    public var current: Loaded? { lock.withLock { loaded } }

    /// Loads the active model if it changed; returns true when it did.
    @discardableResult
    public func reload(on connection: DatabaseConnection) throws -> Bool {
        guard let active = try ModelStore().active(on: connection) ?? registerUntrainedIfEmpty(on: connection) else {
            let hadOne = lock.withLock { defer { loaded = nil }; return loaded != nil }
            if hadOne { Log.warning("no active model: inference paused until one is activated") }
            return hadOne
        }
        let (current, unreadable, standIn) = lock.withLock { (loaded, unreadableID, standInID) }
        if current?.id == active.id || (current != nil && active.id == unreadable) { return false }
        do {
            let model = try AnomalyModel.decode(active.body)
            lock.withLock { loaded = Loaded(id: active.id, model: model); unreadableID = nil; standInID = nil }
            Log.info("model loaded", ["model_id": .int(Int(active.id)), "novelty_forests": .int(model.novelty.count),
                                      "threshold": .double(model.threshold)])
            return true
        } catch {
            if let current, current.id != standIn {
                lock.withLock { unreadableID = active.id }
                Log.error("cannot load the active model; keeping the previous one",
                          ["model_id": .int(Int(active.id)), "previous_model_id": .int(Int(current.id)), "error": .string(String(describing: error))])
                return false
            }
            // Nothing readable to keep (a release upgraded past the model's
            // format): the untrained model stands in, so the safety floor and
            // the breach risk still alarm, instead of every job waiting.
            let untrained = AnomalyModel.untrained(TrainingParameters(dataDescription: Self.untrainedName, trainedAt: Clock.nowMicros()))
            let id = try ModelStore().registerUnlessNamed(untrained, name: Self.untrainedName, on: connection)
            lock.withLock { loaded = Loaded(id: id, model: untrained); unreadableID = active.id; standInID = id }
            Log.error("the active model cannot be read by this release: scoring with the untrained one (breach risk and safety floor, no novelty) "
                      + "until a model it reads is activated (physio train --register)",
                      ["model_id": .int(Int(active.id)), "untrained_model_id": .int(Int(id)), "error": .string(String(describing: error))])
            return true
        }
    }

    static let untrainedName = "untrained: breach risk and safety floor"

    /// A database with no model at all gets the untrained one, so a server
    /// alarms from its first sample: the breach risk and the safety floor
    /// need no data, only novelty does. A later `physio train --register`
    /// takes over.
    private func registerUntrainedIfEmpty(on connection: DatabaseConnection) throws -> (id: Int64, body: [UInt8])? {
        let model = AnomalyModel.untrained(TrainingParameters(dataDescription: Self.untrainedName, trainedAt: Clock.nowMicros()))
        if let id = try ModelStore().registerIfEmpty(model, name: Self.untrainedName, on: connection) {
            Log.info("no model registered: scoring with the untrained one until a trained model is registered (physio train --register)",
                     ["model_id": .int(Int(id))])
        }
        // Another process may have registered it while this one waited for the lock.
        return try ModelStore().active(on: connection)
    }
}
