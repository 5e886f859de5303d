import PhysioCore
import PhysioHL7
import PhysioPlatform

/// Reads an ORU^R01 (IHE PCD-01 Communicate PCD Data, HL7 v2.2 to v2.8)
/// into an ObservationReport, or refuses it: AR for a message type,
/// event, version or processing id physio does not take, AE naming the
/// segment and field for one it cannot use. Nothing of a refused message
/// is stored.
///
/// * The case: per patient group (PID, PV1), the configured HL7CaseRule.
/// * The time: OBX-14, else its OBR's OBR-7; without an offset, MSH-7's
///   offset, else the configured HL7TimeZone, else refused.
/// * The value: OBX-3 in MDC (numeric codes, or Philips' MDIL notation) or
///   LOINC (VitalSignCodes); OBX-2 NM (or SN without a comparator); OBX-6
///   in MDC, MDIL or UCUM, converted (DeviceUnits, VitalSignCodes); the
///   same plausible ranges as every ingest path. An OBX-11 that is not a
///   result status (X, N, I, O; W and D retract one), or an empty OBX-5, is
///   left out, never stored as zero; so is a negative number, a device's
///   "not measured" (−1, −999), a number outside the vital's plausible
///   range (one faulty channel must not cost the patient's other vitals),
///   and a value the device flags as demonstration data (OBX-8 `DEMO`).
///   Unknown codes are left out and counted.
///   Every value left out is named in a warning of the AA (ERR, severity W),
///   but empty ones (nothing was sent). A second MSH in the frame is AR.
struct ObservationReportReader {
    /// ORU^R01 is the same in these (the fields read here exist from 2.2 on,
    /// where Philips' Information Center export still is); 2.5 and 2.6 are PCD-01's.
    static let versions: Set<String> = ["2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2"]

    let caseRule: HL7CaseRule
    let timeZone: HL7TimeZone
    /// Sources stored before, across instants (nil: rank within the message only).
    var sources: SourceHistory? = nil
    /// The server's clock (µs): when a message arrived, for a time in the hour `timeZone` repeats.
    var clock: @Sendable () -> Int64 = { Clock.nowMicros() }

    func read(_ message: HL7Message) -> Result<ObservationReport, ReportRefusal> {
        do {
            try checkHeader(message.header)
            // MLLP frames one message; a second MSH is another message, which
            // this ACK could not answer and whose times would take this MSH's offset.
            if let second = message.segments.dropFirst().first(where: { $0.id == "MSH" }) {
                throw reject(100, second, 0, "a second message (MSH) in one MLLP frame: send each message in its own frame")
            }
            return .success(try observations(message))
        } catch let refusal as ReportRefusal {
            return .failure(refusal)
        } catch {
            return .failure(ReportRefusal(code: .error, problem: .init(segment: "MSH", sequence: 1, field: 0, code: 207, text: "\(error)")))
        }
    }

    private func checkHeader(_ header: HL7Segment) throws {
        let type = header.field(9)
        let messageType = type.component(1).text, event = type.component(2).text
        guard messageType == "ORU" else {
            let sent = messageType.isEmpty ? "an empty MSH-9" : "\(messageType.prefix(10))^\(event.prefix(10))"
            throw reject(200, header, 9, "only ORU^R01 (IHE PCD-01) is taken here, not \(sent)")
        }
        guard event == "R01" else { throw reject(201, header, 9, "only ORU^R01 is taken here, not ORU^\(event.prefix(10))") }
        let version = header.field(12).component(1).text
        guard Self.versions.contains(version) else {
            throw reject(203, header, 12, "HL7 version '\(version.prefix(10))' is not taken; send 2.2 to 2.8 (2.6 for IHE PCD-01)")
        }
        let processing = header.field(11).component(1).text
        guard processing.isEmpty || processing == "P" || processing == "D" else {
            throw reject(202, header, 11, "processing id '\(processing.prefix(5))' (training) is not stored; send P")
        }
    }

    private func reject(_ code: Int, _ segment: HL7Segment, _ field: Int, _ text: String) -> ReportRefusal {
        ReportRefusal(code: .reject, problem: .init(segment: segment.id, sequence: segment.sequence, field: field, code: code, text: text))
    }

