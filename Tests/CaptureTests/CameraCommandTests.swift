import Capture
import Foundation
import Imaging
import Testing

/// The real `rgictl camera` commands against the emulated device.
@Suite struct CameraCommandTests {
    @Test func listFindsTheDeviceNode() throws {
        let camera = try EmulatedCamera(format: "GREY", width: 32, height: 24, payloads: [Payloads.noise(32 * 24, seed: 1)])
        defer { camera.remove() }
        let result = try camera.run("rgictl", ["camera", "list", "--devices", camera.folder.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\(camera.devicePath)\tRGI emulated camera\tdriver rgi-emu"))
        #expect(result.stdout.contains("\tcapture"))
    }

    @Test func probeShowsFormatsSizesRatesAndControls() throws {
        var camera = try EmulatedCamera(format: "YUYV", width: 32, height: 24, payloads: [Payloads.noise(32 * 24 * 2, seed: 1)])
        defer { camera.remove() }
        camera.fps = 60
        let result = try camera.run("rgictl", ["camera", "probe", camera.devicePath, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let info = try JSONDecoder().decode(CameraInfo.self, from: Data(result.stdout.utf8))
        #expect(info.driver == "rgi-emu" && info.canCapture)
        let native = info.formats.filter { !$0.emulated }
        #expect(native.map(\.fourcc) == ["YUYV"])
        #expect(native.first?.modes.map { "\($0.width)x\($0.height) \($0.framesPerSecond)" } == ["32x24 [60.0, 30.0]"])
        // libv4lconvert adds what it can convert YUYV into.
        #expect(info.formats.contains { $0.emulated && $0.fourcc == "RGB3" })
        #expect(info.controls.map(\.name) == ["Gain", "Exposure Time, Absolute"])
        #expect(info.controls.last?.value == 100)
    }

    @Test func grabSavesAnExactFrame() throws {
        let (payload, expected) = try Payloads.make(format: "YUYV", width: 32, height: 24, index: 0)
        let camera = try EmulatedCamera(format: "YUYV", width: 32, height: 24, payloads: [payload])
        defer { camera.remove() }
        let output = camera.folder.appendingPathComponent("frame.png").path
        let result = try camera.run("rgictl", ["camera", "grab", camera.devicePath, "-o", output, "--skip", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("saved 32x24 RGB frame (camera format YUYV"))
        let image = try PNG.read(output)
        #expect(image.width == 32 && image.height == 24 && image.channels == 3)
        #expect(image.pixels == expected)
    }

    @Test func grabFromAMissingDeviceFailsNamingIt() throws {
        var camera = try EmulatedCamera(format: "GREY", width: 32, height: 24, payloads: [Payloads.noise(32 * 24, seed: 1)])
        defer { camera.remove() }
        camera.absentMilliseconds = 60_000
        let output = camera.folder.appendingPathComponent("frame.png").path
        let result = try camera.run("rgictl", ["camera", "grab", camera.devicePath, "-o", output, "--timeout", "0.5"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(camera.devicePath): no frame within 0.5 s (camera disconnected"))
        #expect(result.stderr.contains("no such device"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
