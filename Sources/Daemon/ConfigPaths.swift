import Foundation

/// Relative paths in a configuration file are relative to the file's folder, so a unit started
/// from `/` and an operator in the repository read the same configuration the same way.
struct ConfigPaths {
    let folder: String

    init(configFile: String) {
        let absolute = configFile.hasPrefix("/") ? configFile : FileManager.default.currentDirectoryPath + "/" + configFile
        folder = ((absolute as NSString).deletingLastPathComponent as NSString).standardizingPath
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : ((folder as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }
}
