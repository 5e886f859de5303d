#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The deployable detector. A sample's score is the chance that a clinical
/// rule is breached within the next minutes (`BreachRisk`, from each
/// vital's held value, trend and spread), raised by what is novel for the
/// patient (`VitalNovelty`, one Isolation Forest per vital):
///
///     score = 1 − (1 − R) · (1 − w · N)
///
/// with R the breach risk, N the largest vital novelty and w the novelty
/// weight. `AlarmPolicy` turns scores into alarms (persistence, hold) and
/// adds the clinical-rule safety floor. `CaseScorer` is the one function
/// that scores a case, for the workers, `physio evaluate` and `physio train`.
public struct AnomalyModel: Codable, Sendable {
    /// Bumped when the JSON layout changes incompatibly (1: a single forest over every vital).
    public static let formatVersion = 2

    public var formatVersion: Int
    public var rules: ClinicalRules
    public var artefacts: ArtefactFilter
    public var hold: VitalHold
    public var trends: TrendWindows
    public var baseline: BaselineWindow
    public var risk: BreachRisk
    public var novelty: [VitalNovelty]
    public var noveltyWeight: Double
    public var policy: AlarmPolicy
    public var metadata: TrainingMetadata

    public init(rules: ClinicalRules, artefacts: ArtefactFilter, hold: VitalHold, trends: TrendWindows, baseline: BaselineWindow,
                risk: BreachRisk, novelty: [VitalNovelty], noveltyWeight: Double, policy: AlarmPolicy, metadata: TrainingMetadata) {
        precondition((0...1).contains(noveltyWeight))
        formatVersion = Self.formatVersion
        self.rules = rules
        self.artefacts = artefacts
        self.hold = hold
        self.trends = trends
        self.baseline = baseline
        self.risk = risk
        self.novelty = novelty
        self.noveltyWeight = noveltyWeight
        self.policy = policy
        self.metadata = metadata
    }

    /// The threshold on the score (the policy's).
    public var threshold: Double { policy.threshold }

    /// Seconds of samples before the first scored row that scoring reads:
    /// the context rows, and the raw samples the artefact filter reads
    /// before the first of them.
    public var lookbackSeconds: Double { contextSeconds + artefacts.lookbackSeconds }

    /// Rows before the first row read whose times say a slow record's pace
    /// (`EpisodeBuilder.rowBefore` and `AlarmPolicy.isSlowRecordRow` read
    /// three back), and how far back they may lie (rows up to
    /// `maxRowGapSeconds` apart join; `isSlowRecordRow` looks no further). A
    /// reader gives them besides `lookbackSeconds`: a cuff alone every 5
    /// minutes has none of them within it, and reading 12 minutes of a 1-Hz
    /// feed for every job cost the live workers a fifth more CPU.
    public static let paceRows = 3
    public static let paceSeconds = 2 * EpisodeBuilder.maxRowGapSeconds

    /// Seconds of cleaned rows before the first scored row: trends and held
    /// values for the first row, and the safety floor's view of a breach that
    /// began before it. Rows before these are read only to clean them, never
    /// held or judged by a rule: a plausible-looking row whose artefact
    /// lies before the read would otherwise be held as real.
    public var contextSeconds: Double {
        max(trends.longestSeconds, hold.longestSeconds + policy.floorSustainSeconds + policy.floorGapSeconds)
    }

    /// Seconds of earlier scores the alarm policy reads, beyond `lookbackSeconds`.
    public var scoreLookbackSeconds: Double { policy.scoreLookbackSeconds }

    /// The same detector watching only `rules`, without novelty: its breach
    /// risk of those rules alone (e.g. the hypotension rules, the task of a
    /// hypotension predictor).
    public func restricted(to rules: ClinicalRules) -> AnomalyModel {
        var model = self
        model.rules = rules
        model.novelty = []
        return model
    }

    /// Names of the novelty features, for the model registry.
    public var featureNames: [String] {
        novelty.flatMap { forest in VitalNovelty.featureNames.map { "\(forest.vital.name).\($0)" } }
    }

    // MARK: Serialisation (the only place JSON goes through Foundation: not a hot path)

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }

    public static func decode(_ bytes: [UInt8]) throws -> AnomalyModel {
        struct Version: Decodable { let format_version: Int }
        let version = try JSONDecoder().decode(Version.self, from: Data(bytes)).format_version
        guard version == formatVersion else { throw ModelFormatError.unsupportedVersion(version) }
        let model = try JSONDecoder().decode(AnomalyModel.self, from: Data(bytes))
        guard Set(model.novelty.map(\.vital.rawValue)).count == model.novelty.count else {
            throw ModelFormatError.inconsistent("two novelty forests for one vital")
        }
        return model
    }

    /// The training record as JSON, stored beside the model for the API to show.
    public func metadataJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(metadata), as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", rules, artefacts, hold, trends, baseline, risk, novelty
        case noveltyWeight = "novelty_weight", policy, metadata
    }
}

public enum ModelFormatError: Error, CustomStringConvertible {
    case unsupportedVersion(Int)
    case inconsistent(String)

    public var description: String {
        switch self {
        case .unsupportedVersion(let version):
            "model format version \(version) is not supported (expected \(AnomalyModel.formatVersion)); train and register a new model with `physio train --register`"
        case .inconsistent(let detail): "model file is inconsistent: \(detail)"
        }
    }
}
