/// Where a job is in its life, as `job_state` in SQL (005_job_states.sql):
/// `available` waits for a worker (maybe until `run_at`, after a failed
/// attempt), `running` is leased to one, `failed` is a dead letter kept
/// with its error. A finished job is deleted with its results committed.
public enum JobState: String, CaseIterable, Sendable, ColumnDecodable, SQLParameter {
    case available, running, failed

    public static func decode(_ value: ColumnValue) throws -> JobState {
        guard let state = JobState(rawValue: try String.decode(value)) else { throw value.mismatch(JobState.self) }
        return state
    }

    public var sqlText: String? { rawValue }

    /// A literal for statements that set a state, typed so it is no text.
    var literal: String { "'\(rawValue)'::job_state" }
}