    private func error(_ code: Int, _ segment: HL7Segment, _ field: Int, _ text: String) -> ReportRefusal {
        ReportRefusal(code: .error, problem: .init(segment: segment.id, sequence: segment.sequence, field: field, code: code, text: text))
    }

    private func observations(_ message: HL7Message) throws -> ObservationReport {
        var report = ObservationReport()
        let receivedAt = clock()
        let headerOffset: Int? = {
            guard case .success(let time) = HL7DateTime.parse(message.header.field(7)) else { return nil }
            return time.offsetMinutes
        }()
        var pid: HL7Segment?
        var pv1: HL7Segment?
        var obr: HL7Segment?
        var caseID: CaseID?
        var batchOfCase: [CaseID: Int] = [:]
        var rowOfInstant: [Int: [Int64: Int]] = [:]  // batch → time → row
        var sourceAt: [Int: Int] = [:]               // (batch, row, vital) key → index in report.sources
        var ranked = BatchSources(history: sources)
        for segment in message.segments.dropFirst() {
            switch segment.id {
            case "PID":
                pid = segment; pv1 = nil; obr = nil; caseID = nil
            case "PV1":
                pv1 = segment; caseID = nil
            case "OBR":
                obr = segment
            case "OBX":
                guard let (vital, rank, value) = try value(segment, report: &report) else { continue }
                if caseID == nil {
                    switch caseRule.caseID(pid: pid, pv1: pv1) {
                    case .success(let id): caseID = id
                    case .failure(let problem): throw ReportRefusal(code: .error, problem: problem)
                    }
                }
                let time = try self.time(of: segment, obr: obr, headerOffset: headerOffset, receivedAt: receivedAt, report: &report)
                let candidate = SourceHistory.Stored(caseID: caseID!.rawValue, vital: vital, rank: rank, time: time)
                if let higher = ranked.outranking(candidate) {
                    report.ignored[.outranked, default: 0] += 1
                    report.warn(segment, field: 5, code: 205, SourceHistory.reason(value, of: candidate, higher: higher))
                    continue
                }
                let batch = batchOfCase[caseID!] ?? {
                    report.batches.append(SampleBatch(caseID: caseID!.rawValue))
                    batchOfCase[caseID!] = report.batches.count - 1
                    return report.batches.count - 1
                }()
                let row = rowOfInstant[batch, default: [:]][time] ?? {
                    let row = report.batches[batch].appendRow(timestamp: time)
                    rowOfInstant[batch, default: [:]][time] = row
                    return row
                }()
                let key = (batch << 40) | (row << 4) | vital.rawValue
                let source = ObservationReport.Source(batch: batch, row: row, vital: vital, segment: segment.sequence, rank: rank, value: value)
                if let existing = sourceAt[key] {
                    report.ignored[.superseded, default: 0] += 1
                    let kept = rank > report.sources[existing].rank ? source : report.sources[existing]
                    let dropped = rank > report.sources[existing].rank ? report.sources[existing] : source
                    if dropped.value != kept.value {
                        report.warn(obx: dropped.segment, field: 5, code: 205, "\(vital.name) at \(Timestamp.format(time)): OBX \(dropped.segment) (\(dropped.value) \(vital.unit)) "
                            + "and OBX \(kept.segment) (\(kept.value)) give it twice; OBX \(kept.segment)'s is the one taken from this message (\(kept.rank > dropped.rank ? "its source ranks higher" : "sent first")), OBX \(dropped.segment)'s is not stored")
                    }
                    guard rank > report.sources[existing].rank else { continue }
                    report.sources[existing] = source
                } else {
                    sourceAt[key] = report.sources.count
                    report.sources.append(source)
                }
                report.batches[batch].set(vital, row: row, to: value)
            default:
                continue  // SFT, NTE, ORC, TQ1, SPM, Z-segments: nothing to store
            }
        }
        return report
    }

