import Foundation

/// Makes a folder read-only in place with a read-only bind mount of itself (tests run as root,
/// which file modes do not stop). nil where this process may not mount.
final class ReadOnlyMount {
    let path: String
    private var mounted = true

    init?(_ path: String) {
        self.path = path
        guard mount(path, path, nil, UInt(MS_BIND), nil) == 0 else { return nil }
        guard mount(nil, path, nil, UInt(MS_BIND | MS_REMOUNT | MS_RDONLY), nil) == 0 else {
            umount2(path, Int32(MNT_DETACH))
            return nil
        }
    }

    func remove() {
        guard mounted else { return }
        mounted = false
        umount2(path, Int32(MNT_DETACH))
    }

    deinit { remove() }
}
