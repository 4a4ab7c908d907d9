import Testing

/// The real V4L2 path — libv4l2, libv4lconvert, V4L2Source, FrameRing — against the emulated
/// device, one child process per test (see EmulatedCamera).
@Suite(.serialized) struct V4L2StreamingTests {
    static let width = 64, height = 48, distinctPayloads = 5

    /// A camera serving `distinctPayloads` different frames in turn, and the digests expected.
    static func camera(_ format: String) throws -> (EmulatedCamera, [String]) {
        var payloads: [[UInt8]] = [], digests: [String] = []
        for index in 0..<distinctPayloads {
            let (payload, expected) = try Payloads.make(format: format, width: width, height: height, index: index)
            payloads.append(payload)
            digests.append(fnv1a(expected))
        }
        #expect(Set(digests).count == distinctPayloads)
        return (try EmulatedCamera(format: format, width: width, height: height, payloads: payloads), digests)
    }

    /// Checks every frame's pixels against the payload the emulator served for it.
    ///
    /// The emulator serves payload n mod count for its n-th delivery and never skips one
    /// (a gap only advances the sequence number), so n follows from the frame's running number
    /// and the injected gaps. Mapping by number rather than arrival keeps the check exact even if
    /// the ring dropped frames on a loaded machine.
    static func expectFramesExact(
        _ result: StreamResult, _ digests: [String], channels: Int, format: String, gaps: [(at: Int, lost: Int)] = []
    ) {
        for (index, frame) in result.frames.enumerated() {
            var delivered = Int(frame.sequence)
            for gap in gaps where delivered >= gap.at + gap.lost { delivered -= gap.lost }
            #expect(frame.hash == digests[delivered % digests.count], "frame \(frame.sequence): wrong pixels")
            #expect(frame.width == width && frame.height == height && frame.channels == channels)
            #expect(frame.format == format)
            if index > 0 {
                #expect(frame.sequence > result.frames[index - 1].sequence)
                #expect(frame.timestamp >= result.frames[index - 1].timestamp)
            }
            if frame.hash != digests[delivered % digests.count] { return }  // one failure says enough
        }
    }

    /// Sequence numbers 0..<count, minus any frames the ring dropped (none on an idle machine).
    static func expectContiguous(_ result: StreamResult, count: Int, lost: Int = 0) {
        let last = Int(result.frames.last?.sequence ?? 0)
        #expect(result.frames.count == count)
        #expect(last + 1 - count - lost <= Int(result.summary.ringDropped))
    }

    @Test(arguments: [("GREY", 1, "GREY"), ("Y16 ", 1, "Y16"), ("YUYV", 3, "YUYV"), ("RGB3", 3, "RGB3"), ("MJPG", 3, "MJPG")])
    func streamsThousandFramesWithExactPixels(format: String, channels: Int, name: String) throws {
        let (camera, digests) = try Self.camera(format)
        defer { camera.remove() }
        let result = try camera.stream(1000)
        #expect(result.frames.count == 1000)
        #expect(!result.summary.timedOut)
        Self.expectFramesExact(result, digests, channels: channels, format: name)
        Self.expectContiguous(result, count: 1000)
        let status = result.summary.status
        #expect(status.droppedFrames == 0 && status.reconnects == 0 && status.corruptFrames == 0)
        #expect(status.mode?.hasPrefix("\(name) \(Self.width)x\(Self.height) @ 1000") == true)
        #expect(result.summary.states.allSatisfy { $0 == "idle" || $0 == "streaming" })
    }

    @Test func mjpegDecodesCloseToTheEncodedPicture() throws {
        // The exact check above compares with libjpeg-turbo's decode of the same bytes; this one
        // shows that decode is the picture itself, within JPEG's loss.
        let image = try Payloads.smoothImage(width: Self.width, height: Self.height, seed: 0)
        let (_, decoded) = try Payloads.make(format: "MJPG", width: Self.width, height: Self.height, index: 0)
        let error = zip(image.pixels, decoded).map { abs(Int($0) - Int($1)) }.reduce(0, +) / decoded.count
        #expect(error <= 4)
    }

    @Test func sequenceGapsAreCountedAsDrops() throws {
        var (camera, digests) = try Self.camera("GREY")
        defer { camera.remove() }
        camera.faults = ["gap@100:3", "gap@500:7", "gap@900:1"]
        let result = try camera.stream(1000)
        let gaps: [(at: Int, lost: Int)] = [(100, 3), (500, 7), (900, 1)]
        Self.expectFramesExact(result, digests, channels: 1, format: "GREY", gaps: gaps)
        #expect(result.summary.status.droppedFrames == 11)
        Self.expectContiguous(result, count: 1000, lost: 11)
        if result.summary.ringDropped == 0 {
            let expected = (0..<1000).map { index -> UInt64 in
                UInt64(index + gaps.filter { index >= $0.at }.map(\.lost).reduce(0, +))
            }
            #expect(result.frames.map(\.sequence) == expected)
        }
    }

