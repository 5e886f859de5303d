import PhysioCore
import PhysioHTTP
import PhysioStore

/// `GET /exports/vitals`, `GET /exports/anomalies` and `GET /exports/annotations`
/// (the review audit trail): CSV (RFC 4180, header
/// row, ISO 8601 UTC times) or NDJSON, chosen by `format=` or `Accept`,
/// streamed straight from the database. The request is checked here; the
/// export itself runs on the exports' own capacity (ExportCapacity), which
/// answers once it has a connection for it.
struct ExportRoutes {
    let capacity: ExportCapacity

    var routes: [Route] {
        [
            Route("GET", "/exports/vitals", scope: "export") { request in try export(request, what: .vitals) },
            Route("GET", "/exports/anomalies", scope: "export") { request in try export(request, what: .anomalies) },
            Route("GET", "/exports/annotations", scope: "export") { request in try export(request, what: .annotations) },
        ]
    }

    enum Dataset { case vitals, anomalies, annotations }

    func export(_ request: Request, what dataset: Dataset) throws -> Reply {
        let allowed: Set<String> = switch dataset {
        case .vitals: ["case", "from", "to", "format", "order"]
        case .anomalies: ["case", "from", "to", "format", "order", "granularity"]
        case .annotations: ["case", "from", "to", "format"]
        }
        let query = try QueryParameters(request, allowed: allowed)
        let (from, to) = try query.timeRange()
        let format = try Self.format(query, accept: request.header("Accept"))
        let order = ExportStatements.Order(rawValue: try query.choice("order", of: ExportStatements.Order.allCases.map(\.rawValue),
                                                                   default: ExportStatements.Order.stored.rawValue)) ?? .stored
        // Absent means every case; an empty value (an unset `case=$CASE`) must
        // not quietly export every case too.
        if request.query("case")?.isEmpty == true {
            throw Problem.badRequest("case is empty; name a case, or leave case out to export every case")
        }
        let caseID = try query.string("case").map { text -> CaseID in
            guard let caseID = CaseID(text) else { throw Problem.badRequest("case '\(text.prefix(80))' must be \(CaseID.rule)") }
            return caseID
        }
        let statement: ExportStatements.Statement
        let name: String
        switch dataset {
        case .vitals:
            statement = ExportStatements.vitals(caseID: caseID, from: from, to: to, order: order, format: format)
            name = "vitals"
        case .anomalies:
            let granularity = try query.choice("granularity", of: ["sample", "episode"], default: "sample")
            statement = granularity == "sample" ? ExportStatements.scores(caseID: caseID, from: from, to: to, order: order, format: format)
                                                : ExportStatements.episodes(caseID: caseID, from: from, to: to, format: format)
            name = granularity == "sample" ? "anomaly-scores" : "anomaly-episodes"
        case .annotations:
            statement = ExportStatements.annotations(caseID: caseID, from: from, to: to, format: format)
            name = "annotations"
        }
        let filename = "\(name)\(caseID.map { "-\($0)" } ?? "").\(format == .csv ? "csv" : "ndjson")"
        var job = ExportJob(tokenID: request.tokenID, requestID: request.id, caseID: caseID, statement: statement,
                            headers: [("Content-Disposition", "attachment; filename=\"\(filename)\""), ("Cache-Control", "no-store")])
        // Samples and scored samples go with the raw retention; episodes and reviews stay.
        if name == "vitals" || name == "anomaly-scores" { job.pastRetention = (.raw, from) }
        try capacity.submit(job)
        return .later(job.deferred)
    }

    /// `format=` wins; else the first of text/csv or application/x-ndjson in Accept; else CSV.
    static func format(_ query: QueryParameters, accept: String?) throws -> ExportStatements.Format {
        if let requested = query.string("format") {
            guard let format = ExportStatements.Format(rawValue: requested) else {
                throw Problem.badRequest("format='\(requested.prefix(32))' must be csv or ndjson")
            }
            return format
        }
        guard let accept, !accept.isEmpty else { return .csv }
        for range in accept.split(separator: ",") {
            let type = range.split(separator: ";").first.map { $0.trimmingSpaces.lowercased() } ?? ""
            switch type {
            case "text/csv": return .csv
            case "application/x-ndjson", "application/ndjson", "application/jsonl": return .ndjson
            case "*/*", "text/*": return .csv
            default: continue
            }
        }
        throw Problem.notAcceptable("exports are text/csv or application/x-ndjson; Accept was '\(accept.prefix(100))'")
    }
}
