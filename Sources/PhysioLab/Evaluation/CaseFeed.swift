import PhysioCore

/// Which feed subset a case belongs to: the name `feeds.csv` gives it
/// (`case_id,feed`, written by `physio simulate`), or else the vitals its
/// monitor actually sent, e.g. "mbp only" or "hr+spo2" (`CaseReference.vitalsSent`).
public enum CaseFeed {
    public static func name(sent vitals: [Vital]) -> String {
        switch vitals.count {
        case 0: "no vitals"
        case 1: vitals[0].name + " only"
        default: vitals.sorted { $0.rawValue < $1.rawValue }.map(\.name).joined(separator: "+")
        }
    }

    /// The feed of `scores`: named in `feeds`, else from the vitals sent; "unknown" for a case built from labels alone.
    public static func name(of scores: CaseScores, feeds: [String: String]?) -> String {
        if let named = feeds?[scores.caseID] { return named }
        return scores.reference.map { name(sent: $0.vitalsSent) } ?? "unknown"
    }

    /// Cases grouped by feed, groups by name, cases in their given order.
    static func groups(_ cases: [CaseScores], feeds: [String: String]?) -> [(name: String, cases: [CaseScores])] {
        var order: [String] = [], members: [String: [CaseScores]] = [:]
        for scores in cases {
            let name = name(of: scores, feeds: feeds)
            if members[name] == nil { order.append(name) }
            members[name, default: []].append(scores)
        }
        return order.sorted().map { ($0, members[$0]!) }
    }
}
