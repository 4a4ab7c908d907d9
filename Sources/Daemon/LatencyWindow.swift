/// The most recent inspection latencies, for percentiles in the status: recent ones, because
/// an operator asks how the line runs now, not since start.
public struct LatencyWindow: Sendable {
    private var samples: [Double] = []
    private var next = 0
    public let capacity: Int

    public init(capacity: Int = 512) {
        self.capacity = capacity
    }

    public var isEmpty: Bool { samples.isEmpty }

    public mutating func add(_ milliseconds: Double) {
        if samples.count < capacity {
            samples.append(milliseconds)
        } else {
            samples[next] = milliseconds
        }
        next = (next + 1) % capacity
    }

    /// Nearest-rank percentile, `p` in (0, 100]; nil without samples.
    public func percentile(_ p: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
}
