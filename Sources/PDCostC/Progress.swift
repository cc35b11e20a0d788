import CPDCost

/// A caller's `pdcost_progress_fn` and its `user` pointer, as every options struct carries them
/// (the one progress convention of the C ABI: nonzero return = stop). nil when no callback.
struct CProgress {
    let fn: pdcost_progress_fn
    let user: UnsafeMutableRawPointer?

    init?(_ fn: pdcost_progress_fn?, _ user: UnsafeMutableRawPointer?) {
        guard let fn else { return nil }
        self.fn = fn
        self.user = user
    }

    /// Reports `done` of `total` under `stage`; true when the caller asks to stop.
    func report(_ stage: String, _ done: Int, _ total: Int) -> Bool {
        stage.withCString { fn(user, $0, UInt64(clamping: done), UInt64(clamping: total)) } != 0
    }
}
