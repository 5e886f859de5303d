/// Transaction-scoped advisory locks, one per case, for the writes that
/// must not interleave: one case's episodes and buckets are written by one
/// worker at a time.
public enum CaseLocks {
    /// Inside the caller's transaction, until it ends. Taken in key order,
    /// so two workers locking overlapping sets cannot deadlock.
    public static func lock(_ caseIDs: [String], on connection: DatabaseConnection) throws {
        guard !caseIDs.isEmpty else { return }
        try connection.query("""
            SELECT pg_advisory_xact_lock(key)
            FROM (SELECT DISTINCT hashtext(c) AS key FROM unnest($1::text[]) AS c ORDER BY 1) AS keys
            """, [PostgresArray.literal(caseIDs)])
    }
}
