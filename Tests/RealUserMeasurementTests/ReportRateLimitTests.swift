import LatencyModel
import Testing
@testable import RealUserMeasurement

@Suite struct ReportRateLimitTests {
    let a = IPPrefix("198.51.100.0/24")!, b = IPPrefix("203.0.113.0/24")!

    @Test func eachNetworkGetsItsOwnAllowanceForAMinute() {
        let limit = ReportRateLimit(limit: 2)
        #expect([limit.admit(a, nowMs: 1_000), limit.admit(a, nowMs: 2_000), limit.admit(a, nowMs: 3_000)] == [true, true, false])
        #expect(limit.admit(b, nowMs: 3_000))
        #expect(!limit.admit(a, nowMs: 60_999))
        #expect(limit.admit(a, nowMs: 61_000))  // a new minute
    }

    @Test func aClockThatGoesBackStartsANewMinute() {
        let limit = ReportRateLimit(limit: 1)
        #expect(limit.admit(a, nowMs: 100_000))
        #expect(!limit.admit(a, nowMs: 100_001))
        #expect(limit.admit(a, nowMs: 50_000))
    }

    @Test func newcomersWaitOnceTheMinuteHoldsTooManyNetworks() {
        let limit = ReportRateLimit(limit: 5, maxNetworks: 1)
        #expect(limit.admit(a, nowMs: 0))
        #expect(!limit.admit(b, nowMs: 1))
        #expect(limit.admit(a, nowMs: 2))
        #expect(limit.admit(b, nowMs: 60_000))
    }
}
