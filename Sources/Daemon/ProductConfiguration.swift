import RGI

/// One product the line can run: its model bundle and how frames are cut, solved and judged.
public struct ProductConfiguration: Sendable, Equatable {
    public var name: String
    /// The model bundle folder (absolute once loaded).
    public var model: String
    public var roi: RegionOfInterest?
    /// When set, must equal the model's tile size: a check that the config was written for
    /// this model, since the tile size is fixed by the network.
    public var tile: Int?
    /// Pixels neighbouring tiles share; the tile stride is tile − overlap.
    public var overlap: Int?
    /// Decision (image) threshold; the mask threshold is lowered to it when above.
    public var threshold: Float?
    public var minArea: Int?
    /// Tiles solved in one batch.
    public var maxTiles: Int
    /// A frame taking longer is counted as over budget in the status.
    public var timeBudget: Duration
    public var solver: SolverOverrides
    /// `file:line` of the product's definition, for messages about it at model-load time.
    public var origin: String

    public init(name: String, model: String, maxTiles: Int = 16, timeBudget: Duration = .seconds(2),
                origin: String = "") {
        self.name = name; self.model = model; self.maxTiles = maxTiles; self.timeBudget = timeBudget
        self.solver = SolverOverrides(); self.origin = origin
    }

    public func thresholds(_ base: Thresholds) -> Thresholds {
        var t = base
        if let threshold { t.image = threshold; t.pixel = min(t.pixel, threshold) }
        if let minArea { t.minArea = minArea }
        return t
    }

    /// The bundle's settings with this product's overrides; the tiling is checked against the
    /// model here because only the bundle knows its tile size.
    public func settings(base: SolverSettings, modelTile: Int) throws(ConfigError) -> SolverSettings {
        var settings = solver.applied(to: base)
        let (file, line) = Self.split(origin)
        if let tile, tile != modelTile {
            throw ConfigError(file: file, line: line, field: "products.\(name).tile",
                              reason: "\(tile) differs from the model's tile size \(modelTile) (\(model))")
        }
        if let overlap {
            guard overlap < modelTile else {
                throw ConfigError(file: file, line: line, field: "products.\(name).overlap",
                                  reason: "\(overlap) must be smaller than the model's tile size \(modelTile)")
            }
            settings.stride = modelTile - overlap
        }
        return settings
    }

    private static func split(_ origin: String) -> (String, Int?) {
        guard let colon = origin.lastIndex(of: ":"), let line = Int(origin[origin.index(after: colon)...]) else {
            return (origin, nil)
        }
        return (String(origin[..<colon]), line)
    }

    static func read(_ section: ConfigSection, name: String, paths: ConfigPaths) throws(ConfigError) -> ProductConfiguration {
        var p = ProductConfiguration(name: name, model: paths.resolve(try section.requiredString("model")),
                                     origin: "\(section.file):\(section.table.line)")
        if let r = try section.integers("roi", count: 4) {
            guard r[0] >= 0, r[1] >= 0, r[2] > 0, r[3] > 0 else {
                throw section.error("roi", "must be [x, y, width, height] with x, y ≥ 0 and a positive size")
            }
            p.roi = RegionOfInterest(x: r[0], y: r[1], width: r[2], height: r[3])
        }
        p.tile = try section.integer("tile", in: 4...4096)
        p.overlap = try section.integer("overlap", in: 0...4095)
        p.threshold = try section.number("threshold", in: 0...1e9).map(Float.init)
        p.minArea = try section.integer("min_area", in: 1...Int.max)
        p.maxTiles = try section.integer("max_tiles", in: 1...1024) ?? p.maxTiles
        if let ms = try section.number("time_budget_ms", in: 1...3_600_000) {
            p.timeBudget = .milliseconds(ms)
        }
        if let solver = try section.section("solver") {
            p.solver = try SolverOverrides.read(solver)
        }
        try section.finish()
        return p
    }
}
