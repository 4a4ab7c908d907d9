import Foundation

/// Runs blocking socket I/O on a thread of its own and awaits it, so a test never holds one of
/// the (two, on two cores) cooperative-pool threads that the server's async handler needs.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
