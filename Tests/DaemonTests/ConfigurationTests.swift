import Foundation
import RGI
import Testing
@testable import Daemon

/// Configuration files: every error names the file, the line and the field.
struct ConfigurationTests {
    static let valid = """
        [daemon]
        product = "brick"
        control_socket = "run/rgid.sock"   # relative to the file's folder

        [camera]
        source = "v4l2"
        device = "/dev/video2"
        format = "GREY"
        width = 1280
        height = 1024
        fps = 30

        [reports]
        folder = "/var/lib/rgid/reports"
        max_bytes = 10_000_000
        max_age_days = 7

        [products.brick]
        model = "models/brick"
        roi = [10, 20, 640, 480]
        overlap = 16
        threshold = 0.5
        min_area = 12
        time_budget_ms = 250

        [products.brick.solver]
        mode = "rgi"
        steps = 10
        score = "texture"
        restore_steps = 3
        """

    @Test func readsEveryKeyOfAValidFile() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("rgid.toml", Self.valid)
        let c = try DaemonConfiguration.load(file)
        #expect(c.product == "brick")
        #expect(c.controlSocket == folder.path + "/run/rgid.sock")
        guard case .v4l2(let v4l2) = c.camera.source else { Issue.record("not a v4l2 camera"); return }
        #expect(v4l2.path == "/dev/video2" && v4l2.pixelFormat?.description == "GREY")
        #expect(v4l2.size?.width == 1280 && v4l2.framesPerSecond == 30)
        #expect(c.reports.maxBytes == 10_000_000 && c.reports.maxAge == .seconds(7 * 86_400))
        let brick = try #require(c.product(named: "brick"))
        #expect(brick.model == folder.path + "/models/brick")
        #expect(brick.roi == RegionOfInterest(x: 10, y: 20, width: 640, height: 480))
        #expect(brick.overlap == 16 && brick.threshold == 0.5 && brick.minArea == 12)
        #expect(brick.timeBudget == .milliseconds(250))
        #expect(brick.solver.mode == .rgi && brick.solver.steps == 10 && brick.solver.score == .texture)
        #expect(brick.solver.restoreSteps == 3)
    }

    @Test(arguments: [
        // (replace, with, expected message)
        ("fps = 30", "fps = -3", "rgid.toml:11: camera.fps: must be between 0.1 and 10000, not -3"),
        ("fps = 30", "fps = \"30\"", "rgid.toml:11: camera.fps: must be a number, not a string"),
        ("fps = 30", "fsp = 30", "rgid.toml:11: camera.fsp: unknown key in [camera]"),
        ("mode = \"rgi\"", "mode = \"magic\"", "rgid.toml:27: products.brick.solver.mode: must be one of \"inversion\", \"rgi\", \"r-rgi\", not \"magic\""),
        ("score = \"texture\"", "score = \"pixels\"", "rgid.toml:29: products.brick.solver.score: must be one of \"residual\", \"texture\", \"combined\", not \"pixels\""),
        ("roi = [10, 20, 640, 480]", "roi = [10, 20, 640]", "rgid.toml:20: products.brick.roi: must hold 4 integers, not 3"),
        ("source = \"v4l2\"", "source = \"usb\"", "rgid.toml:6: camera.source: must be \"v4l2\" or \"replay\", not \"usb\""),
        ("product = \"brick\"", "product = \"grass\"", "rgid.toml:2: daemon.product: 'grass' is not a configured product (defined: brick)"),
        ("model = \"models/brick\"", "", "rgid.toml:18: products.brick.model: is required"),
        ("max_bytes = 10_000_000", "max_bytes = 10__000", "rgid.toml:15: '10__000' is not a valid value (strings need quotes; dates are not supported)"),
        ("steps = 10", "steps = 10\nsteps = 11", "rgid.toml:29: key 'steps' is defined twice (first on line 28)"),
        ("[reports]", "[camera]", "rgid.toml:13: table [camera] is defined twice (first on line 5)"),
        ("device = \"/dev/video2\"", "device = \"/dev/video2", "rgid.toml:7: string is not closed on its line"),
    ])
    func namesFileLineAndField(replace: String, with replacement: String, message: String) throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("rgid.toml", Self.valid.replacingOccurrences(of: replace, with: replacement))
        do {
            _ = try DaemonConfiguration.load(file)
            Issue.record("accepted: \(replacement)")
        } catch {
            #expect(error.description == folder.path + "/" + message)
        }
    }

    /// The documented example and the demo configuration stay valid.
    @Test(arguments: ["rgid.toml", "demo.toml"])
    func shippedConfigurationsAreValid(name: String) throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../config/" + name).standardizedFileURL.path
        let c = try DaemonConfiguration.load(file)
        #expect(c.product(named: c.product) != nil)
    }

    @Test func productFilesAddProductsAndRefuseDuplicates() throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path + "/products", withIntermediateDirectories: true)
        _ = try folder.write("products/grass.toml", "model = \"../models/grass\"\nmin_area = 4\n")
        let file = try folder.write("rgid.toml", Self.valid.replacingOccurrences(
            of: "control_socket", with: "product_files = \"products\"\ncontrol_socket"))
        let c = try DaemonConfiguration.load(file)
        #expect(c.products.map(\.name) == ["brick", "grass"])
        #expect(c.product(named: "grass")?.model == folder.path + "/models/grass")

        _ = try folder.write("products/brick.toml", "model = \"x\"\ncolour = 1\n")
        #expect(throws: ConfigError(file: folder.path + "/products/brick.toml", line: 2, field: "colour", reason: "unknown key")) {
            try DaemonConfiguration.load(file)
        }
        _ = try folder.write("products/brick.toml", "model = \"x\"\n")
        #expect(throws: ConfigError.self) { try DaemonConfiguration.load(file) }
    }

    @Test func tilingIsCheckedAgainstTheModel() throws {
        var product = ProductConfiguration(name: "brick", model: "/m", origin: "/etc/rgid.toml:18")
        product.tile = 32
        product.overlap = 8
        #expect(throws: ConfigError(file: "/etc/rgid.toml", line: 18, field: "products.brick.tile",
                                    reason: "32 differs from the model's tile size 16 (/m)")) {
            try product.settings(base: SolverSettings(), modelTile: 16)
        }
        #expect(try product.settings(base: SolverSettings(), modelTile: 32).stride == 24)
        product.overlap = 32
        #expect(throws: ConfigError.self) { try product.settings(base: SolverSettings(), modelTile: 32) }
    }
}
