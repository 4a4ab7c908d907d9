/// The fixed MESSAGE_IDs of rgid's journal entries (made once with `systemd-id128 new`; never
/// change one: operators filter on them, `journalctl MESSAGE_ID=…`). Each has an entry in
/// `systemd/rgid-catalog.catalog`, which `journalctl -x` shows beside the entry.
public enum JournalMessageID {
    public static let defect = "e5f3d17d4f5246528fd2f93667d98661"
    public static let started = "13babd6b7aee47f49dadc1a1e7de23dc"
    public static let stopping = "d77f49899a7a4faf992de814f2d58f9a"
    public static let productSwitched = "00f097d30fdf48ea8cfcb480295d7533"
    public static let modelLoadFailed = "07c4a872e5084870be6187a217a07882"
    public static let modelWarning = "9e9e1106516c4f62b54b4149b4464d07"
    public static let cameraLost = "27b10c739d9c4c6fae4abb2de95914ec"
    public static let cameraBack = "c04d1900f3ae4434891b0d61b92845d7"
    public static let reportWriteFailed = "1d365842e7b3455b9a0ac13499e31289"

    public static let all = [defect, started, stopping, productSwitched, modelLoadFailed, modelWarning,
                             cameraLost, cameraBack, reportWriteFailed]
}