    @Test func recoversFromUnplug() throws {
        var (camera, digests) = try Self.camera("YUYV")
        defer { camera.remove() }
        camera.faults = ["unplug@400:300"]
        let result = try camera.stream(1000)
        #expect(result.frames.count == 1000)
        Self.expectFramesExact(result, digests, channels: 3, format: "YUYV")
        let status = result.summary.status
        #expect(status.reconnects == 1)
        #expect(status.state == "streaming" || status.state == "idle")
        #expect(status.lastError?.contains(camera.devicePath) == true)
        let states = result.summary.states
        // (`reconnecting` lasts only while open() runs: too brief for the sampler to promise it.)
        #expect(states.contains("disconnected"))
        #expect(states.last == "streaming" || states.last == "idle")
        // A reconnect restarts device numbering; the running frame number carries on.
        Self.expectContiguous(result, count: 1000)
    }

    @Test func recoversFromIOError() throws {
        var (camera, digests) = try Self.camera("MJPG")
        defer { camera.remove() }
        camera.faults = ["eio@250"]
        let result = try camera.stream(500)
        Self.expectFramesExact(result, digests, channels: 3, format: "MJPG")
        #expect(result.summary.status.reconnects == 1)
        #expect(result.summary.status.lastError?.contains("Input/output error") == true)
    }

    @Test func waitsForADeviceMissingAtStart() throws {
        var (camera, digests) = try Self.camera("GREY")
        defer { camera.remove() }
        camera.absentMilliseconds = 300
        let result = try camera.stream(200)
        Self.expectFramesExact(result, digests, channels: 1, format: "GREY")
        #expect(result.frames.count == 200)
        #expect(result.summary.states.first(where: { $0 != "idle" }) == "disconnected")
        #expect(result.summary.status.lastError?.contains("no such device") == true)
        #expect(result.summary.status.reconnects == 1)
    }

    @Test func reportsAShortStallWithoutRestarting() throws {
        var (camera, digests) = try Self.camera("GREY")
        defer { camera.remove() }
        camera.faults = ["stall@200:450"]
        let result = try camera.stream(400, ["--stall-ms", "100", "--restart-after", "10"])
        Self.expectFramesExact(result, digests, channels: 1, format: "GREY")
        let status = result.summary.status
        #expect(status.stalls == 1 && status.reconnects == 0 && status.droppedFrames == 0)
        #expect(result.summary.states.contains("stalled"))
        #expect(result.summary.states.last == "streaming" || result.summary.states.last == "idle")
    }

    @Test func restartsAStreamThatStaysStalled() throws {
        var (camera, digests) = try Self.camera("GREY")
        defer { camera.remove() }
        camera.faults = ["stall@200:700"]
        let result = try camera.stream(400, ["--stall-ms", "100", "--restart-after", "3"])
        Self.expectFramesExact(result, digests, channels: 1, format: "GREY")
        let status = result.summary.status
        #expect(status.stalls >= 1 && status.reconnects >= 1)
        #expect(result.frames.count == 400)
    }

    @Test func spuriousWakeupsLoseNothing() throws {
        var (camera, digests) = try Self.camera("RGB3")
        defer { camera.remove() }
        camera.faults = ["eagain@100:5", "eagain@600:50"]
        let result = try camera.stream(1000)
        Self.expectFramesExact(result, digests, channels: 3, format: "RGB3")
        let status = result.summary.status
        #expect(status.droppedFrames == 0 && status.reconnects == 0 && status.stalls == 0)
        Self.expectContiguous(result, count: 1000)
    }

    @Test func setsExposureAndGainWhereTheCameraHasThem() throws {
        let (camera, _) = try Self.camera("GREY")
        defer { camera.remove() }
        let result = try camera.stream(10, ["--exposure", "500", "--gain", "7", "--probe-after"])
        #expect(result.summary.controls?["Exposure Time, Absolute"] == 500)
        #expect(result.summary.controls?["Gain"] == 7)
        #expect(result.summary.status.warnings.isEmpty)
    }

