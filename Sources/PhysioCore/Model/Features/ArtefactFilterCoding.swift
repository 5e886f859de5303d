import PhysioPlatform

/// The filter as a model file stores it: a model trained before a rule reads with it (policy, not learned).
extension ArtefactFilter {
    enum CodingKeys: String, CodingKey {
        case plausible, minimumPulsePressure = "minimum_pulse_pressure", flushSystolic = "flush_systolic"
        case flushPulsePressure = "flush_pulse_pressure", settleSeconds = "settle_seconds"
        case estimateMeanPressure = "estimate_mean_pressure", saturationDrop = "saturation_drop"
        case sustainedExtreme = "sustained_extreme", profoundHypotension = "profound_hypotension"
        case erraticHeartRate = "erratic_heart_rate", pulselessLine = "pulseless_line", probeWarming = "probe_warming"
        case nonPulsatileFlow = "non_pulsatile_flow"
    }

    /// `plausible` is `{"hr": [20, 250], …}`; a vital left out has no range.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var ranges: [Vital: ClosedRange<Float>] = [:]
        for (name, bounds) in try container.decode([String: [Float]].self, forKey: .plausible) {
            guard let vital = Vital(name: name), bounds.count == 2, bounds[0] <= bounds[1] else {
                throw DecodingError.dataCorruptedError(forKey: .plausible, in: container,
                                                       debugDescription: "bad plausible range for \(name)")
            }
            ranges[vital] = bounds[0]...bounds[1]
        }
        let settleSeconds = try container.decode(Double.self, forKey: .settleSeconds)
        guard (0...3600).contains(settleSeconds) else {   // becomes microseconds: out of range would trap
            throw DecodingError.dataCorruptedError(forKey: .settleSeconds, in: container, debugDescription: "settle_seconds must be 0…3600")
        }
        self.init(ranges: ranges,
                  minimumPulsePressure: try container.decode(Float.self, forKey: .minimumPulsePressure),
                  flushSystolic: try container.decode(Float.self, forKey: .flushSystolic),
                  flushPulsePressure: try container.decode(Float.self, forKey: .flushPulsePressure),
                  settleSeconds: settleSeconds,
                  estimateMeanPressure: try container.decode(Bool.self, forKey: .estimateMeanPressure),
                  // Models trained before rule 4 get it too: it is policy, not learned.
                  saturationDrop: try container.decodeIfPresent(SaturationDrop.self, forKey: .saturationDrop) ?? .standard,
                  sustainedExtreme: try container.decodeIfPresent(SustainedExtreme.self, forKey: .sustainedExtreme) ?? .standard,
                  profoundHypotension: try container.decodeIfPresent(ProfoundHypotension.self, forKey: .profoundHypotension) ?? .standard,
                  erraticHeartRate: try container.decodeIfPresent(ErraticHeartRate.self, forKey: .erraticHeartRate) ?? .standard,
                  // Models trained before rule 8 get it too: it is policy, not learned.
                  pulselessLine: try container.decodeIfPresent(PulselessLine.self, forKey: .pulselessLine) ?? .standard,
                  probeWarming: try container.decodeIfPresent(ProbeWarming.self, forKey: .probeWarming) ?? .standard,
                  nonPulsatileFlow: try container.decodeIfPresent(NonPulsatileFlow.self, forKey: .nonPulsatileFlow) ?? .standard)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var ranges: [String: [Float]] = [:]
        for vital in Vital.allCases where lower[vital.rawValue].isFinite && upper[vital.rawValue].isFinite {
            ranges[vital.name] = [lower[vital.rawValue], upper[vital.rawValue]]
        }
        try container.encode(ranges, forKey: .plausible)
        try container.encode(minimumPulsePressure, forKey: .minimumPulsePressure)
        try container.encode(flushSystolic, forKey: .flushSystolic)
        try container.encode(flushPulsePressure, forKey: .flushPulsePressure)
        try container.encode(settleSeconds, forKey: .settleSeconds)
        try container.encode(estimateMeanPressure, forKey: .estimateMeanPressure)
        try container.encode(saturationDrop, forKey: .saturationDrop)
        try container.encode(sustainedExtreme, forKey: .sustainedExtreme)
        try container.encode(profoundHypotension, forKey: .profoundHypotension)
        try container.encode(erraticHeartRate, forKey: .erraticHeartRate)
        try container.encode(pulselessLine, forKey: .pulselessLine)
        try container.encode(probeWarming, forKey: .probeWarming)
        try container.encode(nonPulsatileFlow, forKey: .nonPulsatileFlow)
    }
}
