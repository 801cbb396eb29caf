import Testing
@testable import GeoPrior
import LatencyModel
import SeededRandom

@Suite struct CountryRTTTableTests {
    @Test func readsTheRIPEAtlasTableSymmetrically() throws {
        let table = try CountryRTTTable(path: ripeTablePath)
        #expect(table.rttMs("GB", "DE") == 57.70074559065521) // the row is DE,GB
        #expect(table.rttMs("DE", "GB") == table.rttMs("GB", "DE"))
        #expect(table.rttMs("GB", "GB") == 57.99783381638548)
        #expect(table.rttMs("AU", "GB")! > 250)
        #expect(table.rttMs("AD", "AT") == nil)            // 3 pings
        #expect(table.rttMs("AE", "None") == nil)
        #expect(table.pairs.count == 5_552)
        let everything = try CountryRTTTable(path: ripeTablePath, minimumPings: 0)
        #expect(everything.rttMs("AT", "AD") == 37.53599421183268)
        #expect(everything.pairs.count == 6_648)           // 6,827 less the rows naming None or Unknown
    }

    @Test func readsAnyColumnOrderAndCRLF() throws {
        let table = try CountryRTTTable(csv: Array("rtt_avg,cty2,rtt_cnt,cty1\r\n12.5,FR,1000,GB\r\n".utf8))
        #expect(table.rttMs("FR", "GB") == 12.5)
    }

    @Test(arguments: [
        ("cty1,cty2,rtt_cnt\n", 1, "no column rtt_avg"),
        ("cty1,cty2,rtt_cnt,rtt_avg\nGB,FR,100\n", 2, "expected 4 fields with a count and an RTT"),
        ("cty1,cty2,rtt_cnt,rtt_avg\nGB,FR,many,10\n", 2, "expected 4 fields with a count and an RTT"),
        ("cty1,cty2,rtt_cnt,rtt_avg\nGB,FR,100,-1\n", 2, "expected 4 fields with a count and an RTT"),
        ("cty1,cty2,rtt_cnt,rtt_avg\nGB,FR,100,10\nFR,GB,100,11\n", 3, "pair FR–GB repeated"),
    ])
    func rejectsMalformedRows(csv: String, line: Int, reason: String) {
        #expect(throws: CountryRTTTableError(line: line, reason: reason)) { try CountryRTTTable(csv: Array(csv.utf8)) }
    }
}

@Suite struct CountryLocationTests {
    @Test func coversEveryCountry() throws {
        let all = CountryLocations.all
        #expect(all.count == 250) // ISO 3166-1's 249 and XK
        #expect(all.values.allSatisfy { abs($0.latitude) <= 90 && abs($0.longitude) <= 180 })
        #expect(all["GB"] == GeoPoint(latitude: 52.68, longitude: -1.61))
        let table = try CountryRTTTable(path: ripeTablePath, minimumPings: 0)
        let unplaced = Set(table.pairs.flatMap { [$0.a, $0.b] }).filter { all[$0] == nil }
        #expect(unplaced == ["EU"])
    }

    @Test func measuresGreatCircles() {
        let london = GeoPoint(latitude: 51.5074, longitude: -0.1278), newYork = GeoPoint(latitude: 40.7128, longitude: -74.006)
        #expect(abs(london.distanceKm(to: newYork) - 5_570) < 10)
        #expect(london.distanceKm(to: london) == 0)
        #expect(abs(GeoPoint(latitude: 0, longitude: 179).distanceKm(to: GeoPoint(latitude: 0, longitude: -179)) - 222.4) < 0.5)
    }
}

@Suite struct RTTPriorTests {
    let catalog = try! RegionCatalog()
    func region(_ name: String) -> Region { catalog.regions[Int(catalog.id(of: name)!)] }
    func prior() throws -> RTTPrior { try RTTPrior(countryTable: CountryRTTTable(path: ripeTablePath)) }

