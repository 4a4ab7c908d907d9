/// The GEMMs of a convolution work on channel-major matrices `[C, B·H·W]` (all images side by
/// side), while tensors are NCHW. These two copies convert between the layouts; with batch 1 they
/// are plain copies.

/// `dst[c, b·S + i] = src[b, c, i]` for a `[B, C, S]` source.
func nchwToChannelMajor(_ src: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                        _ dst: UnsafeMutablePointer<Float>) {
    let ld = batch * spatial
    parallelFor(channels) { c in
        for b in 0..<batch {
            (dst + c * ld + b * spatial).update(from: src + (b * channels + c) * spatial, count: spatial)
        }
    }
}

/// `dst[b, c, i] = src[c, b·S + i] + bias[c]`; bias may be nil.
func channelMajorToNCHW(_ src: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                        bias: UnsafePointer<Float>?, _ dst: UnsafeMutablePointer<Float>) {
    let ld = batch * spatial
    parallelFor(channels) { c in
        for b in 0..<batch {
            let to = dst + (b * channels + c) * spatial
            let from = src + c * ld + b * spatial
            if let bias {
                let v = bias[c]
                for i in 0..<spatial { to[i] = from[i] + v }
            } else {
                to.update(from: from, count: spatial)
            }
        }
    }
}

/// `grad[c] += Σ_b Σ_i dy[b, c, i]`: the bias gradient of a convolution.
func accumulateChannelSums(_ dy: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                           into grad: UnsafeMutablePointer<Float>) {
    parallelFor(channels) { c in
        var sum: Float = 0
        for b in 0..<batch {
            let p = dy + (b * channels + c) * spatial
            for i in 0..<spatial { sum += p[i] }
        }
        grad[c] += sum
    }
}
