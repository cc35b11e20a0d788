import CPDCost
import PDCost

// Creating, describing and freeing models.

/// Largest JSON document accepted in memory, as for files (FileReader.maxBytes).
let maxJSONBytes = FileReader.maxBytes

@_cdecl("pdcost_model_from_preset")
public func pdcost_model_from_preset(_ out_model: UnsafeMutablePointer<OpaquePointer?>?,
                                     _ name: UnsafePointer<CChar>?) -> pdcost_status {
    withStatus {
        let out = try outModel(out_model)
        let text = try utf8String(name, "name")
        guard text.utf8.count <= maxEchoedBytes else {
            // Keep the message's list of known names instead of echoing a huge name.
            throw PDCostError.notFound("unknown model preset '\(echo(text))'; known: "
                                       + ModelPresets.names.joined(separator: ", "))
        }
        let spec = try ModelPresets.named(text)
        out.pointee = ModelHandle(spec).retainedPointer()
    }
}

@_cdecl("pdcost_model_from_json")
public func pdcost_model_from_json(_ out_model: UnsafeMutablePointer<OpaquePointer?>?,
                                   _ json: UnsafePointer<CChar>?, _ length: Int) -> pdcost_status {
    withStatus {
        let out = try outModel(out_model)
        let bytes = try borrowedJSON(json, length: length, parameter: "json", document: "model JSON document")
        let loaded = try ModelLoader.loadWithWarnings(json: bytes)
        out.pointee = ModelHandle(loaded.spec, warnings: loaded.warnings).retainedPointer()
    }
}

@_cdecl("pdcost_model_from_file")
public func pdcost_model_from_file(_ out_model: UnsafeMutablePointer<OpaquePointer?>?,
                                   _ path: UnsafePointer<CChar>?) -> pdcost_status {
    withStatus {
        let out = try outModel(out_model)
        guard let path else {
            throw PDCostError.invalidArgument("path=NULL must be a NUL-terminated file path")
        }
        let bytes = try FileReader.contents(of: path)
        let loaded: ModelLoadResult
        do throws(PDCostError) {
            loaded = try ModelLoader.loadWithWarnings(json: bytes)
        } catch {
            // Say which file was wrong; keep the status of the underlying error.
            throw error.prefixed("\(echo(path)): ")
        }
        out.pointee = ModelHandle(loaded.spec, warnings: loaded.warnings).retainedPointer()
    }
}

@_cdecl("pdcost_model_free")
public func pdcost_model_free(_ model: OpaquePointer?) {
    guard let model else { return }
    ModelHandle.release(model)
}

@_cdecl("pdcost_model_to_json")
public func pdcost_model_to_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                 _ model: OpaquePointer?) -> pdcost_status {
    withStatus {
        let handle = try ModelHandle.borrow(model)
        let out = try outString(out_json, "out_json")
        let text = try ModelLoader.canonicalConfig(for: handle.spec).encoded()
        try store(text, in: out)
    }
}

@_cdecl("pdcost_model_preset_names")
public func pdcost_model_preset_names(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pdcost_status {
    withStatus {
        let out = try outString(out_json, "out_json")
        try store(try encodeJSON(ModelPresets.names), in: out)
    }
}