    @Test func fitsTheDistanceModelOnTheTable() throws {
        let model = try prior().distanceModel
        print("""
            distance model: \(model.samples) pairs, rtt = \(model.interceptMs) ms + \(model.msPerKm * 1000) ms/1000 km, \
            RMSE \(model.rmseMs) ms, median relative error \(model.medianRelativeError), R² \(model.r2)
            """)
        #expect(model.samples > 4_000)
        #expect((14...17).contains(model.msPerKm * 1000)) // light in fibre: 10 ms per 1000 km
        #expect((60...90).contains(model.interceptMs))
        #expect(model.r2 > 0.5)
    }

    @Test func dropsPairsFasterThanLight() throws {
        #expect(try CountryRTTTable(path: ripeTablePath).rttMs("US", "MZ") == 1.5316625744104386)
        #expect(try prior().table.rttMs("US", "MZ") == nil)
        #expect(try prior().table.rttMs("SG", "US") != nil) // 148 ms: under light between the centres, not under half
    }

    @Test func predictsNearAndFarRegionsFromTheTable() throws {
        let prior = try prior()
        let gb = GeoLocation(country: "GB", point: nil)!
        let london = try #require(prior.predict(from: gb, to: region("eu-west-2")))
        let sydney = try #require(prior.predict(from: gb, to: region("ap-southeast-2")))
        #expect(london.source == .countryPair && sydney.source == .countryPair)
        #expect(london.rttMs < 65)
        #expect(sydney.rttMs > 250)
        // GB–GB's 58.0 ms, moved by the slope for London's 167 km from GB's point.
        #expect(abs(london.rttMs - 58.0 - 167 * prior.distanceModel.msPerKm) < 0.1)
    }

    @Test func usesCoordinatesWithinACountry() throws {
        let prior = try prior()
        let sanFrancisco = GeoLocation(country: "US", point: GeoPoint(latitude: 37.77, longitude: -122.42))!
        let newYork = GeoLocation(country: "US", point: GeoPoint(latitude: 40.71, longitude: -74.01))!
        let west = region("us-west-1"), east = region("us-east-1")
        let fromSF = (prior.predict(from: sanFrancisco, to: west)!.rttMs, prior.predict(from: sanFrancisco, to: east)!.rttMs)
        let fromNY = (prior.predict(from: newYork, to: west)!.rttMs, prior.predict(from: newYork, to: east)!.rttMs)
        #expect(fromSF.1 - fromSF.0 > 40)
        #expect(fromNY.0 - fromNY.1 > 40)
        // US–US's 108 ms stands for pings across the country, so a client
        // beside a US region is predicted faster than that, and faster than
        // to Japan (US–JP 130 ms) or Canada (US–CA 87 ms).
        let best = catalog.regions.min { prior.predict(from: sanFrancisco, to: $0)!.rttMs < prior.predict(from: sanFrancisco, to: $1)!.rttMs }
        #expect(best?.name == "us-west-1")
        #expect(fromSF.0 < 80)
    }

    @Test func fallsBackToTheDistanceModel() throws {
        let prior = try prior()
        let model = prior.distanceModel
        // Pitcairn is in no row of the table.
        let pitcairn = try #require(prior.predict(from: GeoLocation(country: "PN", point: nil)!, to: region("sa-east-1")))
        let km = CountryLocations.all["PN"]!.distanceKm(to: region("sa-east-1").point)
        #expect(pitcairn == RTTEstimate(rttMs: model.interceptMs + model.msPerKm * km, source: .distanceModel))
        let somewhere = GeoLocation(country: nil, point: GeoPoint(latitude: 0, longitude: 0))!
        #expect(prior.predict(from: somewhere, to: region("af-south-1"))?.source == .distanceModel)
        #expect(prior.predict(from: GeoLocation(country: "ZZ", point: nil)!, to: region("af-south-1")) == nil)
    }

