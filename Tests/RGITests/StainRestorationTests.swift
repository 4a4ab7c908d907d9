import Engine
import Foundation
import Testing
@testable import RGI

/// A stain y = a·c restored by its gain: the part's own texture comes back where a fill could only
/// guess it, and what is not a stain is left to the fill.
@Suite struct StainRestorationTests {
    static let side = 96
    static let centre = 48
    static let radius = 14

    /// A textured part in [-1, 1]: smoothed noise about mid-grey with grain of its own.
    static func texture() -> [Float] {
        var rng = SeededGenerator(seed: 21)
        let noise = (0..<(side * side)).map { _ in rng.normal() }
        let smooth = GaussianBlur.apply(noise, width: side, height: side, sigma: 1.2)
        return smooth.map { min(max(0.6 * $0, -0.8), 0.8) }
    }

    static func disk(radius r: Int) -> [Bool] {
        (0..<(side * side)).map { i in
            let dx = i % side - centre, dy = i / side - centre
            return dx * dx + dy * dy <= r * r
        }
    }

    /// The clean part, a frame with `region` changed by `change`, and a restoration that knows the
    /// part's local brightness but not its texture (the clean part blurred) inside an area 3 px short of
    /// the region's rim, as the texture score's extent falls short of a stain's.
    static func scene(change: (Float) -> Float) -> (clean: [Float], frame: [Float], restored: [Float], restoring: [Bool], stain: [Bool]) {
        let clean = texture(), stain = disk(radius: radius), restoring = disk(radius: radius - 3)
        let frame = clean.indices.map { stain[$0] ? change(clean[$0]) : clean[$0] }
        let fill = GaussianBlur.apply(clean, width: side, height: side, sigma: 4)
        let restored = clean.indices.map { restoring[$0] ? fill[$0] : frame[$0] }
        return (clean, frame, restored, restoring, stain)
    }

    static func meanSquaredError(_ a: [Float], _ b: [Float], at mask: [Bool]) -> Float {
        let pixels = mask.indices.filter { mask[$0] }
        return pixels.reduce(Float(0)) { $0 + (a[$1] - b[$1]) * (a[$1] - b[$1]) } / Float(pixels.count)
    }

    @Test func aStainIsRestoredByItsGainUpToItsRim() {
        // Intensity halved: y = 0.5 c in [0, 1].
        let s = Self.scene { ((($0 + 1) / 2) * 0.5) * 2 - 1 }
        let out = StainRestoration.apply(planes: s.frame, restored: s.restored, restoring: s.restoring, mask: s.restoring,
                                         width: Self.side, height: Self.side, channels: 1)
        let inside = s.stain.indices.filter { s.stain[$0] }
        let reached = inside.filter { out.corrected[$0] }.count
        #expect(Double(reached) >= 0.9 * Double(inside.count), "corrected \(reached) of the stain's \(inside.count) pixels")
        let outside = s.stain.indices.filter { !s.stain[$0] && out.corrected[$0] }.count
        #expect(Double(outside) <= 0.1 * Double(inside.count), "\(outside) pixels outside the stain corrected")
        let fill = Self.meanSquaredError(s.restored, s.clean, at: s.stain)
        let gain = Self.meanSquaredError(out.planes, s.clean, at: s.stain)
        // 6 dB better than the fill over the whole stain, rim included (the gain is read off a fill
        // that knows only the local brightness, and a few rim pixels stay stained).
        #expect(gain * 4 < fill, "mean squared error in the stain: by gain \(gain), by the fill \(fill)")
    }

    @Test func aFlatDarkPatchIsLeftToTheFill() {
        // A hole: dark and without the part's grain.
        let s = Self.scene { _ in -0.6 }
        let out = StainRestoration.apply(planes: s.frame, restored: s.restored, restoring: s.restoring, mask: s.restoring,
                                         width: Self.side, height: Self.side, channels: 1)
        #expect(!out.corrected.contains(true))
        #expect(out.planes == s.restored)
    }

    @Test func aRegionAsBrightAsItsRestorationIsLeftToTheFill() {
        // Texture replaced by other texture at the same brightness: no gain to divide out.
        let other = Self.texture().reversed().map { $0 }
        let s = Self.scene { $0 }
        let frame = s.frame.indices.map { s.stain[$0] ? other[$0] : s.frame[$0] }
        let out = StainRestoration.apply(planes: frame, restored: s.restored, restoring: s.restoring, mask: s.restoring,
                                         width: Self.side, height: Self.side, channels: 1)
        #expect(!out.corrected.contains(true))
    }
}
