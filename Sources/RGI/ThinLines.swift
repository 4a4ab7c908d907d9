/// Evidence of a defect thinner than a few pixels — a scratch, a crack — which the texture
/// statistics' windows (σ up to 8 px) draw as a blob: how far each pixel stands from the median of
/// its 5×5 neighbourhood. A line up to 2 px wide vanishes from that median, while a step edge and a
/// smooth slope keep theirs, so on a texture of edges, such as gravel's stones, thin structures stand
/// out and the rest does not (docs/METHOD.md, "Shaping thin defects").
public enum ThinLines {
    /// Side of the median's window: a line up to (window − 1) / 2 pixels wide is missing from it.
    public static let window = 5

    /// Per pixel where `within` is set (every pixel without it; 0 elsewhere), the largest over the
    /// channels of |value − the window's median|, with mirrored borders (edge pixel not repeated).
    public static func evidence(_ planes: [Float], width: Int, height: Int, channels: Int, within: [Bool]? = nil) -> [Float] {
        let plane = width * height
        precondition(planes.count == plane * channels && (within?.count ?? plane) == plane, "planes do not match \(width)×\(height)×\(channels)")
        let mirror = GaussianBlur.mirrorSkippingEdge
        let half = window / 2
        var out = [Float](repeating: 0, count: plane)
        var neighbourhood = [Float](repeating: 0, count: window * window)
        for i in 0..<plane where within?[i] ?? true {
            let x = i % width, y = i / width
            for c in 0..<channels {
                let base = c * plane
                var k = 0
                for dy in -half...half {
                    let row = base + mirror(y + dy, height) * width
                    for dx in -half...half { neighbourhood[k] = planes[row + mirror(x + dx, width)]; k += 1 }
                }
                neighbourhood.sort()
                out[i] = max(out[i], abs(planes[base + i] - neighbourhood[neighbourhood.count / 2]))
            }
        }
        return out
    }
}
