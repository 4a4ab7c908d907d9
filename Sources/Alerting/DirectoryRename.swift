import Glibc

/// Linux `renameat2` flags, which make folder replacement truly atomic. Swift's Glibc module
/// does not import `renameat2` (glibc declares it only under _GNU_SOURCE), so it is looked up
/// at run time; file systems without the flags (or a libc without the call) answer EINVAL or
/// ENOSYS and the caller falls back to plain `rename`.
enum DirectoryRename {
    private typealias RenameAt2 = @convention(c) (
        Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
    private static let noReplace: UInt32 = 1  // RENAME_NOREPLACE
    private static let exchange: UInt32 = 2  // RENAME_EXCHANGE

    /// Swaps two existing paths in one step. Returns 0 or an errno value.
    static func exchange(_ a: String, _ b: String) -> Int32 { call(a, b, exchange) }

    /// Renames `from` to `to` unless `to` exists (EEXIST). Returns 0 or an errno value.
    static func renameNoReplace(_ from: String, _ to: String) -> Int32 { call(from, to, noReplace) }

    private static func call(_ from: String, _ to: String, _ flags: UInt32) -> Int32 {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "renameat2") else { return ENOSYS }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        return renameat2(AT_FDCWD, from, AT_FDCWD, to, flags) == 0 ? 0 : errno
    }
}
