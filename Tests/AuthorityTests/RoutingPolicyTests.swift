import Testing
import Authority
import DNSWire
import LatencyModel

/// Routing policies with health checks, as Route 53 documents them.
@Suite struct RoutingPolicyTests {
    let origin = "pol.test."
    /// A London client: eu-west-2 (8 ms), then us-east-1 (76 ms), then ap-northeast-1.
    let london = "81.2.69.77"

    func set(_ owner: String, _ id: String, _ policy: RoutingPolicy, _ values: [String] = [], alias: String? = nil,
             evaluate: Bool = false, check: String? = nil) -> RoutedDeclaration {
        routedSet(owner, in: origin, .a, id: id, policy: policy, values, alias: alias, evaluateTargetHealth: evaluate, healthCheck: check)
    }

    func snapshot(_ sets: [RoutedDeclaration], unhealthy: Set<String> = []) -> Snapshot {
        makeSnapshot([(origin, latencyZone)], latency: sets, measurements: measurements,
                     defaultRegions: ["ap-northeast-1"], unhealthy: unhealthy)
    }

    func answer(_ s: Snapshot, _ owner: String = "www") -> [String] {
        values(s.resolve("\(owner).\(origin)", .a, from: london).answer).sorted()
    }

    // MARK: Latency

    var latencySets: [RoutedDeclaration] {
        [set("www", "virginia", .latency(region("us-east-1")), ["192.0.2.1"], check: "hc-virginia"),
         set("www", "london", .latency(region("eu-west-2")), ["192.0.2.2"], check: "hc-london"),
         set("www", "tokyo", .latency(region("ap-northeast-1")), ["192.0.2.3"])]
    }

    @Test func latencySkipsAnUnhealthyRegionForTheNextBest() {
        #expect(answer(snapshot(latencySets)) == ["192.0.2.2"])
        let r = snapshot(latencySets, unhealthy: ["hc-london"]).resolve("www.\(origin)", .a, from: london)
        #expect(values(r.answer) == ["192.0.2.1"])
        #expect(r.scope == 24)
        #expect(r.steps.first?.skipped == [SkippedSet(setIdentifier: "london", reason: "health check hc-london is unhealthy")])
        #expect(r.steps.first?.allUnhealthy == false)
        // Two unhealthy: the third ranked region, which has no check (always healthy).
        #expect(answer(snapshot(latencySets, unhealthy: ["hc-london", "hc-virginia"])) == ["192.0.2.3"])
    }

    @Test func whenEverySetIsUnhealthyTheBestAnswersAsIfAllWereHealthy() {
        let sets = latencySets.map { declaration -> RoutedDeclaration in
            var copy = declaration
            copy.set.healthCheck = copy.set.healthCheck ?? "hc-tokyo"
            return copy
        }
        let r = snapshot(sets, unhealthy: ["hc-london", "hc-virginia", "hc-tokyo"]).resolve("www.\(origin)", .a, from: london)
        #expect(values(r.answer) == ["192.0.2.2"])
        #expect(r.steps.first?.allUnhealthy == true)
        #expect(r.steps.first?.skipped.count == 3)
    }

    @Test func anUnknownHealthCheckIsHealthy() {
        #expect(answer(snapshot(latencySets, unhealthy: ["some-other-check"])) == ["192.0.2.2"])
    }

    // MARK: Weighted

    @Test func weightedAnswersInProportionToWeight() {
        let s = snapshot([set("w", "a", .weighted(3), ["192.0.2.10"]), set("w", "b", .weighted(1), ["192.0.2.11"])])
        var counts: [String: Int] = [:]
        for _ in 0..<4000 { counts[answer(s, "w")[0], default: 0] += 1 }
        // 3:1 expected; 2,600..3,400 of 4,000 is far beyond chance (σ ≈ 27).
        #expect((2600...3400).contains(counts["192.0.2.10"] ?? 0), "\(counts)")
        #expect(counts.values.reduce(0, +) == 4000)
    }

