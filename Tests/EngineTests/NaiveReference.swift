/// Straightforward Float64 loop implementations of each layer's forward pass: the independent
/// reference the engine is checked against (outputs directly, gradients by finite differences).
enum Naive {
    /// x [B, Cin, H, W], w [Cout, Cin, K, K] → [B, Cout, OH, OW]
    static func conv2d(_ x: [Double], b: Int, cin: Int, h: Int, w: Int, weight: [Double], bias: [Double]?,
                       cout: Int, k: Int, stride: Int, pad: Int) -> [Double] {
        let oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1
        var y = [Double](repeating: 0, count: b * cout * oh * ow)
        for n in 0..<b { for o in 0..<cout { for oy in 0..<oh { for ox in 0..<ow {
            var s = bias?[o] ?? 0
            for c in 0..<cin { for ky in 0..<k { for kx in 0..<k {
                let iy = oy * stride - pad + ky, ix = ox * stride - pad + kx
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                s += x[((n * cin + c) * h + iy) * w + ix] * weight[((o * cin + c) * k + ky) * k + kx]
            } } }
            y[((n * cout + o) * oh + oy) * ow + ox] = s
        } } } }
        return y
    }

    /// x [B, Cin, H, W], w [Cin, Cout, K, K] → [B, Cout, (H−1)s−2p+K, …], by scattering each input pixel.
    static func convTranspose2d(_ x: [Double], b: Int, cin: Int, h: Int, w: Int, weight: [Double], bias: [Double]?,
                                cout: Int, k: Int, stride: Int, pad: Int) -> [Double] {
        let oh = (h - 1) * stride - 2 * pad + k, ow = (w - 1) * stride - 2 * pad + k
        var y = [Double](repeating: 0, count: b * cout * oh * ow)
        for n in 0..<b { for c in 0..<cin { for iy in 0..<h { for ix in 0..<w {
            let v = x[((n * cin + c) * h + iy) * w + ix]
            for o in 0..<cout { for ky in 0..<k { for kx in 0..<k {
                let oy = iy * stride - pad + ky, ox = ix * stride - pad + kx
                guard oy >= 0, oy < oh, ox >= 0, ox < ow else { continue }
                y[((n * cout + o) * oh + oy) * ow + ox] += v * weight[((c * cout + o) * k + ky) * k + kx]
            } } }
        } } } }
        if let bias {
            for n in 0..<b { for o in 0..<cout { for i in 0..<(oh * ow) { y[(n * cout + o) * oh * ow + i] += bias[o] } } }
        }
        return y
    }

    static func linear(_ x: [Double], b: Int, inF: Int, outF: Int, weight: [Double], bias: [Double]?) -> [Double] {
        var y = [Double](repeating: 0, count: b * outF)
        for n in 0..<b { for o in 0..<outF {
            var s = bias?[o] ?? 0
            for i in 0..<inF { s += x[n * inF + i] * weight[o * inF + i] }
            y[n * outF + o] = s
        } }
        return y
    }

    /// Training-mode batch norm (batch statistics, biased variance).
    static func batchNormTrain(_ x: [Double], b: Int, c: Int, spatial: Int, gamma: [Double], beta: [Double], eps: Double) -> [Double] {
        var y = x
        let n = Double(b * spatial)
        for ch in 0..<c {
            var mean = 0.0
            for s in 0..<b { for i in 0..<spatial { mean += x[(s * c + ch) * spatial + i] } }
            mean /= n
            var v = 0.0
            for s in 0..<b { for i in 0..<spatial { let d = x[(s * c + ch) * spatial + i] - mean; v += d * d } }
            v /= n
            for s in 0..<b { for i in 0..<spatial {
                let j = (s * c + ch) * spatial + i
                y[j] = gamma[ch] * (x[j] - mean) / (v + eps).squareRoot() + beta[ch]
            } }
        }
        return y
    }

    static func batchNormEval(_ x: [Double], b: Int, c: Int, spatial: Int, gamma: [Double], beta: [Double],
                              mean: [Double], variance: [Double], eps: Double) -> [Double] {
        var y = x
        for s in 0..<b { for ch in 0..<c { for i in 0..<spatial {
            let j = (s * c + ch) * spatial + i
            y[j] = gamma[ch] * (x[j] - mean[ch]) / (variance[ch] + eps).squareRoot() + beta[ch]
        } } }
        return y
    }
}
