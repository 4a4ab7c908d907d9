@testable import Capture
import Testing

/// Which camera format Capture picks and what it asks libv4l2 for.
@Suite struct FormatNegotiationTests {
    /// What libv4l2 lists for a camera with `native` formats: those, then the formats
    /// libv4lconvert can make from them.
    static func offered(_ native: [PixelFormat]) -> [(format: PixelFormat, emulated: Bool)] {
        native.map { ($0, false) } + [.rgb24, PixelFormat(name: "BGR3")!]
            .filter { !native.contains($0) }.map { ($0, true) }
    }

    @Test func prefersMonochromeThenMJPEGThenYUYV() throws {
        let cases: [([PixelFormat], PixelFormat, PixelFormat)] = [
            ([.yuyv, .mjpeg, .grey], .grey, .grey),
            ([.yuyv, .y16], .y16, .y16),
            ([.yuyv, .mjpeg], .mjpeg, .mjpeg),
            ([.yuyv], .yuyv, .rgb24),  // converted by libv4lconvert
            ([PixelFormat(name: "BA81")!], PixelFormat(name: "BA81")!, .rgb24),  // Bayer, likewise
        ]
        for (native, camera, request) in cases {
            let plan = try V4L2Stream.negotiate(Self.offered(native), requested: nil, path: "/dev/video0")
            #expect(plan.camera == camera && plan.request == request, "\(native)")
        }
    }

    @Test func honoursAnExplicitFormatOrNamesWhatIsOffered() throws {
        let plan = try V4L2Stream.negotiate(Self.offered([.grey, .yuyv]), requested: .yuyv, path: "/dev/video3")
        #expect(plan.camera == .yuyv && plan.request == .rgb24)
        #expect(throws: V4L2Error.formatUnsupported(path: "/dev/video3", requested: "MJPG", available: ["GREY", "YUYV"])) {
            try V4L2Stream.negotiate(Self.offered([.grey, .yuyv]), requested: .mjpeg, path: "/dev/video3")
        }
    }

    @Test func parsesFormatNames() {
        #expect(PixelFormat(name: "GREY") == .grey)
        #expect(PixelFormat(name: "y16") == .y16)
        #expect(PixelFormat(name: "RGB24") == .rgb24)
        #expect(PixelFormat(name: "MJPEG") == .mjpeg)
        #expect(PixelFormat(name: "MJPG")?.description == "MJPG")
        #expect(PixelFormat.y16.description == "Y16")
        #expect(PixelFormat(name: "TOOLONG") == nil)
    }
}
