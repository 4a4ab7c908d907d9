import Engine
import Foundation
import Testing
@testable import RGI

@Suite struct SyntheticDefectsTests {
    static let side = 64

    @Test(arguments: SyntheticDefects.Change.allCases)
    func aDefectChangesTheImageInsideItsMaskOnly(change: SyntheticDefects.Change) {
        var rng = SeededGenerator(seed: 11)
        let image = (0..<(Self.side * Self.side)).map { _ in 0.3 * rng.normal() }
        let donor = (0..<(Self.side * Self.side)).map { _ in 0.5 * rng.normal() }
        let (planes, mask) = SyntheticDefects.make(image, donor: donor, width: Self.side, height: Self.side, channels: 1,
                                                   change: change, rng: &rng)
        let area = mask.filter { $0 }.count
        #expect(area >= 8, "\(change): mask of \(area) pixels")
        #expect(area <= 2000 / 4 + 1 || change == .line, "\(change): a blob's area scales with the image")
        let near = DefectMask.dilated(mask, width: Self.side, height: Self.side, radius: 3)
        let changedInside = mask.indices.filter { mask[$0] && abs(planes[$0] - image[$0]) > 1e-3 }.count
        #expect(changedInside > area / 2, "\(change): only \(changedInside) of \(area) pixels changed")
        #expect(mask.indices.allSatisfy { near[$0] || planes[$0] == image[$0] }, "\(change): pixels away from the defect changed")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func foreignPatternTakesTheRegionsMeanAndContrast(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let image = (0..<(Self.side * Self.side)).map { _ in 0.2 + 0.1 * rng.normal() }
        let mask = SyntheticDefects.blob(width: Self.side, height: Self.side, rng: &rng)
        let out = SyntheticDefects.pattern(like: image, mask: mask, width: Self.side, height: Self.side, channels: 1, rng: &rng)
        let inside = mask.indices.filter { mask[$0] }
        func moments(_ values: [Float]) -> (mean: Float, std: Float) {
            let mean = inside.reduce(0) { $0 + values[$1] } / Float(inside.count)
            return (mean, (inside.reduce(0) { $0 + (values[$1] - mean) * (values[$1] - mean) } / Float(inside.count)).squareRoot())
        }
        let (mean, std) = moments(out), target = moments(image)
        #expect(abs(mean - target.mean) < 0.01 && abs(std - target.std) < 0.01, "mean \(mean) vs \(target.mean), std \(std) vs \(target.std)")
        // Its texture is its own, not the image's.
        let correlation = inside.reduce(0) { $0 + (out[$1] - mean) * (image[$1] - target.mean) } / (Float(inside.count) * std * target.std)
        #expect(abs(correlation) < 0.5, "correlation with the image \(correlation)")
    }

    @Test func foreignTextureTakesTheRegionsMeanAndContrast() {
        var rng = SeededGenerator(seed: 4)
        let image = (0..<(Self.side * Self.side)).map { _ in 0.2 + 0.1 * rng.normal() }
        let donor = (0..<(Self.side * Self.side)).map { _ in -0.5 + 0.4 * rng.normal() }
        let mask = SyntheticDefects.blob(width: Self.side, height: Self.side, rng: &rng)
        let out = SyntheticDefects.foreign(donor, like: image, mask: mask, width: Self.side, height: Self.side, channels: 1, rng: &rng)
        let inside = mask.indices.filter { mask[$0] }.map { out[$0] }
        let mean = inside.reduce(0, +) / Float(inside.count)
        let std = (inside.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(inside.count)).squareRoot()
        let target = mask.indices.filter { mask[$0] }.map { image[$0] }
        let targetMean = target.reduce(0, +) / Float(target.count)
        #expect(abs(mean - targetMean) < 0.01 && abs(std - 0.1) < 0.03, "mean \(mean) vs \(targetMean), std \(std)")
    }
}
