#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PDCost

/// Reads a whole file with POSIX calls, without trapping: every failure is a PDCostError.io
/// naming the path and the errno text.
enum FileReader {
    /// config.json files are kilobytes; a cap keeps a wrong path (a disk image, /dev/zero) from
    /// exhausting memory.
    static let maxBytes = PDCostLimits.jsonBytes.maximum

    static func contents(of path: UnsafePointer<CChar>) throws(PDCostError) -> [UInt8] {
        let shown = echo(path)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw .io("cannot open '\(shown)': \(errnoText(errno))")
        }
        defer { _ = close(fd) }

        var info = stat()
        if fstat(fd, &info) != 0 {
            throw .io("cannot stat '\(shown)': \(errnoText(errno))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw .io("cannot read '\(shown)': \(errnoText(EISDIR))")
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

    /// "No such file or directory (errno 2)".
    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text) + " (errno \(code))"
    }
}
