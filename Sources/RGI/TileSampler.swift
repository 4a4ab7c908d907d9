import Engine

/// Draws training batches: random tile-sized crops of random training images, each flipped
/// horizontally and/or vertically at random. Every crop position is a new sample, which is why a
/// couple of hundred good images are enough for a tile model of a stationary texture.
public struct TileSampler {
    public let items: [TrainingImages.Item]
    public let channels: Int
    public let tile: Int
    public var flips: Bool

    public init(items: [TrainingImages.Item], channels: Int, tile: Int, flips: Bool = true) {
        precondition(!items.isEmpty, "no training images")
        self.items = items; self.channels = channels; self.tile = tile; self.flips = flips
    }

    /// Fills `batch` ([B, C, tile, tile]) with fresh crops.
    public func fill(_ batch: Tensor, rng: inout SeededGenerator) {
        let s = batch.shape
        precondition(s.c == channels && s.h == tile && s.w == tile, "batch \(s) for \(channels)×\(tile)×\(tile) tiles")
        let t = tile
        for b in 0..<s.n {
            let item = items[Int(rng.next() % UInt64(items.count))]
            let x0 = Int(rng.next() % UInt64(item.width - t + 1)), y0 = Int(rng.next() % UInt64(item.height - t + 1))
            let flipX = flips && rng.next() & 1 == 1, flipY = flips && rng.next() & 1 == 1
            item.planes.withUnsafeBufferPointer { src in
                for c in 0..<channels {
                    let plane = src.baseAddress! + c * item.width * item.height
                    let dst = batch.data + ((b * channels + c) * t) * t
                    for y in 0..<t {
                        let sy = y0 + (flipY ? t - 1 - y : y)
                        let row = plane + sy * item.width + x0
                        let out = dst + y * t
                        if flipX { for x in 0..<t { out[x] = row[t - 1 - x] } } else { out.update(from: row, count: t) }
                    }
                }
            }
        }
    }
}
