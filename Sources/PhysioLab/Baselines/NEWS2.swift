/// NEWS2, the National Early Warning Score 2 (Royal College of Physicians,
/// London 2017), over the parameters a monitor sends: heart rate, systolic
/// pressure, SpO2 on scale 1, respiratory rate and temperature. The
/// consciousness (ACVPU) and supplemental-oxygen terms are left out: no
/// monitor sends them, so this is NEWS2 without its two charted terms, at
/// most 15 points rather than 20.
///
/// The chart's bands are written for whole numbers ("41–50") and one
/// decimal for temperature ("35.1–36.0"); monitors send fractions, so each
/// band here is (previous band's upper edge, its own upper edge]: HR 40.5
/// scores as 41–50, SBP 219.5 as ≥ 220.
///
/// | points | 3 | 2 | 1 | 0 | 1 | 2 | 3 |
/// |---|---|---|---|---|---|---|---|
/// | respiratory rate /min | ≤ 8 | | 9–11 | 12–20 | | 21–24 | ≥ 25 |
/// | SpO2 scale 1 % | ≤ 91 | 92–93 | 94–95 | ≥ 96 | | | |
/// | systolic BP mmHg | ≤ 90 | 91–100 | 101–110 | 111–219 | | | ≥ 220 |
/// | pulse /min | ≤ 40 | | 41–50 | 51–90 | 91–110 | 111–130 | ≥ 131 |
/// | temperature °C | ≤ 35.0 | | 35.1–36.0 | 36.1–38.0 | 38.1–39.0 | ≥ 39.1 | |
public enum NEWS2 {
    public static func respiratoryRate(_ value: Float) -> Int {
        switch value {
        case ...8: 3
        case ...11: 1
        case ...20: 0
        case ...24: 2
        default: 3
        }
    }

    public static func saturation(_ value: Float) -> Int {
        switch value {
        case ...91: 3
        case ...93: 2
        case ...95: 1
        default: 0
        }
    }

    public static func systolic(_ value: Float) -> Int {
        switch value {
        case ...90: 3
        case ...100: 2
        case ...110: 1
        case ...219: 0
        default: 3
        }
    }

    public static func pulse(_ value: Float) -> Int {
        switch value {
        case ...40: 3
        case ...50: 1
        case ...90: 0
        case ...110: 1
        case ...130: 2
        default: 3
        }
    }

    public static func temperature(_ value: Float) -> Int {
        switch value {
        case ...35: 3
        case ...36: 1
        case ...38: 0
        case ...39: 1
        default: 2
        }
    }

    /// The aggregate over the parameters present; an absent one adds nothing
    /// (a probe that is off is no evidence of deterioration).
    public static func score(hr: Float?, sbp: Float?, spo2: Float?, rr: Float?, temp: Float?) -> Int {
        (hr.map(pulse) ?? 0) + (sbp.map(systolic) ?? 0) + (spo2.map(saturation) ?? 0)
            + (rr.map(respiratoryRate) ?? 0) + (temp.map(temperature) ?? 0)
    }
}
