/// The PostgreSQL NOTIFY channels physio uses, named once. The migrations'
/// triggers notify `jobs` and `models` (NotificationChannelTests checks
/// their text against these names).
public enum NotificationChannel: String, CaseIterable, Sendable {
    /// A job was queued: idle workers wake (trigger on `inference_jobs`).
    case jobs = "physio_jobs"
    /// A model was registered or activated: workers reload (trigger on `models`).
    case models = "physio_models"
    /// Cases got samples or scores: live streams wake (`CaseEvents` payloads).
    case caseEvents = "physio_events"
    /// Sources FHIR and HL7 values were stored from: every API node ranks a case's sources alike (`SourceNotices`).
    case sources = "physio_sources"
}
