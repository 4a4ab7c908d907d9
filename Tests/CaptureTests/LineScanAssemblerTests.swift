import Capture
import Imaging
import Testing

@Suite struct LineScanAssemblerTests {
    static let width = 6

    /// A strip whose line i holds `values[i]` in every pixel, except pixel 0, which holds the
    /// line's global index, so each output row can be traced to its source line.
    static func strip(_ sequence: UInt64, lines: [(index: Int, value: UInt8)]) throws -> Frame {
        var pixels: [UInt8] = []
        for line in lines {
            pixels.append(UInt8(line.index % 256))
            pixels += Array(repeating: line.value, count: width - 1)
        }
        return Frame(image: try Image(width: width, height: lines.count, channels: 1, pixels: pixels),
                     pixelFormat: .grey, sequence: sequence, timestamp: 1000 + sequence, sourceID: "line")
    }

    /// Global line indices of a frame's rows.
    static func rows(_ frame: Frame) -> [Int] {
        (0..<frame.height).map { Int(frame.pixels[$0 * width]) }
    }

    @Test func continuousFramesOverlapByTheConfiguredLines() throws {
        var assembler = try LineScanAssembler(mode: .continuous(height: 10, overlap: 2))
        var frames: [Frame] = []
        for strip in 0..<12 {  // 12 strips × 4 lines = 48 lines
            let lines = (0..<4).map { (index: strip * 4 + $0, value: UInt8(strip)) }
            frames += try assembler.append(Self.strip(UInt64(strip), lines: lines))
        }
        // Frames start every 8 lines: 0, 8, 16, 24, 32; the one at 40 lacks 2 lines yet.
        #expect(frames.map(Self.rows) == [0, 8, 16, 24, 32].map { Array($0..<($0 + 10)) })
        #expect(frames.map(\.sequence) == [0, 1, 2, 3, 4])
        #expect(frames.allSatisfy { $0.width == Self.width && $0.height == 10 })
        // Each frame carries the time of its first line's strip: lines 8–11 came in strip 2.
        #expect(frames.map(\.timestamp) == [1000, 1002, 1004, 1006, 1008])
        // Pixels other than the index column are the strip's value, untouched.
        #expect(frames[1].pixels[1..<Self.width].allSatisfy { $0 == 2 })
    }

    @Test func aLostStripDiscardsThePartialFrame() throws {
        var assembler = try LineScanAssembler(mode: .continuous(height: 8, overlap: 0))
        var frames: [Frame] = []
        for strip in [0, 1, 2, 4, 5, 6, 7] {  // strip 3 lost
            let lines = (0..<4).map { (index: strip * 4 + $0, value: UInt8(1)) }
            frames += try assembler.append(Self.strip(UInt64(strip), lines: lines))
        }
        // Lines 0–7 make a frame; 8–11 are discarded with the gap; 16–23 and 24–31 follow.
        #expect(frames.map(Self.rows) == [Array(0..<8), Array(16..<24), Array(24..<32)])
        #expect(assembler.framesDiscarded == 1)
    }

    /// The belt: background 10, parts 200; `layout` is (value, line count) runs.
    static func belt(_ layout: [(value: UInt8, count: Int)], stripHeight: Int) throws -> [Frame] {
        let values = layout.flatMap { Array(repeating: $0.value, count: $0.count) }
        return try stride(from: 0, to: values.count, by: stripHeight).enumerated().map { number, start in
            let lines = (start..<min(start + stripHeight, values.count)).map { (index: $0, value: values[$0]) }
            return try strip(UInt64(number), lines: lines)
        }
    }

    @Test func partsAreSplitAtGapsOnTheBelt() throws {
        let mode = LineScanMode.parts(threshold: 60, background: .dark, minimumGap: 3, minimumHeight: 4, maximumHeight: 40)
        var assembler = try LineScanAssembler(mode: mode)
        // gap 5, part 7 with a 2-line dip inside (not a gap), gap 6, dust of 2 lines, gap 4,
        // part 13, gap 3.
        let layout: [(value: UInt8, count: Int)] = [(10, 5), (200, 3), (10, 2), (200, 4), (10, 6), (200, 2), (10, 4),
                                                    (200, 13), (10, 3)]
        var frames: [Frame] = []
        for strip in try Self.belt(layout, stripHeight: 4) { frames += try assembler.append(strip) }
        #expect(frames.map(Self.rows) == [Array(5..<14), Array(26..<39)])
        #expect(frames.map(\.height) == [9, 13])
        // The dip inside the first part is kept: the frame is the whole part.
        #expect(frames[0].pixels[(3 * Self.width + 1)...].first == 10)
    }

    @Test func aPartLongerThanTheMaximumIsCut() throws {
        let mode = LineScanMode.parts(threshold: 128, background: .bright, minimumGap: 2, minimumHeight: 1, maximumHeight: 10)
        var assembler = try LineScanAssembler(mode: mode)
        let layout: [(value: UInt8, count: Int)] = [(250, 3), (20, 25), (250, 2)]
        var frames: [Frame] = []
        for strip in try Self.belt(layout, stripHeight: 5) { frames += try assembler.append(strip) }
        #expect(frames.map(Self.rows) == [Array(3..<13), Array(13..<23), Array(23..<28)])
        #expect(assembler.partsCut == 2)
    }

    @Test func rejectsImpossibleModesAndChangingStrips() throws {
        #expect(throws: LineScanError.self) { try LineScanAssembler(mode: .continuous(height: 4, overlap: 4)) }
        var assembler = try LineScanAssembler(mode: .continuous(height: 4, overlap: 0))
        _ = try assembler.append(Self.strip(0, lines: [(0, 1)]))
        let wider = Frame(image: try Image(width: 7, height: 1, channels: 1), pixelFormat: .grey,
                          sequence: 1, timestamp: 0, sourceID: "line")
        #expect(throws: LineScanError.self) { try assembler.append(wider) }
    }
}
