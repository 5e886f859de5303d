#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// c(n): the average path length of an unsuccessful search in a binary
/// search tree of n keys (Liu, Ting & Zhou 2008, eq. 1), used both to
/// normalise scores and to credit a leaf that still holds n > 1 samples.
/// Same cases as scikit-learn's `_average_path_length`: c(0) = c(1) = 0, c(2) = 1.
public enum AveragePathLength {
    static let eulerGamma = 0.577_215_664_901_532_9

    public static func c(_ n: Int) -> Double {
        if n <= 1 { return 0 }
        if n == 2 { return 1 }
        let m = Double(n)
        return 2 * (log(m - 1) + eulerGamma) - 2 * (m - 1) / m
    }
}