    @Test func fitsLeastSquares() {
        let exact = DistanceModel.fit([(0, 10), (1000, 20), (2000, 30)])!
        #expect(abs(exact.interceptMs - 10) < 1e-9 && abs(exact.msPerKm - 0.01) < 1e-12)
        #expect(exact.rmseMs < 1e-9 && exact.r2 == 1 && exact.samples == 3)
        #expect(DistanceModel.fit([(100, 10)]) == nil)
        #expect(DistanceModel.fit([(100, 10), (100, 20)]) == nil)
        #expect(DistanceModel.fit([(100, 30), (200, 20)]) == nil)
    }

    @Test func calibrationRecoversAKnownLine() throws {
        var prior = try prior()
        var random = SeededGenerator(state: 7)
        let regions = catalog.regions
        let samples = (0..<2_000).map { _ -> (client: GeoLocation, region: Region, rttMs: Double) in
            let client = GeoPoint(latitude: .random(in: -60...70, using: &random), longitude: .random(in: -180...180, using: &random))
            let region = regions.randomElement(using: &random)!
            let km = client.distanceKm(to: region.point)
            return (GeoLocation(country: nil, point: client)!, region, 20 + 0.012 * km + .random(in: -5...5, using: &random))
        }
        let fitted = prior.calibrate(with: samples)
        let model = try #require(fitted)
        #expect(abs(model.msPerKm * 1000 - 12) < 0.1)
        #expect(abs(model.interceptMs - 20) < 1)
        #expect(model.rmseMs < 3.5 && model.r2 > 0.99)
        #expect(prior.distanceModel == model)
        let pitcairn = try #require(prior.predict(from: GeoLocation(country: "PN", point: nil)!, to: region("sa-east-1")))
        let km = CountryLocations.all["PN"]!.distanceKm(to: region("sa-east-1").point)
        #expect(pitcairn.rttMs == model.rttMs(km: km))
        #expect(prior.calibrate(with: Array(samples.prefix(1))) == nil)
        #expect(prior.distanceModel == model)
    }

    @Test func boundsEstimatesByLightInFibre() throws {
        var prior = try prior()
        let calcutta = GeoPoint(latitude: 22.57, longitude: 88.36), client = GeoLocation(country: nil, point: calcutta)!
        let far = region("sa-east-1"), near = region("ap-south-1")
        let farKm = calcutta.distanceKm(to: far.point)
        // A fit far too fast: 1 ms per 1000 km.
        prior.calibrate(with: [(client, near, 1), (client, far, 1 + farKm / 1000)])
        #expect(prior.predict(from: client, to: far)?.rttMs == farKm / 100)
        let here = Region(name: "here", latitude: calcutta.latitude, longitude: calcutta.longitude)
        #expect(prior.predict(from: client, to: here)?.rttMs == 1)
    }

    @Test func knowsEachRegionsCountry() throws {
        let prior = try prior()
        for region in RegionCatalog.route53 {
            let country = try #require(prior.country(of: region), "\(region.name)")
            #expect(CountryLocations.all[country] != nil)
            #expect(prior.table.rttMs(country, country) != nil || ["BH", "MY"].contains(country), "\(region.name) in \(country)")
        }
        #expect(prior.country(of: Region(name: "ams", latitude: 52.37, longitude: 4.90)) == "NL")
        #expect(prior.country(of: Region(name: "waw", latitude: 52.23, longitude: 21.01)) == "PL")
        // A region's country can be given: the row used is then GB–BE.
        let utrecht = Region(name: "utrecht", latitude: 52.09, longitude: 5.12)
        let gb = GeoLocation(country: "GB", point: nil)!, all = CountryLocations.all
        let expected = prior.table.rttMs("GB", "BE")! + prior.distanceModel.msPerKm
            * (all["GB"]!.distanceKm(to: GeoPoint(latitude: 52.09, longitude: 5.12)) - all["GB"]!.distanceKm(to: all["BE"]!))
        #expect(prior.predict(from: gb, to: utrecht, regionCountry: "BE") == RTTEstimate(rttMs: expected, source: .countryPair))
    }
}
