import CPDCost
import Testing

/// pdcost_gpu_complete and the architecture/capability fields of pdcost_gpu_spec, called as a C
/// caller would.
@Suite("C: GPU completion")
struct GPUCompleteTests {
    func spec(_ name: String, version: UInt32 = UInt32(PDCOST_GPU_SPEC_VERSION)) -> pdcost_gpu_spec {
        var g = pdcost_gpu_spec()
        g.size = UInt32(MemoryLayout<pdcost_gpu_spec>.size)
        g.version = version
        withUnsafeMutableBytes(of: &g.name) { buffer in
            for (i, byte) in name.utf8.enumerated() where i < buffer.count - 1 { buffer[i] = byte }
        }
        return g
    }

    func output() -> pdcost_gpu_spec {
        var out = pdcost_gpu_spec()
        out.size = UInt32(MemoryLayout<pdcost_gpu_spec>.size)
        out.version = UInt32(PDCOST_GPU_SPEC_VERSION)
        return out
    }

    @Test("the seed's H800: stated numbers kept, the rest from H800-SXM-80GB, listed")
    func h800() throws {
        var input = spec("H800")
        input.memory_bytes = 79.6 * 1_073_741_824
        input.bf16_flops = 788e12
        var out = output()
        var filled: UnsafeMutablePointer<CChar>?
        #expect(pdcost_gpu_complete(&out, &filled, &input) == PDCOST_OK)
        #expect(out.bf16_flops == 788e12)
        #expect(out.nvlink_bandwidth == 200e9)   // H800 datasheet: NVLink 400 GB/s bidirectional
        #expect(UInt32(out.architecture) == PDCOST_GPU_ARCH_HOPPER.rawValue)
        #expect(UInt32(out.supports_fp8) == PDCOST_GPU_CAPABILITY_YES.rawValue)
        let json = take(filled) ?? ""
        #expect(json.contains("\"nvlink_bandwidth\"") && json.contains("preset H800-SXM-80GB"))
        #expect(!json.contains("\"bf16_flops\""))
    }

    @Test("ABI 1: version 1 carries the architecture; version 2 is not known")
    func versionOne() {
        // The architecture and capability bytes are part of version 1 (ABI 1 folded the old
        // version 2 into it): a stated architecture is read and completes a GPU no preset matches.
        var input = spec("Baseline-A100")
        input.memory_bytes = 80e9
        input.bf16_flops = 312e12
        var out = output()
        #expect(pdcost_gpu_complete(&out, nil, &input) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("in->hbm_bandwidth=0 is unknown and no preset or architecture"))
        input.architecture = UInt8(PDCOST_GPU_ARCH_AMPERE.rawValue)
        #expect(pdcost_gpu_complete(&out, nil, &input) == PDCOST_OK, "\(lastError)")
        #expect(out.hbm_bandwidth == 2.039e12)  // A100 80GB SXM datasheet: 2,039 GB/s
        #expect(out.version == UInt32(PDCOST_GPU_SPEC_VERSION) && PDCOST_GPU_SPEC_VERSION == 1)

        // A version newer than the library knows, in either struct: PDCOST_EVERSION, out untouched.
        input.version = 2
        var untouched = output()
        untouched.memory_bytes = 7
        #expect(pdcost_gpu_complete(&untouched, nil, &input) == PDCOST_EVERSION)
        #expect(lastError.hasPrefix("in->version=2"))
        #expect(untouched.memory_bytes == 7)
        input.version = 1
        untouched.version = 2
        #expect(pdcost_gpu_complete(&untouched, nil, &input) == PDCOST_EVERSION)
        #expect(lastError.hasPrefix("out->version=2"))
        #expect(untouched.memory_bytes == 7)
    }

    @Test("bad enum values are errors naming the field")
    func badValues() {
        var input = spec("H100")
        input.architecture = 9
        var out = output()
        #expect(pdcost_gpu_complete(&out, nil, &input) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("in->architecture=9"))
        #expect(pdcost_gpu_complete(nil, nil, &input) == PDCOST_EINVAL)
        #expect(pdcost_gpu_complete(&out, nil, nil) == PDCOST_EINVAL)
    }
}
