import Foundation
import Imaging

/// The good images a model is trained from, decoded once into planar Float32 in [-1, 1]
/// (x / 127.5 − 1, the normalisation every other stage uses too).
///
/// Accepted layouts: an MVTec-style product folder (`DIR/train/good/*`) or a plain folder of
/// PNG/JPEG images. Images may differ in size (training uses random crops), but each must be at
/// least one tile. Channels: `auto` keeps greyscale when every image is greyscale and otherwise
/// converts all images to RGB.
public struct TrainingImages: Sendable {
    public struct Item: Sendable {
        public let path: String
        public let width: Int
        public let height: Int
        /// CHW, normalised.
        public let planes: [Float]

        public init(path: String, width: Int, height: Int, planes: [Float]) {
            self.path = path; self.width = width; self.height = height; self.planes = planes
        }
    }

    public let folder: String
    public let channels: Int
    public let items: [Item]

    public enum ChannelMode: String, Sendable, CaseIterable {
        case auto, grey, rgb
    }

    public enum LoadError: Error, CustomStringConvertible {
        case notAFolder(String)
        case noImages(String)
        case unreadable(ImagingError)
        case tooSmall(path: String, width: Int, height: Int, tile: Int)

        public var description: String {
            switch self {
            case .notAFolder(let p): return "\(p): not a folder"
            case .noImages(let p): return "\(p): no PNG or JPEG images found (looked for *.png, *.jpg, *.jpeg; in an MVTec-style folder, under train/good/)"
            case .unreadable(let e): return e.description
            case let .tooSmall(p, w, h, t): return "\(p): image is \(w)×\(h), smaller than the \(t)×\(t) training tile"
            }
        }
    }

    /// The folder that holds the training images: `DIR/train/good` when it exists, else `DIR`.
    public static func imageFolder(for dir: String) -> String {
        let good = (dir as NSString).appendingPathComponent("train/good")
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: good, isDirectory: &isDir) && isDir.boolValue ? good : dir
    }

    public static func load(from dir: String, channels mode: ChannelMode, minimumSize tile: Int) throws -> TrainingImages {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { throw LoadError.notAFolder(dir) }
        let folder = imageFolder(for: dir)
        let paths: [String]
        do { paths = try ImageFile.imagePaths(in: folder) } catch { throw LoadError.unreadable(error) }
        guard !paths.isEmpty else { throw LoadError.noImages(folder) }
        var images: [(String, Image)] = []
        for p in paths {
            do { images.append((p, try ImageFile.read(p))) } catch { throw LoadError.unreadable(error) }
        }
        for (p, im) in images where im.width < tile || im.height < tile {
            throw LoadError.tooSmall(path: p, width: im.width, height: im.height, tile: tile)
        }
        let channels: Int
        switch mode {
        case .grey: channels = 1
        case .rgb: channels = 3
        case .auto: channels = images.allSatisfy { $0.1.channels == 1 } ? 1 : 3
        }
        let items = images.map { p, im in
            Item(path: p, width: im.width, height: im.height, planes: ImageTensor.planes(channels == 1 ? im.grey() : im.rgb()))
        }
        return TrainingImages(folder: folder, channels: channels, items: items)
    }

    /// A content hash of the training set (file names and pixels), recorded in the bundle so a
    /// model can be traced to the exact images it learned from.
    public var contentHash: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for item in items {
            for b in (item.path as NSString).lastPathComponent.utf8 { mix(b) }
            for v in item.planes { let q = UInt8(clamping: Int(((v + 1) * 127.5).rounded())); mix(q) }
        }
        return String(format: "fnv1a64:%016llx", h)
    }

    /// Splits off every k-th image (by name order) for calibration, k chosen so that about
    /// `fraction` of the images are held out; at least one image stays on each side.
    public func split(holdout fraction: Double) -> (train: [Item], holdout: [Item]) {
        guard items.count >= 2, fraction > 0 else { return (items, []) }
        let held = min(items.count - 1, max(1, Int((Double(items.count) * fraction).rounded())))
        let stride = Double(items.count) / Double(held)
        var holdoutIndices = Set<Int>()
        for k in 0..<held { holdoutIndices.insert(min(items.count - 1, Int(Double(k) * stride + stride / 2))) }
        var train: [Item] = [], holdout: [Item] = []
        for (i, item) in items.enumerated() {
            if holdoutIndices.contains(i) { holdout.append(item) } else { train.append(item) }
        }
        return (train, holdout)
    }
}
