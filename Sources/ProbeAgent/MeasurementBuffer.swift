/// Measurements waiting to be posted, oldest first.
///
/// Invariant: at most `capacity` are held; adding beyond that drops the oldest (and counts them).
actor MeasurementBuffer {
    private var pending: [ProbeMeasurement] = []
    private let capacity: Int
    private(set) var dropped = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { pending.count }

    func add(_ measurement: ProbeMeasurement) {
        pending.append(measurement)
        trim()
    }

    /// Removes and returns up to `limit` of the oldest.
    func take(_ limit: Int) -> [ProbeMeasurement] {
        let batch = Array(pending.prefix(limit))
        pending.removeFirst(batch.count)
        return batch
    }

    /// Puts a batch that could not be posted back in front.
    func putBack(_ batch: [ProbeMeasurement]) {
        pending = batch + pending
        trim()
    }

    private func trim() {
        guard pending.count > capacity else { return }
        let excess = pending.count - capacity
        pending.removeFirst(excess)
        dropped += excess
    }
}
