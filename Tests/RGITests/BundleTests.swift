import Engine
import Foundation
import Testing
@testable import RGI

@Suite struct BundleTests {
    func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "rgi-bundle-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func makeBundle(at path: String) -> ModelBundle {
        let spec = GeneratorSpec(latent: 8, tile: 16, channels: 1, baseWidth: 4)
        let networks = Networks(spec: spec, seed: 3)
        let manifest = Manifest.forTests(spec: spec)
        return ModelBundle(manifest: manifest, path: path, generator: networks.generator, encoder: networks.encoder,
                           discriminator: networks.discriminator)
    }

    @Test func saveAndLoadReproduceTheNetworks() throws {
        let path = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bundle = makeBundle(at: path)
        try bundle.save()
        let loaded = try ModelBundle.load(from: path)
        #expect(loaded.manifest == bundle.manifest)
        let z = Tensor(Shape(2, 8))
        var rng = SeededGenerator(seed: 1)
        rng.fillNormal(z.data, count: z.count)
        #expect(loaded.generator.forward(z, training: false).toArray() == bundle.generator.forward(z, training: false).toArray())
        let x = Tensor(Shape(2, 1, 16, 16))
        rng.fillNormal(x.data, count: x.count)
        // σ is recomputed from the saved u, v (uᵀWv), which can differ from the running value in the last bits.
        for (a, b) in zip(loaded.discriminator.forward(x, training: false).toArray(), bundle.discriminator.forward(x, training: false).toArray()) {
            #expect(abs(a - b) <= 1e-5 * max(1, abs(b)))
        }
        #expect(loaded.manifest.thresholds(for: .rgi, score: .residual).image == 0.4)
        #expect(loaded.manifest.thresholds(for: .inversion, score: .residual).image == 0.2, "modes without calibration fall back")
    }

    @Test func aBundleFromBeforeTheTextureCriticLoadsWithAWarning() throws {
        let path = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try makeBundle(at: path).save()
        #expect(try ModelBundle.load(from: path).warnings.isEmpty)
        // The Gaussians older bundles kept under `texture`: ignored, and the operator is told so.
        let manifestPath = path + "/manifest.json"
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as! [String: Any]
        json["texture"] = ["sigmas": [2, 4, 8], "channels": 1, "gaussians": [] as [Any]]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: manifestPath))
        let old = try ModelBundle.load(from: path)
        #expect(old.manifest.textureCritic == nil)
        #expect(old.warnings.count == 1 && old.warnings[0].contains("rgictl calibrate --model \(path)"), "\(old.warnings)")
    }

    @Test func brokenBundlesNameTheFileAndField() throws {
        let path = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ModelBundle.LoadError.self) { try ModelBundle.load(from: path) }
        try makeBundle(at: path).save()
        let manifestPath = path + "/manifest.json"
        let good = try String(contentsOfFile: manifestPath, encoding: .utf8)

        try good.replacingOccurrences(of: "\"tile\" : 16", with: "\"tile\" : 24").write(toFile: manifestPath, atomically: true, encoding: .utf8)
        #expect(String(describing: try error { try ModelBundle.load(from: path) }).contains("architecture.generator: tile size 24"))

        try good.replacingOccurrences(of: "\"product\"", with: "\"produce\"").write(toFile: manifestPath, atomically: true, encoding: .utf8)
        #expect(String(describing: try error { try ModelBundle.load(from: path) }).contains("missing field 'product'"))

        try good.write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let weights = path + "/generator.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: weights))
        #expect(String(describing: try error { try ModelBundle.load(from: path) }).contains("generator.safetensors"))
    }

    /// A critic whose trees or units do not fit would stop inspection at the first frame: the bundle
    /// is refused when it loads, naming the field.
    @Test func aCorruptTextureCriticIsRefusedWhenTheBundleLoads() throws {
        let path = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var bundle = makeBundle(at: path)
        var rng = SeededGenerator(seed: 5)
        let images = (0..<3).map { _ in TrainingImages.Item(path: "noise", width: 16, height: 16, planes: (0..<256).map { _ in 0.3 * rng.normal() }) }
        var settings = TextureCritic.treeSettings
        settings.trees = 3
        var critic = try TextureCritic.fit(images: images, channels: 1, cropsPerImage: 1, settings: settings)
        try critic.rescale(on: images)
        bundle.manifest.textureCritic = critic
        try bundle.save()
        #expect(try ModelBundle.load(from: path).manifest.textureCritic == critic)

        let manifestPath = path + "/manifest.json"
        let good = try Data(contentsOf: URL(fileURLWithPath: manifestPath))
        func loadEdited(_ edit: (inout [String: Any]) -> Void) throws -> String {
            var json = try JSONSerialization.jsonObject(with: good) as! [String: Any]
            var critic = json["texture_critic"] as! [String: Any]
            edit(&critic)
            json["texture_critic"] = critic
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: manifestPath))
            return String(describing: try error { try ModelBundle.load(from: path) })
        }
        let badFeature = try loadEdited { critic in
            var trees = critic["trees"] as! [String: Any], list = trees["trees"] as! [[String: Any]]
            var features = list[0]["feature"] as! [Int]
            features[0] = 999
            list[0]["feature"] = features; trees["trees"] = list; critic["trees"] = trees
        }
        let features = 4 * TextureFeatures.perScale(smoothSteps: true, nonUniformPatterns: true)
        #expect(badFeature.contains("texture_critic: trees.trees[0].feature is outside 0..<\(features)"), "\(badFeature)")
        let badBands = try loadEdited { critic in
            var scales = critic["edge_scales"] as! [[String: Any]]
            scales[1]["from_edge"] = 0
            critic["edge_scales"] = scales
        }
        #expect(badBands.contains("texture_critic: edge_scales must start from_edge 0 and ascend"), "\(badBands)")
        let badChannels = try loadEdited { $0["channels"] = 3 }
        #expect(badChannels.contains("texture_critic: channels 3 differ from the generator's 1"), "\(badChannels)")
        let badBlur = try loadEdited { $0["blur_sigma"] = -1 }
        #expect(badBlur.contains("texture_critic: blur_sigma must be 0 or positive"), "\(badBlur)")
        let badThin = try loadEdited { $0["thin_level"] = 0 }
        #expect(badThin.contains("texture_critic: thin_level must be positive"), "\(badThin)")
    }

    func error(_ body: () throws -> Void) throws -> Error {
        do { try body() } catch { return error }
        throw CancellationError()
    }
}
