public enum MeanArterialPressure {
    /// (SBP + 2·DBP)/3: diastole lasts about twice as long as systole at
    /// resting heart rates. An estimate, worse at high heart rates; used only
    /// when the monitor sent no mean (VitalDB's exports often lack ART_MBP).
    @inline(__always)
    public static func estimate(systolic: Float, diastolic: Float) -> Float {
        (systolic + 2 * diastolic) / 3
    }
}
