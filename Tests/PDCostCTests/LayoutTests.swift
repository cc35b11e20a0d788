import CPDCost
@testable import PDCostC
import Testing

// Internals of the boundary that the C interface cannot reach directly.
@Suite struct LayoutTests {
    @Test func versionOneSizesMatchTheHeader() {
        // StructV1Size is frozen at version 1; version 2 of pdcost_param_counts (1.6) appends
        // one uint64_t.
        #expect(StructV1Size.paramCounts + 8 == MemoryLayout<pdcost_param_counts>.size)
        #expect(StructV1Size.flops == MemoryLayout<pdcost_flops>.size)
        #expect(StructV1Size.gpuSpec == MemoryLayout<pdcost_gpu_spec>.size)
    }

    @Test func nameTruncationKeepsWholeCharacters() {
        var buffer = [UInt8](repeating: 0xAA, count: 8)
        buffer.withUnsafeMutableBytes { copyTruncated("abcdefghij", into: $0) }
        #expect(buffer == Array("abcdefg".utf8) + [0])
        buffer.withUnsafeMutableBytes { copyTruncated("abcde\u{e9}\u{e9}", into: $0) }  // é is 2 bytes
        #expect(buffer == Array("abcde".utf8) + [0, 0, 0])
        buffer.withUnsafeMutableBytes { copyTruncated("ab", into: $0) }
        #expect(buffer == Array("ab".utf8) + [0, 0, 0, 0, 0, 0])
        buffer.withUnsafeMutableBytes { copyTruncated("abcdefg", into: $0) }
        #expect(buffer == Array("abcdefg".utf8) + [0])
    }
}
