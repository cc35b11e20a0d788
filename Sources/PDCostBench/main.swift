import PDCost
for n in ModelPresets.names {
    do {
        let m = try ModelPresets.named(n)
        let b = ParameterCounter.breakdown(m)
        let f = ParameterCounter.flopsPerToken(m, sequenceLength: 4096)
        print(n, b.total, ParameterCounter.active(m), b.mtp, f.training)
    } catch { print(n, error) }
}
