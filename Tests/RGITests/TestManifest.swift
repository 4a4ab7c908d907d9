@testable import RGI

extension Manifest {
    /// A manifest for a generator of `spec`, with placeholder provenance and thresholds.
    static func forTests(spec: GeneratorSpec) -> Manifest {
        var options = TrainingOptions()
        options.tile = spec.tile
        return Manifest(
            formatVersion: 1, product: "p", modelVersion: "p-1", created: "2026-11-25T00:00:00Z",
            architecture: .init(kind: "dcgan-tile", generator: spec), normalization: "x / 127.5 - 1",
            solver: SolverSettings(), thresholds: Thresholds(pixel: 0.1, minArea: 4, image: 0.2),
            calibration: ["rgi": Thresholds(pixel: 0.3, minArea: 4, image: 0.4)],
            training: .init(dataFolder: "d", dataHash: "h", images: 1, holdoutImages: 0, imageWidth: spec.tile, imageHeight: spec.tile,
                            steps: 0, seconds: 0, tilesPerSecond: 0, finalReconstructionL1: 0, holdoutReconstructionL1: nil,
                            options: options),
            files: .init())
    }
}
