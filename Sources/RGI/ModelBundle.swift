import Engine
import Foundation

/// A product model on disk, `models/<product>/`: `manifest.json`, `generator.safetensors`,
/// `encoder.safetensors`, `discriminator.safetensors` (+ `checkpoint.safetensors` while
/// training, `samples.png`, `reconstructions.png`). Loading validates everything and names the
/// file and field at fault.
public struct ModelBundle {
    public let path: String
    public var manifest: Manifest
    public let generator: Sequential
    public let encoder: Sequential
    public let discriminator: Sequential
    /// Why the bundle inspects less well than it could, one sentence each (empty for a current bundle).
    public private(set) var warnings: [String] = []

    public enum LoadError: Error, CustomStringConvertible {
        case missing(String)
        case manifest(path: String, reason: String)
        case unsupportedFormat(path: String, version: Int)
        case weights(SafeTensorsError)

        public var description: String {
            switch self {
            case .missing(let p): return "\(p): no such file (is this a model bundle folder?)"
            case let .manifest(p, r): return "\(p): \(r)"
            case let .unsupportedFormat(p, v): return "\(p): format_version \(v) is not supported (this build reads \(Manifest.currentFormat))"
            case .weights(let e): return e.description
            }
        }
    }

    public init(manifest: Manifest, path: String, generator: Sequential, encoder: Sequential, discriminator: Sequential) {
        self.manifest = manifest; self.path = path
        self.generator = generator; self.encoder = encoder; self.discriminator = discriminator
    }

    public static func load(from path: String) throws -> ModelBundle {
        let manifestPath = (path as NSString).appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: manifestPath) else { throw LoadError.missing(manifestPath) }
        let manifest: Manifest
        do {
            manifest = try Manifest.decoder.decode(Manifest.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw LoadError.manifest(path: manifestPath, reason: "missing field '\(fieldPath(ctx.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw LoadError.manifest(path: manifestPath, reason: "field '\(fieldPath(ctx.codingPath))' has the wrong type")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw LoadError.manifest(path: manifestPath, reason: ctx.codingPath.isEmpty ? "not valid JSON" : "field '\(fieldPath(ctx.codingPath))': \(ctx.debugDescription)")
        } catch {
            throw LoadError.manifest(path: manifestPath, reason: "\(error)")
        }
        guard manifest.formatVersion == Manifest.currentFormat else {
            throw LoadError.unsupportedFormat(path: manifestPath, version: manifest.formatVersion)
        }
        do { try manifest.architecture.generator.validate() } catch {
            throw LoadError.manifest(path: manifestPath, reason: "architecture.generator: \(error)")
        }
        do { try manifest.textureCritic?.validate(channels: manifest.architecture.generator.channels) } catch {
            throw LoadError.manifest(path: manifestPath, reason: "texture_critic: \(error)")
        }
        let networks = Networks(spec: manifest.architecture.generator, seed: 0)
        do {
            for (file, net) in [(manifest.files.generator, networks.generator), (manifest.files.encoder, networks.encoder),
                                (manifest.files.discriminator, networks.discriminator)] {
                let weights = try SafeTensorsFile(contentsOf: (path as NSString).appendingPathComponent(file))
                try weights.load(into: net.namedTensors)
                try restoreSpectralVectors(net, from: weights, prefix: "")
            }
        } catch let e as SafeTensorsError {
            throw LoadError.weights(e)
        }
        var bundle = ModelBundle(manifest: manifest, path: path, generator: networks.generator, encoder: networks.encoder,
                                 discriminator: networks.discriminator)
        // Bundles from before the texture critic carry Gaussians under `texture`, which this build ignores.
        let keys = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]).map { Set($0.keys) } ?? []
        if manifest.textureCritic == nil && keys.contains("texture") {
            bundle.warnings.append("its texture model is from an earlier version and is ignored, so it scores the residual only; "
                                   + "give it a texture critic with `rgictl calibrate --model \(path) --data GOOD_IMAGES --holdout 0.15`")
        }
        return bundle
    }

    private static func fieldPath(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    /// Writes the manifest and weights (F32, or F16 with `half`) into `path`, each file atomically.
    public func save(half: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let dtype: SafeTensorsDType = half ? .f16 : .f32
        let meta = ["format": "pt", "model_version": manifest.modelVersion]
        try SafeTensorsWriter.write(generator.namedTensors, to: file(manifest.files.generator), dtype: dtype, metadata: meta)
        try SafeTensorsWriter.write(encoder.namedTensors, to: file(manifest.files.encoder), dtype: dtype, metadata: meta)
        try SafeTensorsWriter.write(discriminator.namedTensors, to: file(manifest.files.discriminator), dtype: dtype, metadata: meta)
        try saveManifest()
    }

    /// Rewrites only `manifest.json` (after recalibration), atomically.
    public func saveManifest() throws {
        try Manifest.encoder.encode(manifest).write(to: URL(fileURLWithPath: file("manifest.json")), options: .atomic)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// Spectral-norm layers keep their power-iteration vectors in `weight_u`/`weight_v`; after the
/// tensors are loaded, the layers re-derive their normalised weights from them.
func restoreSpectralVectors(_ net: Sequential, from file: SafeTensorsFile, prefix: String) throws {
    for (i, layer) in net.layers.enumerated() {
        guard let sn = layer as? SpectralNorm else { continue }
        let u = try file.floats("\(prefix)\(i).weight_u"), v = try file.floats("\(prefix)\(i).weight_v")
        sn.restoreVectors(u: u, v: v)
    }
}