    @Test func weightedNeverAnswersAnUnhealthySetWhileAnotherIsHealthy() {
        let s = snapshot([set("w", "a", .weighted(100), ["192.0.2.10"], check: "hc-a"), set("w", "b", .weighted(1), ["192.0.2.11"])],
                         unhealthy: ["hc-a"])
        for _ in 0..<200 { #expect(answer(s, "w") == ["192.0.2.11"]) }
    }

    @Test func zeroWeightSetsAnswerOnlyWhenEveryWeightedSetIsUnhealthy() {
        let sets = [set("w", "a", .weighted(5), ["192.0.2.10"], check: "hc-a"), set("w", "spare", .weighted(0), ["192.0.2.12"])]
        for _ in 0..<100 { #expect(answer(snapshot(sets), "w") == ["192.0.2.10"]) }
        for _ in 0..<100 { #expect(answer(snapshot(sets, unhealthy: ["hc-a"]), "w") == ["192.0.2.12"]) }
        // All weights 0: every set in turn.
        let zeros = snapshot([set("z", "a", .weighted(0), ["192.0.2.20"]), set("z", "b", .weighted(0), ["192.0.2.21"])])
        #expect(Set((0..<200).map { _ in answer(zeros, "z")[0] }) == ["192.0.2.20", "192.0.2.21"])
    }

    // MARK: Failover

    @Test func failoverAnswersThePrimaryWhileHealthyElseTheSecondary() {
        let sets = [set("f", "secondary", .failover(primary: false), ["192.0.2.31"], check: "hc-s"),
                    set("f", "primary", .failover(primary: true), ["192.0.2.30"], check: "hc-p")]
        #expect(answer(snapshot(sets), "f") == ["192.0.2.30"])
        #expect(answer(snapshot(sets, unhealthy: ["hc-p"]), "f") == ["192.0.2.31"])
        // Both unhealthy: the primary (Route 53's rule).
        let r = snapshot(sets, unhealthy: ["hc-p", "hc-s"]).resolve("f.\(origin)", .a, from: london)
        #expect(values(r.answer) == ["192.0.2.30"])
        #expect(r.steps.first?.allUnhealthy == true)
        #expect(r.scope == 0, "failover does not depend on the client")
    }

    // MARK: Multivalue

    @Test func multivalueAnswersUpToEightHealthySets() {
        let sets = (0..<10).map { set("m", "v\($0)", .multivalue, ["192.0.2.\(40 + $0)"], check: "hc-\($0)") }
        let healthy = snapshot(sets, unhealthy: ["hc-0", "hc-1"])
        for _ in 0..<50 {
            let got = answer(healthy, "m")
            #expect(got == (2..<10).map { "192.0.2.\(40 + $0)" }.sorted())
        }
        let some = snapshot(sets, unhealthy: Set((0..<7).map { "hc-\($0)" }))
        #expect(answer(some, "m") == ["192.0.2.47", "192.0.2.48", "192.0.2.49"])
        // None healthy: up to eight of them all.
        let none = snapshot(sets, unhealthy: Set((0..<10).map { "hc-\($0)" }))
        let got = none.resolve("m.\(origin)", .a, from: london)
        #expect(got.answer.count == 8)
        #expect(got.steps.first?.allUnhealthy == true)
    }

    // MARK: Alias trees

    /// www: latency aliases (evaluating target health) to per-region
    /// failover pairs with health checks.
    func tree(evaluate: Bool) -> [RoutedDeclaration] {
        [set("www", "london", .latency(region("eu-west-2")), alias: "eu.\(origin)", evaluate: evaluate),
         set("www", "virginia", .latency(region("us-east-1")), alias: "us.\(origin)", evaluate: evaluate),
         set("eu", "p", .failover(primary: true), ["192.0.2.50"], check: "hc-eu-1"),
         set("eu", "s", .failover(primary: false), ["192.0.2.51"], check: "hc-eu-2"),
         set("us", "a", .weighted(1), ["192.0.2.60"], check: "hc-us-1"),
         set("us", "b", .weighted(1), ["192.0.2.61"], check: "hc-us-2")]
    }

    @Test func aliasTreesBackOutOfAnUnhealthyBranch() {
        #expect(answer(snapshot(tree(evaluate: true))) == ["192.0.2.50"])
        #expect(answer(snapshot(tree(evaluate: true), unhealthy: ["hc-eu-1"])) == ["192.0.2.51"])
        // The whole London branch is down: the next-best region's branch answers.
        let r = snapshot(tree(evaluate: true), unhealthy: ["hc-eu-1", "hc-eu-2", "hc-us-1"]).resolve("www.\(origin)", .a, from: london)
        #expect(values(r.answer) == ["192.0.2.61"])
        #expect(r.answer.first?.name == name("www.\(origin)"))
        #expect(r.scope == 24)
        #expect(r.steps.first?.owner == name("www.\(origin)"))
        #expect(r.steps.first?.skipped.first?.setIdentifier == "london")
        #expect(r.steps.first?.chosen.first?.setIdentifier == "virginia")
        // Every branch down: as if all were healthy, from the top.
        #expect(answer(snapshot(tree(evaluate: true), unhealthy: ["hc-eu-1", "hc-eu-2", "hc-us-1", "hc-us-2"])) == ["192.0.2.50"])
    }

    @Test func withoutEvaluateTargetHealthTheBranchIsUsedRegardless() {
        // The London branch answers as if healthy (its primary), though all of it is down.
        #expect(answer(snapshot(tree(evaluate: false), unhealthy: ["hc-eu-1", "hc-eu-2"])) == ["192.0.2.50"])
    }

    @Test func theScopeIsTheLongestAnyStepNeeded() {
        // A weighted top level over latency branches: the answer depends on the client's /24.
        let sets = [set("top", "one", .weighted(1), alias: "www.\(origin)")] + latencySets
        let r = snapshot(sets).resolve("top.\(origin)", .a, from: london)
        #expect(values(r.answer) == ["192.0.2.2"])
        #expect(r.scope == 24)
        #expect(r.steps.map(\.policy.name) == ["weighted", "latency"])
    }

    // MARK: Building

    @Test func groupsKeepOnePolicyAndUniqueRoles() {
        func errors(_ sets: [RoutedDeclaration]) -> [String] { buildErrors(origin, latencyZone, latency: sets) }
        #expect(errors([set("x", "a", .weighted(1), ["192.0.2.1"]), set("x", "b", .latency(region("us-east-1")), ["192.0.2.2"])])
            == ["config:1: latency record set x.pol.test. A cannot share its name and type with the weighted record set at config:1"])
        #expect(errors([set("x", "a", .failover(primary: true), ["192.0.2.1"]), set("x", "b", .failover(primary: true), ["192.0.2.2"])])
            == ["config:1: x.pol.test. A already has a PRIMARY failover record set at config:1"])
        #expect(errors([set("x", "a", .multivalue, alias: "www.\(origin)")])
            == ["config:1: multivalue answer record set x.pol.test. A cannot be an alias"])
    }
}
