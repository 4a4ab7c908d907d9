/// The GEMMs of a convolution work on channel-major matrices `[C, B·H·W]` (all images side by
/// side), while tensors are NCHW. These two copies convert between the layouts; with batch 1 they
/// are plain copies.

/// A channel-wise loop over a `[B, C, S]` tensor and a second buffer.
struct ChannelJob {
    let src: UnsafePointer<Float>
    let dst: UnsafeMutablePointer<Float>
    let extra: UnsafePointer<Float>?
    let batch: Int
    let channels: Int
    let spatial: Int
}

/// `dst[c, b·S + i] = src[b, c, i]` for a `[B, C, S]` source.
func nchwToChannelMajor(_ src: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                        _ dst: UnsafeMutablePointer<Float>) {
    let job = ChannelJob(src: src, dst: dst, extra: nil, batch: batch, channels: channels, spatial: spatial)
    parallelFor(channels, job) { raw, c in
        let j = raw.load(as: ChannelJob.self), ld = j.batch * j.spatial
        for b in 0..<j.batch {
            (j.dst + c * ld + b * j.spatial).update(from: j.src + (b * j.channels + c) * j.spatial, count: j.spatial)
        }
    }
}

/// `dst[b, c, i] = src[c, b·S + i] + bias[c]`; bias may be nil.
func channelMajorToNCHW(_ src: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                        bias: UnsafePointer<Float>?, _ dst: UnsafeMutablePointer<Float>) {
    let job = ChannelJob(src: src, dst: dst, extra: bias, batch: batch, channels: channels, spatial: spatial)
    parallelFor(channels, job) { raw, c in
        let j = raw.load(as: ChannelJob.self), ld = j.batch * j.spatial
        for b in 0..<j.batch {
            let to = j.dst + (b * j.channels + c) * j.spatial
            let from = j.src + c * ld + b * j.spatial
            if let bias = j.extra {
                let v = bias[c]
                for i in 0..<j.spatial { to[i] = from[i] + v }
            } else {
                to.update(from: from, count: j.spatial)
            }
        }
    }
}

/// `grad[c] += Σ_b Σ_i dy[b, c, i]`: the bias gradient of a convolution.
func accumulateChannelSums(_ dy: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                           into grad: UnsafeMutablePointer<Float>) {
    let job = ChannelJob(src: dy, dst: grad, extra: nil, batch: batch, channels: channels, spatial: spatial)
    parallelFor(channels, job) { raw, c in
        let j = raw.load(as: ChannelJob.self)
        var sum: Float = 0
        for b in 0..<j.batch {
            let p = j.src + (b * j.channels + c) * j.spatial
            for i in 0..<j.spatial { sum += p[i] }
        }
        j.dst[c] += sum
    }
}
