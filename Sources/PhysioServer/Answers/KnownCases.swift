import PhysioCore
import PhysioHTTP
import PhysioStore
import PhysioPlatform

/// Case ids this server has already found in the database. physio never
/// deletes a case, so one found stays found, and a dashboard's repeated
/// reads skip the existence query (a round trip each). Unknown ids are
/// asked every time; the set is emptied when it reaches its capacity.
final class KnownCases: Sendable {
    private let ids = Locked<Set<String>>([])
    private let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    func contains(_ caseID: CaseID) -> Bool { ids.withLock { $0.contains(caseID.rawValue) } }

    /// The case id from the path, which must exist (404 otherwise).
    func existingCaseID(_ request: Request, on connection: DatabaseConnection) throws -> CaseID {
        let caseID = try CaseRoutes.caseID(request)
        try requireExisting(caseID, on: connection)
        return caseID
    }

    /// 404 unless the case exists.
    func requireExisting(_ caseID: CaseID, on connection: DatabaseConnection) throws {
        if contains(caseID) { return }
        guard try CaseQueries().exists(caseID: caseID, on: connection) else { throw CaseRoutes.unknown(caseID) }
        ids.withLock { known in
            if known.count >= capacity { known.removeAll(keepingCapacity: true) }
            known.insert(caseID.rawValue)
        }
    }
}