    @Test func warnsWhenTheCameraHasNoExposureControl() throws {
        var (camera, digests) = try Self.camera("GREY")
        defer { camera.remove() }
        camera.controls = false
        let result = try camera.stream(10, ["--exposure", "500", "--gain", "7"])
        Self.expectFramesExact(result, digests, channels: 1, format: "GREY")
        #expect(result.summary.status.warnings.count == 2)
        #expect(result.summary.status.warnings.first?.contains("no exposure control") == true)
    }

    @Test func rejectsAFormatTheCameraLacks() throws {
        let (camera, _) = try Self.camera("GREY")
        defer { camera.remove() }
        let result = try camera.stream(1, ["--format", "MJPG", "--deadline-s", "1"])
        #expect(result.frames.isEmpty && result.summary.timedOut)
        #expect(result.summary.status.state == "disconnected" || result.summary.status.state == "idle")
        #expect(result.summary.status.lastError?.contains("cannot capture MJPG") == true)
    }

    @Test func dropsCorruptMJPEGFramesAndKeepsStreaming() throws {
        // Payload 2 is a JPEG cut in half, as a USB transfer error leaves it.
        var payloads: [[UInt8]] = [], digests: [String?] = []
        for index in 0..<4 {
            let (payload, expected) = try Payloads.make(format: "MJPG", width: Self.width, height: Self.height, index: index)
            payloads.append(index == 2 ? Array(payload.prefix(payload.count / 2)) : payload)
            digests.append(index == 2 ? nil : fnv1a(expected))
        }
        let camera = try EmulatedCamera(format: "MJPG", width: Self.width, height: Self.height, payloads: payloads)
        defer { camera.remove() }
        let result = try camera.stream(300)
        // Corrupt frames never reach the ring, but keep their number: frame n carries payload n mod 4.
        for frame in result.frames {
            #expect(frame.hash == digests[Int(frame.sequence) % 4])
        }
        #expect(result.frames.count == 300)
        let corrupt = Int(result.summary.status.corruptFrames)
        #expect(corrupt >= 300 / 3 - 1)
        #expect(result.summary.status.lastError?.contains(camera.devicePath) == true)
        // A corrupt frame arrived: it is not counted as lost upstream too.
        #expect(result.summary.status.droppedFrames == 0 && result.summary.status.reconnects == 0)
    }

    @Test func assemblesLineCameraStripsIntoFrames() throws {
        // A line camera: 64-pixel strips of 4 lines; frames of 10 lines overlapping by 2.
        let stripLines = 4, count = 5
        let strips = (0..<count).map { Payloads.noise(Self.width * stripLines, seed: UInt64(50 + $0)) }
        let camera = try EmulatedCamera(format: "GREY", width: Self.width, height: stripLines, payloads: strips)
        defer { camera.remove() }
        let result = try camera.stream(200, ["--assemble", "10:2"])
        #expect(result.summary.status.corruptFrames == 0, "no strip may be lost for the check below")
        for frame in result.frames {
            // Frame j holds lines 8j ..< 8j + 10 of the endless strip stream; line L is row
            // L mod 4 of strip L / 4, which carries payload (L / 4) mod 5.
            let start = Int(frame.sequence) * 8
            var expected: [UInt8] = []
            for line in start..<(start + 10) {
                let strip = strips[(line / stripLines) % count], row = line % stripLines
                expected += strip[(row * Self.width)..<((row + 1) * Self.width)]
            }
            #expect(frame.hash == fnv1a(expected), "assembled frame \(frame.sequence)")
            #expect(frame.width == Self.width && frame.height == 10 && frame.channels == 1)
        }
        #expect(result.frames.count == 200)
    }

    @Test func stripsRowPaddingTheDriverAdds() throws {
        // 64 × 48 GREY with rows padded to 80 bytes; the padding holds 0xEE, never a pixel.
        let padding = 16
        var payloads: [[UInt8]] = [], digests: [String] = []
        for index in 0..<3 {
            let pixels = Payloads.noise(Self.width * Self.height, seed: UInt64(200 + index))
            var padded: [UInt8] = []
            for row in 0..<Self.height {
                padded += pixels[(row * Self.width)..<((row + 1) * Self.width)]
                padded += Array(repeating: 0xEE, count: padding)
            }
            payloads.append(padded)
            digests.append(fnv1a(pixels))
        }
        var camera = try EmulatedCamera(format: "GREY", width: Self.width, height: Self.height, payloads: payloads)
        defer { camera.remove() }
        camera.rowPadding = padding
        let result = try camera.stream(300)
        Self.expectFramesExact(result, digests, channels: 1, format: "GREY")
        #expect(result.frames.count == 300)
    }
}