    /// The vital, its rank and its value in physio's unit, or nil when the
    /// OBX is left out (counted in `report`); throws when it is unusable.
    private func value(_ obx: HL7Segment, report: inout ObservationReport) throws -> (Vital, Int, Float)? {
        let identifier = obx.field(3)
        guard let (vital, rank) = Self.meaning(identifier) else {
            let hasValue = !obx.field(5).isEmpty && !obx.field(5).isNull
            if hasValue {
                report.ignored[.unknownCode, default: 0] += 1
                let shown = "\(identifier.component(1).text.prefix(30))^\(identifier.component(3).text.prefix(30))"
                if report.unknownCodes.count < 20 { report.unknownCodes.insert(shown) }
                // Quoted as sent (every component), not as the log's code^system.
                report.warn(obx, field: 3, code: 103, Self.unknownCodeWarning(identifier, shown: String(decoding: identifier.raw.prefix(80), as: UTF8.self)))
            } else {
                report.ignored[.noValue, default: 0] += 1
            }
            return nil
        }
        let status = obx.field(11).component(1).text.trimmingSpaces.uppercased()
        let valueField = obx.field(5)
        if valueField.isEmpty || valueField.isNull || !Self.resultStatuses.contains(status) {
            report.ignored[.invalid, default: 0] += 1
            if let reason = Self.statusWarning(status), !valueField.isEmpty, !valueField.isNull {
                report.warn(obx, field: 11, code: 103, "\(vital.name): OBX-11 '\(status.prefix(5))' \(reason); not stored")
            }
            return nil
        }
        if Self.isDemonstration(obx.field(8)) {
            report.ignored[.demonstration, default: 0] += 1
            report.warn(obx, field: 8, code: 103, "\(vital.name): OBX-8 'DEMO' says the device is in demonstration mode, not measuring the patient; not stored")
            return nil
        }
        guard valueField.repetitions.count == 1 else {
            throw error(102, obx, 5, "OBX-5 repeats ('\(valueField.text.prefix(30))'): send one \(vital.name) value per OBX")
        }
        let type = obx.field(2).component(1).text
        let text: String
        switch type {
        case "NM", "":
            text = valueField.firstRepetition.text
        case "SN":
            // Structured numeric: comparator^number; only a plain number is a measurement.
            let comparator = valueField.component(1).text
            guard comparator.isEmpty || comparator == "=", valueField.component(3).isEmpty else {
                guard [">", "<", ">=", "<=", "<>"].contains(comparator) || !valueField.component(3).isEmpty else {
                    throw error(102, obx, 5, "OBX-5 '\(valueField.text.prefix(30))' is not SN (comparator^number: a measured value is ^\(comparator.prefix(12)))")
                }
                throw error(102, obx, 5, "OBX-5 '\(valueField.text.prefix(30))' is a range or comparison, not a measured \(vital.name)")
            }
            text = valueField.component(2).text
        default:
            throw error(102, obx, 2, "\(vital.name) must be numeric (OBX-2 NM), not \(type.prefix(5))")
        }
        guard let number = Self.number(text) else {
            throw error(102, obx, 5, "OBX-5 '\(text.prefix(30))' is not a number")
        }
        // No vital is negative in any unit taken: monitors send −1, −999 or
        // −99.9 for "not measured" (an NIBP not yet cycled) beside real values.
        if number < 0 {
            report.ignored[.sentinel, default: 0] += 1
            report.warn(obx, field: 5, code: 102, "\(vital.name) \(text.prefix(12)): a negative value is a device's 'not measured'; not stored")
            return nil
        }
        let units = obx.field(6)
        guard units.repetitions.count == 1 else {
            throw error(103, obx, 6, "OBX-6 repeats ('\(String(decoding: units.raw.prefix(40), as: UTF8.self))'): one unit per value")
        }
        let resolution = DeviceUnits.resolve(code: units.component(1).text, text: units.component(2).text, system: units.component(3).text,
                                             alternate: (units.component(4).text, units.component(5).text, units.component(6).text))
        let ucum: String?
        switch resolution {
        case .none: ucum = nil
        case .ucum(let unit): ucum = unit
        case .unknown(let shown):
            throw error(103, obx, 6, "unit '\(shown.prefix(40))' is not taken for \(vital.name); send \(VitalSignCodes.acceptedUnits(vital)) (UCUM or MDC)")
        }
        guard let converted = VitalSignCodes.convert(number, unit: ucum, for: vital) else {
            throw error(103, obx, 6, "unit '\(ucum ?? "")' is not taken for \(vital.name); send \(VitalSignCodes.acceptedUnits(vital))")
        }
        let range = vital.reportableRange
        guard converted >= Double(range.lowerBound), converted <= Double(range.upperBound) else {
            report.ignored[.implausible, default: 0] += 1
            report.warn(obx, field: 5, code: 102, "\(vital.name) \(converted) \(vital.unit) is outside the plausible range \(range.lowerBound)–\(range.upperBound); not stored")
            return nil
        }
        return (vital, rank, Float.stored(converted))
    }

