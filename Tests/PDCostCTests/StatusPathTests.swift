import CPDCost
import Testing

// Every status a thunk can return, with a message that names the parameter or field at fault.
@Suite struct StatusPathTests {
    @Test func statusNames() {
        let all: [(pdcost_status, String)] = [
            (PDCOST_OK, "PDCOST_OK"), (PDCOST_EINVAL, "PDCOST_EINVAL"), (PDCOST_EPARSE, "PDCOST_EPARSE"),
            (PDCOST_ENOTFOUND, "PDCOST_ENOTFOUND"), (PDCOST_EUNSUPPORTED, "PDCOST_EUNSUPPORTED"),
            (PDCOST_EVERSION, "PDCOST_EVERSION"), (PDCOST_EINFEASIBLE, "PDCOST_EINFEASIBLE"),
            (PDCOST_ENODEVICE, "PDCOST_ENODEVICE"), (PDCOST_EIO, "PDCOST_EIO"), (PDCOST_ECANCELED, "PDCOST_ECANCELED"),
            (PDCOST_EINTERNAL, "PDCOST_EINTERNAL"), (pdcost_status(rawValue: 42), "PDCOST_UNKNOWN"),
            (pdcost_status(rawValue: UInt32.max), "PDCOST_UNKNOWN"),
        ]
        for (status, name) in all {
            #expect(String(cString: pdcost_status_name(status)) == name)
        }
    }

    @Test func messageClearedOnSuccessKeptByInfallibleCalls() {
        _ = preset("no-such-model")
        #expect(lastError.contains("no-such-model"))
        // Status names and versions do not touch the message (printf argument order is unspecified).
        _ = pdcost_status_name(PDCOST_EINVAL)
        _ = pdcost_version_string()
        pdcost_model_free(nil)
        pdcost_string_free(nil)
        #expect(lastError.contains("no-such-model"))
        let (_, model) = preset("gpt2")
        pdcost_model_free(model)
        #expect(lastError == "")
    }

    @Test func presetErrors() {
        var (status, model) = preset("no-such-model")
        #expect(status == PDCOST_ENOTFOUND && model == nil)
        #expect(lastError.contains("'no-such-model'") && lastError.contains("llama3-70b"))

        // A huge name is shortened in the message; the list of known presets survives.
        (status, model) = preset(String(repeating: "x", count: 100_000))
        #expect(status == PDCOST_ENOTFOUND)
        #expect(lastError.contains("100000 bytes") && lastError.contains("deepseek-v3"))

        #expect(pdcost_model_from_preset(&model, nil) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("name=NULL"))
        #expect(pdcost_model_from_preset(nil, "gpt2") == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("out_model=NULL"))

        let notUTF8: [CChar] = [0x6c, -1, -2, 0]  // "l\xff\xfe"
        #expect(pdcost_model_from_preset(&model, notUTF8) == PDCOST_EPARSE)
        #expect(lastError.hasPrefix("name is not valid UTF-8"))
    }

