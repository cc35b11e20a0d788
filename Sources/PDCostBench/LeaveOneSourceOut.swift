import PDCost

/// Leave-one-source-out check (filled in once calibration knobs exist).
enum LeaveOneSourceOut {
    static func run(_ file: MeasuredRunsFile) {
        let report = Validator.validate(file)
        for group in report.summaryBySource() {
            print(group.source, group.metrics.map { "\($0.metric.rawValue)=\($0.value.mape)" })
        }
    }
}
