import Foundation

// Elementary functions the engine needs on Float, in one place.
extension Float {
    @inline(__always) static func log(_ x: Float) -> Float { Foundation.logf(x) }
    @inline(__always) static func sin(_ x: Float) -> Float { Foundation.sinf(x) }
    @inline(__always) static func cos(_ x: Float) -> Float { Foundation.cosf(x) }
    @inline(__always) static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
}