    @Test func jsonErrors() {
        let cases: [(String, pdcost_status, String)] = [
            ("{", PDCOST_EPARSE, "invalid JSON"),
            ("", PDCOST_EPARSE, "model config"),
            ("[1,2]", PDCOST_EPARSE, "model config"),
            (#"{"architectures":["FooForCausalLM"]}"#, PDCOST_EUNSUPPORTED, "FooForCausalLM"),
            (#"{"model_type":"llama","hidden_size":4096}"#, PDCOST_EINVAL, "num_hidden_layers"),
            (#"{"architectures":["LlamaForCausalLM"],"hidden_size":-1,"intermediate_size":8,"num_attention_heads":1,"num_hidden_layers":1,"vocab_size":8}"#,
             PDCOST_EINVAL, "hidden_size=-1"),
            // A non-integer or out-of-range number for an integer field. FoundationEssentials'
            // JSONDecoder reports these without the field's path, so only the status is checked.
            (#"{"architectures":["LlamaForCausalLM"],"hidden_size":4.5,"intermediate_size":8,"num_attention_heads":1,"num_hidden_layers":1,"vocab_size":8}"#,
             PDCOST_EPARSE, "model config"),
            (#"{"architectures":["LlamaForCausalLM"],"hidden_size":1e300,"intermediate_size":8,"num_attention_heads":1,"num_hidden_layers":1,"vocab_size":8}"#,
             PDCOST_EPARSE, "model config"),
            (#"{"architectures":["LlamaForCausalLM"],"hidden_size":9223372036854775807,"intermediate_size":9223372036854775807,"num_attention_heads":1,"num_hidden_layers":1,"vocab_size":8}"#,
             PDCOST_EINVAL, "hidden_size"),
            (#"{"architectures":["LlamaForCausalLM"],"hidden_size":"big","intermediate_size":8,"num_attention_heads":1,"num_hidden_layers":1,"vocab_size":8}"#,
             PDCOST_EPARSE, "hidden_size"),
        ]
        for (text, expected, fragment) in cases {
            let (status, model) = fromJSON(text)
            #expect(status == expected, "\(text): \(lastError)")
            #expect(model == nil)
            #expect(lastError.contains(fragment), "\(text): \(lastError)")
        }

        // Nesting: 513 unclosed brackets trapped inside FoundationEssentials' JSON scanner.
        for count in [513, 512, 100_000] {
            let (status, _) = fromJSON(String(repeating: "[", count: count))
            #expect(status == PDCOST_EPARSE)
            #expect(lastError.contains("nested deeper than"))
        }
        let (okStatus, okModel) = fromJSON(#"{"name":"[[[[{{{{\"[[[["# + String(repeating: "[", count: 600)
            + #"","architectures":["GPT2LMHeadModel"],"n_embd":8,"n_head":2,"n_layer":1,"n_positions":4,"vocab_size":10}"#)
        #expect(okStatus == PDCOST_OK, "\(lastError)")
        pdcost_model_free(okModel)

        // Not UTF-8.
        let (status, _) = fromJSON([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])
        #expect(status == PDCOST_EPARSE)
        #expect(lastError.contains("UTF-8"))

        var model: OpaquePointer?
        #expect(pdcost_model_from_json(&model, nil, 10) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("json=NULL"))
        #expect(pdcost_model_from_json(&model, nil, 0) == PDCOST_EPARSE)
        #expect(pdcost_model_from_json(&model, "{}", Int(bitPattern: UInt.max)) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("length=18446744073709551615"))
        #expect(pdcost_model_from_json(nil, "{}", 2) == PDCOST_EINVAL)
        #expect(model == nil)
    }

    @Test func fileErrors() {
        var model: OpaquePointer?
        #expect(pdcost_model_from_file(&model, "/nonexistent/pdcost/config.json") == PDCOST_EIO)
        #expect(lastError.contains("/nonexistent/pdcost/config.json") && lastError.contains("No such file"))
        #expect(pdcost_model_from_file(&model, fixtures) == PDCOST_EIO)
        #expect(lastError.contains("directory"))
        #expect(pdcost_model_from_file(&model, nil) == PDCOST_EINVAL)
        #expect(pdcost_model_from_file(nil, fixtures + "/mistralai__Mistral-7B-v0.1.json") == PDCOST_EINVAL)
        // A file that is not a config: the message names the file, the status is the parser's.
        #expect(pdcost_model_from_file(&model, repositoryRoot + "/Package.swift") == PDCOST_EPARSE)
        #expect(lastError.contains("Package.swift"))
        #expect(model == nil)
    }

    @Test func versionedStructs() {
        let (_, model) = preset("gpt2")
        defer { pdcost_model_free(model) }

        // Wrong version or a size too small: PDCOST_EVERSION, and the struct is left untouched.
        for (size, version) in [(UInt32(MemoryLayout<pdcost_param_counts>.size), UInt32(0)),
                                (UInt32(MemoryLayout<pdcost_param_counts>.size), UInt32(3)),
                                (UInt32(8), UInt32(1)), (UInt32(0), UInt32(1))] {
            var out = pdcost_param_counts()
            out.size = size
            out.version = version
            out.total = 77
            #expect(pdcost_model_param_counts(&out, model) == PDCOST_EVERSION)
            #expect(out.total == 77 && out.size == size && out.version == version)
            #expect(lastError.hasPrefix("out->"))
        }

        // A larger size (a newer caller) is fine; the library writes only what it knows and keeps
        // the caller's size/version.
        var big = (pdcost_param_counts(), UInt64(0xDEAD))
        big.0.size = UInt32(MemoryLayout<pdcost_param_counts>.size + 8)
        big.0.version = 1
        #expect(pdcost_model_param_counts(&big.0, model) == PDCOST_OK)
        #expect(big.0.total == 124_439_808 && big.0.size == UInt32(MemoryLayout<pdcost_param_counts>.size + 8))
        #expect(big.1 == 0xDEAD)

        var f = pdcost_flops()
        f.size = 4
        f.version = 1
        #expect(pdcost_model_flops_per_token(&f, model, 1024, PDCOST_MASK_CAUSAL) == PDCOST_EVERSION)
        var g = pdcost_gpu_spec()
        g.size = UInt32(MemoryLayout<pdcost_gpu_spec>.size)
        g.version = 9
        #expect(pdcost_gpu_from_name(&g, "B200") == PDCOST_EVERSION)
        #expect(pdcost_model_param_counts(nil, model) == PDCOST_EINVAL)
        #expect(pdcost_model_flops_per_token(nil, model, 1024, PDCOST_MASK_CAUSAL) == PDCOST_EINVAL)
        #expect(pdcost_gpu_from_name(nil, "B200") == PDCOST_EINVAL)
    }

    @Test func nullHandlesAndOutputs() {
        var c = pdcost_param_counts()
        c.size = UInt32(MemoryLayout<pdcost_param_counts>.size)
        c.version = 1
        #expect(pdcost_model_param_counts(&c, nil) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("model=NULL"))
        #expect(flops(nil, 1024, PDCOST_MASK_CAUSAL).0 == PDCOST_EINVAL)
        var json: UnsafeMutablePointer<CChar>?
        #expect(pdcost_model_to_json(&json, nil) == PDCOST_EINVAL)
        #expect(pdcost_model_analysis_json(&json, nil, 1024) == PDCOST_EINVAL)
        #expect(json == nil)
        let (_, model) = preset("gpt2")
        defer { pdcost_model_free(model) }
        #expect(pdcost_model_to_json(nil, model) == PDCOST_EINVAL)
        #expect(pdcost_model_analysis_json(nil, model, 1024) == PDCOST_EINVAL)
        #expect(pdcost_model_preset_names(nil) == PDCOST_EINVAL)
        #expect(pdcost_gpu_presets_json(nil) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("out_json=NULL"))
    }

    @Test func flopsArguments() {
        let (_, model) = preset("gpt2")
        defer { pdcost_model_free(model) }
        #expect(flops(model, 1024, pdcost_attention_mask(rawValue: 7)).0 == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("mask=7"))
        for length: UInt64 in [0, (1 << 31) + 1, UInt64.max] {
            #expect(flops(model, length, PDCOST_MASK_CAUSAL).0 == PDCOST_EINVAL)
            #expect(lastError.hasPrefix("sequence_length=\(length)"))
            var json: UnsafeMutablePointer<CChar>?
            #expect(pdcost_model_analysis_json(&json, model, length) == PDCOST_EINVAL)
            #expect(json == nil)
        }
        #expect(flops(model, 1 << 31, PDCOST_MASK_FULL).0 == PDCOST_OK)
        #expect(flops(model, 1, PDCOST_MASK_CAUSAL).0 == PDCOST_OK)
    }

    @Test func gpuErrors() {
        var (status, _) = gpu("TPU-v5")
        #expect(status == PDCOST_ENOTFOUND)
        #expect(lastError.contains("'TPU-v5'") && lastError.contains("H100-SXM-80GB"))
        (status, _) = gpu(String(repeating: "H", count: 5000))
        #expect(status == PDCOST_ENOTFOUND && lastError.contains("H100-SXM-80GB"))
        var out = pdcost_gpu_spec()
        out.size = UInt32(MemoryLayout<pdcost_gpu_spec>.size)
        out.version = 1
        #expect(pdcost_gpu_from_name(&out, nil) == PDCOST_EINVAL)
        let notUTF8: [CChar] = [-61, 0]  // a lone lead byte
        #expect(pdcost_gpu_from_name(&out, notUTF8) == PDCOST_EPARSE)
    }
}
