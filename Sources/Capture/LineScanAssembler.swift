import Imaging

/// Builds product frames from the strips a line camera delivers (each a few lines tall).
///
/// Frames never span a lost strip: when the strip sequence jumps, the lines gathered so far
/// are discarded and counted, since a frame with missing lines would show a false defect (or
/// hide a real one) where the lines were lost.
public struct LineScanAssembler: Sendable {
    public let mode: LineScanMode
    /// Frames emitted.
    public private(set) var framesAssembled: UInt64 = 0
    /// Partial frames or parts thrown away because a strip was lost.
    public private(set) var framesDiscarded: UInt64 = 0
    /// Parts cut at `maximumHeight`.
    public private(set) var partsCut: UInt64 = 0

    private var shape: (width: Int, channels: Int, format: PixelFormat, source: String)?
    /// Pending lines, row-major, and the capture time of each.
    private var lines: [UInt8] = []
    private var lineTimes: [UInt64] = []
    private var lastStrip: UInt64?
    /// Parts mode: background lines seen since the part's last product line.
    private var gapRun = 0
    private var inPart = false

    public init(mode: LineScanMode) throws(LineScanError) {
        switch mode {
        case .continuous(let height, let overlap):
            guard height >= 1, overlap >= 0, overlap < height else {
                throw .invalidMode("continuous frames need height ≥ 1 and 0 ≤ overlap < height (got \(height), \(overlap))")
            }
        case .parts(_, _, let minimumGap, let minimumHeight, let maximumHeight):
            guard minimumGap >= 1, minimumHeight >= 1, maximumHeight >= minimumHeight else {
                throw .invalidMode("parts need minimumGap ≥ 1 and 1 ≤ minimumHeight ≤ maximumHeight")
            }
        }
        self.mode = mode
    }

    /// Adds one strip; returns the frames it completed, oldest first.
    public mutating func append(_ strip: Frame) throws(LineScanError) -> [Frame] {
        try checkShape(strip)
        if let last = lastStrip, strip.sequence != last + 1, !lineTimes.isEmpty {
            framesDiscarded += 1
            clear()
        }
        lastStrip = strip.sequence
        let rowBytes = strip.width * strip.channels
        var completed: [Frame] = []
        for row in 0..<strip.height {
            let line = strip.pixels[(row * rowBytes)..<((row + 1) * rowBytes)]
            switch mode {
            case .continuous(let height, let overlap):
                lines.append(contentsOf: line)
                lineTimes.append(strip.timestamp)
                if lineTimes.count == height {
                    completed.append(emit(count: height))
                    keepLast(overlap)
                }
            case .parts(let threshold, let background, let minimumGap, let minimumHeight, let maximumHeight):
                let mean = Double(line.reduce(0) { $0 + Int($1) }) / Double(line.count)
                let isBackground = background == .dark ? mean <= threshold : mean >= threshold
                if !inPart {
                    guard !isBackground else { continue }
                    inPart = true
                    gapRun = 0
                }
                lines.append(contentsOf: line)
                lineTimes.append(strip.timestamp)
                gapRun = isBackground ? gapRun + 1 : 0
                let partHeight = lineTimes.count - gapRun
                if gapRun >= minimumGap {
                    if partHeight >= minimumHeight { completed.append(emit(count: partHeight)) }
                    clear()
                } else if lineTimes.count == maximumHeight {
                    partsCut += 1
                    completed.append(emit(count: maximumHeight - gapRun))
                    clear()
                    inPart = !isBackground
                }
            }
        }
        return completed
    }

    /// A frame from the first `count` pending lines (they stay pending; callers trim).
    private mutating func emit(count: Int) -> Frame {
        let shape = shape!
        let image = try! Image(width: shape.width, height: count, channels: shape.channels,
                               pixels: Array(lines[0..<(count * shape.width * shape.channels)]))
        defer { framesAssembled += 1 }
        return Frame(image: image, pixelFormat: shape.format, sequence: framesAssembled,
                     timestamp: lineTimes[0], sourceID: shape.source)
    }

    private mutating func keepLast(_ count: Int) {
        let rowBytes = shape!.width * shape!.channels
        lines.removeFirst(lines.count - count * rowBytes)
        lineTimes.removeFirst(lineTimes.count - count)
    }

    private mutating func clear() {
        lines.removeAll(keepingCapacity: true)
        lineTimes.removeAll(keepingCapacity: true)
        inPart = false
        gapRun = 0
    }

    private mutating func checkShape(_ strip: Frame) throws(LineScanError) {
        guard let shape else {
            shape = (strip.width, strip.channels, strip.pixelFormat, strip.sourceID)
            return
        }
        guard strip.width == shape.width, strip.channels == shape.channels else {
            throw .stripMismatch(source: shape.source, expected: "\(shape.width) px × \(shape.channels) channels",
                                 got: "\(strip.width) px × \(strip.channels) channels")
        }
    }
}
