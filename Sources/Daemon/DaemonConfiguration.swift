import Foundation

/// Everything `rgid` is told by its configuration file (`config/rgid.toml` documents every
/// key), validated as a whole: errors name the file, line and field, and unknown keys are errors.
public struct DaemonConfiguration: Sendable, Equatable {
    public var file: String
    /// The product inspected at start (`rgictl product use` changes it until the next start).
    public var product: String
    public var controlSocket: String
    /// Model bundles kept in memory at once; the least recently used beyond it are unloaded.
    public var modelsInMemory: Int
    /// A frame in the solver for longer than this stops the watchdog pings, so that systemd
    /// restarts a hung daemon.
    public var hangTimeout: Duration
    public var camera: CameraConfiguration
    public var reports: ReportsConfiguration
    /// By name, in the order defined.
    public var products: [ProductConfiguration]

    public func product(named name: String) -> ProductConfiguration? {
        products.first { $0.name == name }
    }

    /// Reads `file` and, when `[daemon] product_files` names a folder, every `*.toml` in it
    /// (one product each, named by the file).
    public static func load(_ file: String) throws(ConfigError) -> DaemonConfiguration {
        let root = try parse(file)
        let paths = ConfigPaths(configFile: file)
        let top = ConfigSection(root, file: file, path: "")
        guard let daemon = try top.section("daemon") else { throw top.missing("daemon") }
        guard let cameraSection = try top.section("camera") else { throw top.missing("camera") }
        guard let reportsSection = try top.section("reports") else { throw top.missing("reports") }
        let camera = try CameraConfiguration.read(cameraSection, paths: paths)
        let reports = try ReportsConfiguration.read(reportsSection, paths: paths)

        var products = [ProductConfiguration]()
        if let section = try top.section("products") {
            for name in section.table.keys {
                guard let product = try section.section(name) else { continue }
                products.append(try ProductConfiguration.read(product, name: name, paths: paths))
            }
            try section.finish()
        }
        try top.finish()

        let activeProduct = try daemon.requiredString("product")
        let socket = paths.resolve(try daemon.string("control_socket") ?? "/run/rgid/control.sock")
        let models = try daemon.integer("models_in_memory", in: 1...64) ?? 2
        let hang = try daemon.number("hang_timeout_seconds", in: 1...86_400) ?? 60
        if let folder = try daemon.string("product_files") {
            for product in try productFiles(in: paths.resolve(folder), field: daemon.field("product_files"), file: file,
                                            line: daemon.table["product_files"]?.line) {
                if let earlier = products.first(where: { $0.name == product.name }) {
                    throw ConfigError(file: product.origin, line: nil, field: nil,
                                      reason: "product '\(product.name)' is also defined at \(earlier.origin)")
                }
                products.append(product)
            }
        }
        guard products.contains(where: { $0.name == activeProduct }) else {
            let known = products.isEmpty ? "none is defined" : "defined: " + products.map(\.name).joined(separator: ", ")
            throw daemon.error("product", "'\(activeProduct)' is not a configured product (\(known))")
        }
        try daemon.finish()
        return DaemonConfiguration(file: file, product: activeProduct, controlSocket: socket, modelsInMemory: models,
                                   hangTimeout: .seconds(hang), camera: camera, reports: reports, products: products)
    }

    private static func parse(_ file: String) throws(ConfigError) -> TOMLTable {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigError(file: file, line: nil, field: nil, reason: "cannot read: \((error as NSError).localizedDescription)")
        }
        do {
            return try TOMLParser.parse(text, file: file)
        } catch {
            throw ConfigError(error)
        }
    }

    /// `NAME.toml` files hold one product's keys at their top level.
    private static func productFiles(in folder: String, field: String, file: String, line: Int?) throws(ConfigError) -> [ProductConfiguration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".toml") }.sorted()
        } catch {
            throw ConfigError(file: file, line: line, field: field, reason: "cannot list \(folder)")
        }
        var products = [ProductConfiguration]()
        for name in names {
            let path = folder + "/" + name
            let section = ConfigSection(try parse(path), file: path, path: "")
            products.append(try ProductConfiguration.read(section, name: String(name.dropLast(5)),
                                                          paths: ConfigPaths(configFile: path)))
        }
        return products
    }
}
