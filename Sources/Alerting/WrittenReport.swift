/// A report folder that is now complete and in place.
public struct WrittenReport: Equatable, Sendable {
    /// The report folder.
    public var path: String
    public var report: DefectReport
    /// Bytes of the files in the folder.
    public var bytes: Int64
}
