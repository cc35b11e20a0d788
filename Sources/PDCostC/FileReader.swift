#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PDCost

/// Reads a whole regular file with POSIX calls, without trapping: every failure is a
/// PDCostError.io naming the path and the errno text (or what the path is instead of a file).
///
/// The path is opened non-blocking and checked with fstat before any read: a FIFO, a device or
/// a directory is refused at once (opening a FIFO for reading would otherwise wait for a
/// writer forever, and /dev/zero never ends). The size is bounded by `maxBytes`.
enum FileReader {
    /// config.json files are kilobytes; a cap keeps a wrong path (a disk image) from
    /// exhausting memory.
    static let maxBytes = PDCostLimits.jsonBytes.maximum

    static func contents(of path: UnsafePointer<CChar>) throws(PDCostError) -> [UInt8] {
        let shown = echo(path)
        // O_NONBLOCK: open() of a FIFO returns at once instead of waiting for a writer; it
        // changes nothing for a regular file.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            throw .io("cannot open '\(shown)': \(errnoText(errno))")
        }
        defer { _ = close(fd) }

        var info = stat()
        if fstat(fd, &info) != 0 {
            throw .io("cannot stat '\(shown)': \(errnoText(errno))")
        }
        let kind = info.st_mode & S_IFMT
        if kind != S_IFREG {
            throw .io("cannot read '\(shown)': \(kindText(kind)), not a regular file")
        }
        if info.st_size > maxBytes {
            throw .io("cannot read '\(shown)': \(info.st_size) bytes, larger than the \(maxBytes >> 20) MiB limit for a config file")
        }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .io("cannot read '\(shown)': \(errnoText(code))")
            }
            if count == 0 { return bytes }
            if count > maxBytes - bytes.count {
                throw .io("cannot read '\(shown)': larger than the \(maxBytes >> 20) MiB limit for a config file")
            }
            bytes.append(contentsOf: chunk.prefix(count))
        }
    }

    /// What a non-regular file is, for messages: "is a FIFO".
    static func kindText(_ kind: mode_t) -> String {
        switch kind {
        case S_IFIFO: return "is a FIFO"
        case S_IFDIR: return "is a directory"
        case S_IFCHR: return "is a character device"
        case S_IFBLK: return "is a block device"
        case S_IFSOCK: return "is a socket"
        case S_IFLNK: return "is a symbolic link"
        default: return "is a special file (st_mode type \(kind))"
        }
    }

    /// "No such file or directory (errno 2)".
    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text) + " (errno \(code))"
    }
}
