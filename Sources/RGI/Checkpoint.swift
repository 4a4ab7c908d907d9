import Engine
import Foundation

/// The resumable training state, `checkpoint.safetensors` in the bundle folder: every network
/// (the EMA generator too) and every Adam moment, prefixed by owner, plus the step, the elapsed
/// time and the options in the metadata. Written atomically, so an interrupted training leaves
/// the previous checkpoint intact.
enum Checkpoint {
    static let fileName = "checkpoint.safetensors"

    static func tensors(_ t: Trainer) -> [NamedTensor] {
        let n = t.networks
        let groups: [(String, [NamedTensor])] = [
            ("generator.", n.generator.namedTensors), ("encoder.", n.encoder.namedTensors),
            ("discriminator.", n.discriminator.namedTensors), ("ema.", t.ema.namedTensors),
            ("adam_g.", t.optimizerG.state), ("adam_e.", t.optimizerE.state), ("adam_d.", t.optimizerD.state),
        ]
        return groups.flatMap { prefix, list in list.map { $0.prefixed(prefix) } }
    }

    static func save(_ t: Trainer, to path: String) throws {
        let options = String(decoding: try Manifest.encoder.encode(t.options), as: UTF8.self)
        try SafeTensorsWriter.write(tensors(t), to: path, metadata: [
            "step": String(t.step), "elapsed": String(t.elapsed), "options": options,
        ])
    }

    enum ResumeError: Error, CustomStringConvertible {
        case incompatible(path: String, field: String)
        var description: String {
            switch self {
            case let .incompatible(p, f): return "\(p): checkpoint was trained with a different \(f); resume with the same settings"
            }
        }
    }

    /// Loads a checkpoint into a trainer built with the same architecture options.
    static func restore(_ t: Trainer, from path: String) throws {
        let file = try SafeTensorsFile(contentsOf: path)
        if let saved = file.metadata["options"].flatMap({ try? Manifest.decoder.decode(TrainingOptions.self, from: Data($0.utf8)) }) {
            for (field, same) in [("tile size", saved.tile == t.options.tile), ("latent size", saved.latent == t.options.latent),
                                  ("width", saved.baseWidth == t.options.baseWidth), ("batch", saved.batch == t.options.batch)] where !same {
                throw ResumeError.incompatible(path: path, field: field)
            }
        }
        try file.load(into: tensors(t))
        try restoreSpectralVectors(t.networks.discriminator, from: file, prefix: "discriminator.")
        t.restore(step: Int(file.metadata["step"] ?? "0") ?? 0, elapsed: Double(file.metadata["elapsed"] ?? "0") ?? 0)
    }
}