    /// OBX-3's vital (CE/CWE: code^text^system, an alternate in components 4–6).
    /// MDC codes also as their reference ids (`MDC_PRESS_BLD_NONINV_DIA^^MDC`),
    /// and with no system when the text is the code's own reference id
    /// (`150456^MDC_PULS_OXIM_SAT_O2`): the pair cannot be a local code.
    /// Systems also as FHIR's URIs. A bare number with no system is not
    /// taken: it could be any local code.
    static func meaning(_ identifier: HL7Field) -> (Vital, Int)? {
        for base in [1, 4] {
            let code = identifier.component(base).text
            let text = identifier.component(base + 1).text
            let system = identifier.component(base + 2).text.uppercased()
            var mdc: String?
            switch system {
            case "MDC", "ISO+", "ISO11073", "ISO11073-10101", "99MDC", "URN:ISO:STD:ISO:11073:10101":   // 99MDC: a local-system spelling some gateways use
                mdc = VitalSignCodes.mdcCode(referenceID: code) ?? code
            case "MDIL": mdc = DeviceUnits.mdil(code).map(String.init)
            case "LN", "LOINC", "HTTP://LOINC.ORG":
                if case .vital(let vital)? = VitalSignCodes.meaning(system: VitalSignCodes.loinc, code: code) {
                    return (vital, VitalSignCodes.rank(system: VitalSignCodes.loinc, code: code))
                }
            case "":
                if let named = VitalSignCodes.mdcCode(referenceID: code) {
                    mdc = named
                } else if let named = VitalSignCodes.mdcCode(referenceID: text), named == code {
                    mdc = code
                }
            default: break
            }
            if let mdc, case .vital(let vital)? = VitalSignCodes.meaning(system: VitalSignCodes.mdc, code: mdc) {
                return (vital, VitalSignCodes.rank(mdc: mdc))
            }
        }
        return nil
    }

    /// OBX-8 (abnormal flags, repeating) holding `DEMO`: a monitor in demonstration
    /// mode says so there (Mindray's PCD-01 examples), as MSH-11 `T` says a
    /// message is for training; its values are a simulation.
    static func isDemonstration(_ flags: HL7Field) -> Bool {
        guard !flags.isEmpty else { return false }
        return flags.repetitions.contains { $0.component(1).text.trimmingSpaces.uppercased() == "DEMO" }
    }

    /// OBX-11 statuses that carry a result (HL7 table 0085): final,
    /// corrected, preliminary, entered not verified, partial, changed to
    /// final; empty as many monitors send it.
    static let resultStatuses: Set<String> = ["", "F", "C", "P", "R", "S", "U"]

    /// Why a value under `status` is not stored, for the sender.
    static func statusWarning(_ status: String) -> String? {
        switch status {
        case "X": "says the result could not be obtained"
        case "D", "W": "retracts a result, which physio does not apply (stored values are kept; acknowledged means committed)"
        case "N": "says the observation was not asked for"
        case "I": "says the result is pending"
        case "O": "is an order detail, not a result"
        default: "is not a result status of HL7 table 0085 (F, C, P, R, S, U)"
        }
    }

    /// What to send instead of an OBX-3 physio does not take.
    static func unknownCodeWarning(_ identifier: HL7Field, shown: String) -> String {
        let code = identifier.component(1).text
        if identifier.component(3).isEmpty, VitalSignCodes.meaning(system: VitalSignCodes.mdc, code: code) != nil {
            return "OBX-3 '\(shown)' has no coding system: send \(code)^\(VitalSignCodes.mdcReferenceID(code: code) ?? "")^MDC; not stored"
        }
        return "OBX-3 '\(shown)' is not a vital sign physio stores (docs/hl7.md lists the MDC and LOINC codes); not stored"
    }

