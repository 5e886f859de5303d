import PhysioCore
import PhysioHTTP
import PhysioPlatform

/// `GET /fhir/metadata`: what this server does with FHIR, as a FHIR R4
/// CapabilityStatement. Vital-sign Observations come in through
/// transaction and batch Bundles at `POST /fhir` and are stored as samples;
/// they are not kept as Observation resources to read back (the case's
/// vitals are at `/cases/{id}/vitals`).
enum CapabilityStatement {
    /// The date of this statement's content (FHIR requires one).
    static let date = "2026-12-03"

    static let profiles = ["vitalsigns", "heartrate", "bp", "oxygensat", "resprate", "bodytemp"]
        .map { "http://hl7.org/fhir/StructureDefinition/\($0)" }

    static func response(identifiers: FHIRCaseIdentifiers) -> Response {
        var json = JSONWriter(capacity: 4096)
        json.beginObject()
        json.field("resourceType", "CapabilityStatement")
        json.field("status", "active")
        json.field("date", date)
        json.field("publisher", "physio")
        json.field("kind", "instance")
        json.key("software")
        json.beginObject()
        json.field("name", "physio")
        json.endObject()
        json.key("implementation")
        json.beginObject()
        json.field("description", "physio: vital signs from operating-room monitors, scored for anomalies")
        json.endObject()
        json.field("fhirVersion", "4.0.1")
        json.key("format")
        json.beginArray()
        json.value("application/fhir+json")
        json.value("json")
        json.endArray()
        json.key("rest")
        json.beginArray()
        json.beginObject()
        json.field("mode", "server")
        json.field("documentation", """
            POST a transaction or batch Bundle of vital-sign Observations to /fhir (scope ingest). Each Observation is one sample: \
            LOINC or ISO/IEEE 11073 codes of heart rate, SpO2, blood pressure (panel or components), respiratory rate, \
            body temperature and end-tidal CO2, in UCUM units (/min, %, 1 for a fraction, mm[Hg], kPa, Cel, [degF], K). \
            The case is the id the encounter, else the subject, else the device names (urn:uuid and relative references \
            resolved within the Bundle, versions stripped\(identifiers.isEmpty ? "" : ", identifiers of \(identifiers.prefixes.keys.sorted().joined(separator: ", "))")); \
            the time is effectiveDateTime, effectiveInstant or the start of effectivePeriod, to the microsecond. \
            Entries create (POST or PUT). Every value is stored or refused at its FHIRPath (a comparator, a panel's own value, \
            one vital twice with two values); a component of a code not stored here is a warning in the entry's answer. \
            Observations of one case and instant merge into one sample: 201 when a value was stored, 200 when all were \
            stored already, 409 when one differs from the stored value (kept) and nothing else was stored (201 with a \
            warning per differing value when the entry's other values were stored).
            """)
        json.key("security")
        json.beginObject()
        json.field("description", "Authorization: Bearer token with scope ingest; this statement needs none.")
        json.endObject()
        json.key("resource")
        json.beginArray()
        json.beginObject()
        json.field("type", "Observation")
        json.field("profile", "http://hl7.org/fhir/StructureDefinition/Observation")
        json.key("supportedProfile")
        json.beginArray()
        for profile in profiles { json.value(profile) }
        json.endArray()
        json.field("documentation", "Created only through transaction and batch Bundles, and stored as samples; not kept as resources to read back.")
        json.endObject()
        json.endArray()
        json.key("interaction")
        json.beginArray()
        for (code, text) in [("transaction", "All or nothing: an entry in error (422) or a conflicting value (409) refuses the Bundle."),
                             ("batch", "Each entry answered on its own; the rest stored.")] {
            json.beginObject()
            json.field("code", code)
            json.field("documentation", text)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.endArray()
        json.endObject()
        return Response(status: 200, contentType: OperationOutcome.mediaType, body: json.bytes)
    }
}
