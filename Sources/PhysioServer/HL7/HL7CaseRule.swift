import PhysioCore
import PhysioHL7

/// Which field of an ORU^R01 names the case: PV1-19 (the visit number: an
/// operation is a visit), PID-3 (the patient identifier) or PV1-3 (the
/// bed: an operating room's monitor without patient context), each with
/// an optional prefix. Fields are tried in the order given; the first that
/// is filled names the case. Set with `serve --hl7-case-id FIELD[=PREFIX]`.
public struct HL7CaseRule: Sendable, Equatable {
    public enum Field: String, Sendable, CaseIterable {
        case visitNumber = "PV1-19"
        case patientIdentifier = "PID-3"
        case bed = "PV1-3"

        var segment: String { String(rawValue.prefix(3)) }
        var number: Int { Int(rawValue.dropFirst(4))! }
    }

    public let fields: [(field: Field, prefix: String)]

    /// PV1-19, as the issue of an operation.
    public static let standard = HL7CaseRule(fields: [(.visitNumber, "")])

    init(fields: [(field: Field, prefix: String)]) { self.fields = fields }

    /// `PV1-19`, `PID-3=mrn-`, `PV1-3=or-`…; nil when a rule is not one of these
    /// or its prefix cannot begin a case id.
    public init?(parsing rules: [String]) {
        var fields: [(Field, String)] = []
        for rule in rules {
            let parts = rule.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let field = Field(rawValue: String(parts[0]).uppercased()) else { return nil }
            let prefix = parts.count > 1 ? String(parts[1]) : ""
            guard prefix.isEmpty || CaseID.isValid(prefix) else { return nil }
            fields.append((field, prefix))
        }
        guard !fields.isEmpty else { return nil }
        self.fields = fields
    }

    public var description: String { fields.map { $0.prefix.isEmpty ? $0.field.rawValue : "\($0.field.rawValue)=\($0.prefix)" }.joined(separator: ",") }

    public static func == (a: HL7CaseRule, b: HL7CaseRule) -> Bool { a.description == b.description }

    /// The case the patient group (its PID and PV1) names, or the problem to answer with.
    func caseID(pid: HL7Segment?, pv1: HL7Segment?) -> Result<CaseID, HL7Acknowledgement.Problem> {
        for (field, prefix) in fields {
            let segment = field.segment == "PID" ? pid : pv1
            guard let segment else { continue }
            let value = Self.value(of: field, in: segment)
            guard !value.isEmpty else { continue }
            guard let caseID = CaseID(prefix + value) else {
                return .failure(.init(segment: segment.id, sequence: segment.sequence, field: field.number, code: 102,
                                      text: "\(field.rawValue) '\(value.prefix(80))' does not make a case id (\(prefix.isEmpty ? "" : "prefix '\(prefix)' + value; ")\(CaseID.rule))"))
            }
            return .success(caseID)
        }
        let names = fields.map(\.field.rawValue).joined(separator: " or ")
        let first = fields[0].field
        let segment = first.segment == "PID" ? pid : pv1
        return .failure(.init(segment: first.segment, sequence: segment?.sequence ?? 1, field: first.number, code: 101,
                              text: "the case is named by \(names) (serve --hl7-case-id), and the message has none"))
    }

    /// The identifier a field holds: PID-3's and PV1-19's first ID number
    /// (CX.1); PV1-3's point of care, room and bed joined with '-'.
    static func value(of field: Field, in segment: HL7Segment) -> String {
        let value = segment.field(field.number)
        switch field {
        case .patientIdentifier, .visitNumber:
            let id = value.component(1)
            return id.isNull ? "" : id.text
        case .bed:
            return (1...3).map { value.component($0) }.filter { !$0.isEmpty && !$0.isNull }.map(\.text).joined(separator: "-")
        }
    }
}