    /// HL7's NM: an optional sign, digits, an optional decimal point.
    static func number(_ text: String) -> Double? {
        let bytes = Array(text.utf8.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed())
        let trimmed = String(decoding: bytes, as: UTF8.self)
        var index = 0
        if index < bytes.count && (bytes[index] == 0x2B || bytes[index] == 0x2D) { index += 1 }
        var digits = 0, points = 0
        while index < bytes.count {
            if (0x30...0x39).contains(bytes[index]) { digits += 1 } else if bytes[index] == 0x2E { points += 1 } else { return nil }
            index += 1
        }
        guard digits > 0, points <= 1 else { return nil }
        return Double(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed)
    }

    /// What a time sent where `--hl7-time-zone`'s clocks change was read as.
    static func clockChangeWarning(name: String, text: String, _ change: HL7TimeZone.Change, zone: HL7TimeZone, micros: Int64) -> String {
        func offset(_ minutes: Int) -> String { HL7TimeZone.fixed(minutes: minutes).description }
        switch change {
        case .repeated(let minutes, let nearestToArrival):
            let which = nearestToArrival ? "the later, nearest to when it arrived" : "the earlier"
            return "\(name) '\(text)' is in the hour \(zone.description) repeats when its clocks go back: read as \(which), \(offset(minutes)) (\(Timestamp.format(micros))); send an offset to say which"
        case .skipped(let minutes):
            return "\(name) '\(text)' is in the hour \(zone.description) skips when its clocks go forward, a time no clock there showed: read with the offset before the change, \(offset(minutes)) (\(Timestamp.format(micros))); send an offset to say otherwise"
        }
    }

    /// OBX-14, else OBR-7, as microseconds. `receivedAt`: when the message arrived (`clock`).
    private func time(of obx: HL7Segment, obr: HL7Segment?, headerOffset: Int?, receivedAt: Int64,
                      report: inout ObservationReport) throws -> Int64 {
        let (segment, number): (HL7Segment, Int)
        if !obx.field(14).isEmpty {
            (segment, number) = (obx, 14)
        } else if let obr, !obr.field(7).isEmpty {
            (segment, number) = (obr, 7)
        } else {
            throw error(101, obx, 14, "the observation has no time: send OBX-14, or OBR-7 in its OBR")
        }
        let field = segment.field(number)
        let name = "\(segment.id)-\(number)"
        switch HL7DateTime.parse(field) {
        case .failure(.imprecise):
            throw error(102, segment, number, "\(name) '\(field.text.prefix(30))' is not precise to the minute; a vital sign is stored at the instant it was measured")
        case .failure(.malformed):
            throw error(102, segment, number, "\(name) '\(field.text.prefix(30))' is not an HL7 date/time (YYYYMMDDHHMMSS[.SSSS][+ZZZZ])")
        case .success(let time):
            let micros: Int64?
            if let offset = time.offsetMinutes ?? headerOffset {
                micros = time.micros(offsetMinutes: offset)
            } else if let local = timeZone.reading(time, receivedAt: receivedAt) {
                micros = local.micros
                if let change = local.change, let micros, report.readAcrossAClockChange.insert(micros).inserted {
                    report.warn(obx, field: 14, code: 102, Self.clockChangeWarning(name: name, text: String(field.text.prefix(30)), change, zone: timeZone, micros: micros))
                }
            } else {
                throw error(102, segment, number, "\(name) '\(field.text.prefix(30))' has no time zone, nor has MSH-7: add an offset (+0100) or start the server with --hl7-time-zone")
            }
            guard let micros, Timestamp.validRange.contains(micros) else {
                throw error(102, segment, number, "\(name) '\(field.text.prefix(30))' is outside 1970–2199")
            }
            if let refusal = ClockAhead.refusal(micros, now: receivedAt) { throw error(102, segment, number, "\(name) \(refusal)") }
            return micros
        }
    }
}

