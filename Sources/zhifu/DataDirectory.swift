import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The SQLite data directory holds the gateway's private keys and the merchants' MD5 keys (in
/// `zhifu.sqlite`): only its owner may read it. New files are made private by the process umask;
/// anything found looser at start is tightened, with a warning naming it.
enum DataDirectory {
    static func secure(_ path: String, logger: Logger) throws {
        umask(0o077)
        let files = FileManager.default
        try files.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try tighten(path, to: 0o700, logger: logger)
        for name in try files.contentsOfDirectory(atPath: path) {
            let item = path + "/" + name
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: item, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                try tighten(item, to: 0o700, logger: logger)
                for inner in try files.contentsOfDirectory(atPath: item) {
                    try tighten(item + "/" + inner, to: 0o600, logger: logger)
                }
            } else {
                try tighten(item, to: 0o600, logger: logger)
            }
        }
    }

    /// Removes group and other permissions from `path` if it has any.
    static func tighten(_ path: String, to mode: Int, logger: Logger) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        guard let current = (attributes[.posixPermissions] as? NSNumber)?.intValue, current & 0o077 != 0 else { return }
        logger.warning("\(path) was readable by other users (mode \(String(current, radix: 8))); set to \(String(mode, radix: 8))")
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }
}
