import Foundation

/// The JavaScript beacon, with its configuration inlined: after the page has
/// loaded and the browser is idle it fetches each region's probe object twice
/// (the first warms DNS, TCP and TLS; the second is timed), then posts the
/// RTTs to the collector. It sets no cookies, sends none, and never throws
/// into the page.
struct BeaconScript {
    struct Config: Encodable {
        struct Target: Encodable {
            var region: String
            var url: String
        }
        /// Where the report goes: the collector's `/nearcast/rum` on the origin the script came from.
        var collector: String
        /// How many regions one page view times (a random subset); 0: all.
        var max: Int
        var regions: [Target]
    }

    /// The script for `config`. The config is JSON with `<` escaped, so no text in it can end a surrounding tag.
    static func render(_ config: Config) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(config)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        return template.replacingOccurrences(of: "__NEARCAST_CONFIG__", with: json.replacingOccurrences(of: "<", with: "\\u003c"))
    }

    /// Timing: Resource Timing's `responseStart - requestStart` when the probe object allows it
    /// (`Timing-Allow-Origin`), else `performance.now()` from the fetch to its response headers.
    static let template = """
    /* Nearcast real-user measurement beacon: times each region's probe object, reports the RTTs. */
    (function (w) {
      'use strict';
      var C = __NEARCAST_CONFIG__, P = w.performance, O = {cache: 'no-store', mode: 'cors', credentials: 'omit'};
      function url(u) {
        return new URL(u + (u.indexOf('?') < 0 ? '?' : '&') + 'nc=' + Math.random().toString(36).slice(2), location.href).href;
      }
      function time(u) {
        var t0 = P.now(), t1;
        return fetch(u, O).then(function (r) { t1 = P.now(); return r.arrayBuffer(); })
          .then(function () { return new Promise(function (ok) { setTimeout(ok, 0); }); })
          .then(function () {
            var e = P.getEntriesByName ? P.getEntriesByName(u).pop() : null;
            var ms = e && e.requestStart > 0 && e.responseStart > e.requestStart ? e.responseStart - e.requestStart : t1 - t0;
            return Math.max(0.1, Math.round(ms * 10) / 10);
          });
      }
      function measure(x, out) {
        return time(url(x.url)).then(function () { return time(url(x.url)); })
          .then(function (ms) { out.push({region: x.region, rtt_ms: ms}); }, function () {});
      }
      function send(body) {
        try { if (w.navigator.sendBeacon && w.navigator.sendBeacon(C.collector, body)) return; } catch (e) {}
        fetch(C.collector, {method: 'POST', body: body, keepalive: true, credentials: 'omit',
          headers: {'Content-Type': 'text/plain'}}).catch(function () {});
      }
      function run() {
        var rs = C.regions.slice(), out = [], chain = Promise.resolve(), i, j, t;
        for (i = rs.length - 1; i > 0; i--) { j = Math.floor(Math.random() * (i + 1)); t = rs[i]; rs[i] = rs[j]; rs[j] = t; }
        if (C.max > 0) rs = rs.slice(0, C.max);
        rs.forEach(function (x) { chain = chain.then(function () { return measure(x, out); }); });
        chain.then(function () { if (out.length) send(JSON.stringify({results: out})); }).catch(function () {});
      }
      function idle() {
        var go = function () { try { run(); } catch (e) {} };
        if (w.requestIdleCallback) w.requestIdleCallback(go, {timeout: 5000}); else setTimeout(go, 1);
      }
      try {
        if (!C || !w.fetch || !w.Promise || !w.URL || !P || !P.now) return;
        if (document.readyState === 'complete') idle(); else w.addEventListener('load', idle);
      } catch (e) {}
    })(window);

    """
}
