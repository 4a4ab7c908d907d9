import Foundation
import RGI

extension ModelBundle {
    /// `ModelBundle.warnings` on standard error, so they reach the operator but not a parsed output.
    func printWarnings() {
        for warning in warnings { FileHandle.standardError.write(Data("warning: model \(path): \(warning)\n".utf8)) }
    }
}
