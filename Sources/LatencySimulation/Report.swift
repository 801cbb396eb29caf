import Foundation

/// The simulation's results as Markdown tables.
enum Report {
    static func markdown(_ result: Simulation.Result, world: World, command: String, halfLifeHours: Double, seconds: Double) -> String {
        func ms(_ value: Double) -> String { String(format: "%.1f", value) }
        func share(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        let measuredCount = world.networks.filter(\.measured).count
        var lines = [
            "Command: `swift run -c release LatencySimulation \(command)` (\(String(format: "%.0f", seconds)) s)",
            "",
            "\(world.networks.count) networks (\(measuredCount) measured, \(world.networks.count - measuredCount) never; providers of up to \(world.maxProviderNetworks)), "
                + "\(world.regions.count) regions, half-life \(ms(halfLifeHours)) h. Event: \(world.events.map(\.description).joined(separator: "; ")).",
            "",
            "| day | Nearcast: fastest region | mean / p95 excess ms | measured nets: mean excess | unmeasured nets: mean excess | geo-nearest: fastest region | mean / p95 excess ms | Nearcast mean ÷ geo mean |",
            "|---|---|---|---|---|---|---|---|",
        ]
        let rows = result.days.enumerated().map { (String($0.offset + 1), $0.element) } + [("**all**", result.overall)]
        for (label, day) in rows {
            let nearcast = "\(share(day.all.optimalShare)) | \(ms(day.all.mean)) / \(ms(day.all.p95))"
            let split = "\(ms(day.measured.mean)) | \(ms(day.unmeasured.mean))"
            let geo = "\(share(day.geo.optimalShare)) | \(ms(day.geo.mean)) / \(ms(day.geo.p95))"
            let ratio = String(format: "%.2f", day.all.mean / max(day.geo.mean, 0.001))
            lines.append("| \(label) | \(nearcast) | \(split) | \(geo) | \(ratio) |")
        }
        let hours = result.hoursToFollow.sorted()
        let median = hours.isEmpty ? 0 : hours[hours.count / 2]
        let rebuilds = result.rebuildSeconds.sorted()
        lines += [
            "",
            "After the event: \(result.affected) measured networks had a real change (a new fastest region, faster by more than the hysteresis margin); "
                + "\(result.followedWithinHalfLife) (\(share(Double(result.followedWithinHalfLife) / Double(max(1, result.affected))))) followed it within the half-life "
                + "(median \(median) h), answering the fastest region or one it beats by no more than that margin "
                + "(\(result.answeredFastestWithinHalfLife), \(share(Double(result.answeredFastestWithinHalfLife) / Double(max(1, result.affected)))), the fastest itself); of the \(result.affected - result.followedWithinHalfLife) that did not, "
                + "\(result.missedWithReports[0]) sent no report in those hours, \(result.missedWithReports[1]) one, "
                + "\(result.missedWithReports[2]) two or more. \(result.flappingNetworks) switched answers more often than their fastest region really changed (from the event's start to a day after its end), "
                + "\(result.flappingToSlower) of them at least once to a region that was not the fastest at the time (the others only ever to the truly fastest region); "
                + "\(result.switchingWithoutChange) switched more often than their fastest region changed at all, by any amount.",
            "Map rebuilds: median \(String(format: "%.2f", rebuilds.isEmpty ? 0 : rebuilds[rebuilds.count / 2])) s.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
