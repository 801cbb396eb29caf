#!/usr/bin/env python3
"""Writes the seed corpus for fuzz/FuzzMessage.swift into fuzz/corpus/.

Real queries and responses built with dnspython (pip install dnspython), plus
a few hand-made malformed packets. Output is deterministic (fixed message ids,
records written unshuffled), so rerunning the script leaves the committed
files unchanged.

    python3 fuzz/make_corpus.py [--regressions]

--regressions also writes reproducers of known bugs (see svcb_rdata_overflow);
leave it off until they are fixed, or every fuzz run fails at once.
"""

import os
import struct
import sys

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

ZONE = "example.com."
QTYPES = ["A", "AAAA", "MX", "TXT", "SRV", "CAA", "NAPTR", "DS", "SSHFP", "TLSA",
          "SVCB", "HTTPS", "ANY", "TYPE65000"]

# Record data in presentation form, per type; several names end in the zone so
# dnspython's encoder compresses them against the question and owner names.
RDATA = {
    "A": ["192.0.2.1", "198.51.100.7"],
    "AAAA": ["2001:db8::1", "2001:db8:85a3::8a2e:370:7334"],
    "MX": ["10 mail.example.com.", "20 MAIL2.Example.COM."],
    "TXT": ['"v=spf1 -all"', '"first string" "second string" ""', '"\\000\\255 binary"'],
    "SRV": ["10 60 5060 sip.example.com.", "0 0 0 ."],
    "CAA": ['0 issue "letsencrypt.org"', '128 iodef "mailto:security@example.com"'],
    "NAPTR": ['100 10 "S" "SIP+D2U" "" _sip._udp.example.com.',
              '100 50 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .'],
    "DS": ["60485 5 1 2bb183af5f22588179a53b0a98631fad1a292118",
           "31589 8 2 cde0d742d6998aa554a92d890f8184c698cfac8a26fa59875a990c03e576343c"],
    "SSHFP": ["1 1 dd465c09cfa51fb45020cc83316fff21b9ec74ac",
              "4 2 eaa3f4ba2b2a3fd1ee8c5ff0e0e9c6bc45e2ad5c2efd7bd33a4be0a9f6b3e0d4"],
    "TLSA": ["3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6",
             "2 0 0 308201"],
    "SVCB": ["1 svc.example.com. alpn=h2,h3 port=8443 ipv4hint=192.0.2.1",
             "0 alias.example.com."],
    "HTTPS": ["1 . alpn=h3,h2 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1",
              "2 cdn.example.net. mandatory=alpn alpn=h2 port=443 ech=AAb+DQACq80= key65333=hello"],
    "TYPE65000": ["\\# 4 deadbeef", "\\# 0"],
    "NS": ["ns1.example.com.", "ns2.example.net."],
    "CNAME": ["target.example.com."],
    "PTR": ["host.example.com."],
    "SPF": ['"v=spf1 ip4:192.0.2.0/24 -all"'],
    "SOA": ["ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"],
    "TYPE1234": ["\\# 6 000102030405"],
}


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def query(qname, qtype, msg_id, **kwargs):
    q = dns.message.make_query(qname, qtype, **kwargs)
    q.id = msg_id
    return q


def rrset(owner, rtype, rdatas, ttl=300):
    return dns.rrset.from_text_list(owner, ttl, "IN", rtype, rdatas)


def queries():
    msg_id = 0x1000
    for qtype in QTYPES:
        msg_id += 1
        label = qtype.lower()
        write(f"q-{label}.bin", query("www.example.com.", qtype, msg_id, use_edns=False).to_wire(want_shuffle=False))
        write(f"q-{label}-edns-do.bin",
              query("www.example.com.", qtype, msg_id, use_edns=0, payload=1232, want_dnssec=True).to_wire(want_shuffle=False))
    # EDNS variants on A and AAAA queries.
    ecs = [
        ("ecs4-24", "192.0.2.0", 24), ("ecs4-32", "192.0.2.55", 32), ("ecs4-0", "0.0.0.0", 0),
        ("ecs4-13", "198.51.0.0", 13), ("ecs6-56", "2001:db8:1234:5600::", 56),
        ("ecs6-128", "2001:db8::1", 128), ("ecs6-0", "::", 0), ("ecs6-33", "2001:db8:8000::", 33),
    ]
    for i, (label, address, prefix) in enumerate(ecs):
        qtype = "AAAA" if "6" in label else "A"
        write(f"q-{label}.bin", query("client.example.com.", qtype, 0x2000 + i, use_edns=0, payload=4096,
                                      options=[dns.edns.ECSOption(address, prefix)]).to_wire(want_shuffle=False))
    write("q-ecs-scope.bin", query("client.example.com.", "A", 0x2100, use_edns=0,
                                   options=[dns.edns.ECSOption("203.0.113.0", 24, 16)]).to_wire(want_shuffle=False))
    write("q-edns-unknown-opts.bin", query("www.example.com.", "A", 0x2200, use_edns=0, want_dnssec=True, options=[
        dns.edns.GenericOption(65001, b"\x01\x02\x03"),
        dns.edns.CookieOption(b"\x01\x23\x45\x67\x89\xab\xcd\xef", b""),
        dns.edns.ECSOption("192.0.2.0", 24),
        dns.edns.GenericOption(12, b"\x00" * 8),  # padding
        dns.edns.GenericOption(3, b""),  # NSID request
    ]).to_wire(want_shuffle=False))
    write("q-edns-version1.bin", query("www.example.com.", "A", 0x2300, use_edns=1, payload=512).to_wire(want_shuffle=False))
    q = query("MiXeD.CaSe.Example.COM.", "A", 0x2400, use_edns=0)
    q.flags |= dns.flags.CD | dns.flags.AD
    write("q-mixed-case-flags.bin", q.to_wire(want_shuffle=False))
    write("q-root-ns.bin", query(".", "NS", 0x2500, use_edns=0).to_wire(want_shuffle=False))
    write("q-escaped-name.bin", query("a\\.b\\032c\\255.example.com.", "TXT", 0x2600, use_edns=False).to_wire(want_shuffle=False))


def responses():
    msg_id = 0x3000
    for qtype in QTYPES:
        msg_id += 1
        label = qtype.lower()
        q = query("www.example.com.", qtype, msg_id, use_edns=0, payload=1232, want_dnssec=True)
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        r.want_dnssec(True)
        types = [t for t in QTYPES if t != "ANY"] + ["SPF"] if qtype == "ANY" else [qtype]
        for t in types:
            r.answer.append(rrset("www.example.com.", t, RDATA[t]))
        r.authority.append(rrset(ZONE, "NS", RDATA["NS"], ttl=86400))
        r.additional.append(rrset("ns1.example.com.", "A", ["192.0.2.53"], ttl=86400))
        r.additional.append(rrset("ns1.example.com.", "AAAA", ["2001:db8::53"], ttl=86400))
        write(f"r-{label}.bin", r.to_wire(want_shuffle=False))

    # A response echoing ECS with a scope, CNAME chain into the zone.
    q = query("www.example.com.", "A", 0x3100, use_edns=0, options=[dns.edns.ECSOption("192.0.2.0", 24)])
    r = dns.message.make_response(q)
    r.flags |= dns.flags.AA
    r.use_edns(0, 0, 1232, options=[dns.edns.ECSOption("192.0.2.0", 24, 20)])
    r.answer.append(rrset("www.example.com.", "CNAME", RDATA["CNAME"]))
    r.answer.append(rrset("target.example.com.", "A", RDATA["A"], ttl=60))
    write("r-cname-ecs.bin", r.to_wire(want_shuffle=False))

    q = query("v6.example.com.", "AAAA", 0x3200, use_edns=0,
              options=[dns.edns.ECSOption("2001:db8:1234::", 48)])
    r = dns.message.make_response(q)
    r.use_edns(0, 0, 1232, options=[dns.edns.ECSOption("2001:db8:1234::", 48, 40)])
    r.answer.append(rrset("v6.example.com.", "AAAA", RDATA["AAAA"]))
    write("r-aaaa-ecs6.bin", r.to_wire(want_shuffle=False))

    # NXDOMAIN with SOA in authority.
    q = query("nope.example.com.", "A", 0x3300, use_edns=0)
    r = dns.message.make_response(q)
    r.set_rcode(dns.rcode.NXDOMAIN)
    r.authority.append(rrset(ZONE, "SOA", RDATA["SOA"]))
    write("r-nxdomain-soa.bin", r.to_wire(want_shuffle=False))

    # Extended rcode (BADVERS) carried in OPT.
    q = query("www.example.com.", "A", 0x3400, use_edns=1)
    r = dns.message.make_response(q)
    r.use_edns(0, 0, 1232)
    r.set_rcode(dns.rcode.BADVERS)
    write("r-badvers.bin", r.to_wire(want_shuffle=False))

    # Referral, PTR, SPF and an unknown type, no EDNS.
    q = query("sub.example.com.", "NS", 0x3500, use_edns=False)
    r = dns.message.make_response(q)
    r.authority.append(rrset("sub.example.com.", "NS", ["ns.sub.example.com.", "NS.OTHER.example.net."]))
    r.additional.append(rrset("ns.sub.example.com.", "A", ["198.51.100.53"]))
    write("r-referral.bin", r.to_wire(want_shuffle=False))

    q = query("1.2.0.192.in-addr.arpa.", "PTR", 0x3600, use_edns=False)
    r = dns.message.make_response(q)
    r.answer.append(rrset("1.2.0.192.in-addr.arpa.", "PTR", RDATA["PTR"]))
    write("r-ptr.bin", r.to_wire(want_shuffle=False))

    q = query("example.com.", "TYPE1234", 0x3700, use_edns=0)
    r = dns.message.make_response(q)
    r.answer.append(rrset("example.com.", "TYPE1234", RDATA["TYPE1234"]))
    r.answer.append(rrset("example.com.", "SPF", RDATA["SPF"]))
    write("r-unknown-spf.bin", r.to_wire(want_shuffle=False))

    # Truncated (TC) empty response and a CHAOS query.
    q = query("www.example.com.", "TXT", 0x3800, use_edns=False)
    r = dns.message.make_response(q)
    r.flags |= dns.flags.TC
    write("r-tc.bin", r.to_wire(want_shuffle=False))
    write("q-chaos-version.bin", query("version.bind.", "TXT", 0x3900, rdclass="CH", use_edns=False).to_wire(want_shuffle=False))


def header(msg_id=0xBEEF, flags=0x0100, qd=0, an=0, ns=0, ar=0):
    return struct.pack("!6H", msg_id, flags, qd, an, ns, ar)


def opt(payload=1232, ttl=0, options=b""):
    return b"\x00" + struct.pack("!HHIH", 41, payload, ttl, len(options)) + options


def ecs_option(family, source, scope, address):
    body = struct.pack("!HBB", family, source, scope) + address
    return struct.pack("!HH", 8, len(body)) + body


WWW = b"\x03www\x07example\x03com\x00"
QA = struct.pack("!HH", 1, 1)


def malformed():
    good = header(qd=1, ar=1) + WWW + QA + opt()
    write("bad-truncated-header.bin", good[:7])
    write("bad-truncated-question.bin", good[:20])
    write("bad-truncated-opt.bin", good[:-3])
    write("bad-trailing-bytes.bin", good + b"\x00\x00")
    # Names: a pointer to itself, a two-pointer loop, a forward pointer.
    write("bad-compression-self.bin", header(qd=1) + b"\xc0\x0c" + QA)
    write("bad-compression-loop.bin",  # answer owner: label "b", then a pointer back to itself
          header(qd=1, an=1) + WWW + QA + b"\x01b\xc0\x21" + struct.pack("!HHIH", 1, 1, 60, 4) + b"\xc0\x00\x02\x01")
    write("bad-compression-forward.bin", header(qd=1) + b"\xc0\x0e" + QA + WWW)
    write("bad-label-64.bin", header(qd=1) + b"\x40" + b"a" * 64 + b"\x00" + QA)
    write("bad-label-type-80.bin", header(qd=1) + b"\x3f" + b"a" * 63 + b"\x01b" + b"\x80\x00" + QA)
    long_name = b"".join(b"\x3f" + bytes([0x61 + i]) * 63 for i in range(4)) + b"\x00"  # 257 bytes
    write("bad-name-over-255.bin", header(qd=1) + long_name + QA)
    ok_name = b"".join(b"\x3f" + bytes([0x61 + i]) * 63 for i in range(3)) + b"\x3d" + b"d" * 61 + b"\x00"  # 255
    write("ok-name-255.bin", header(qd=1) + ok_name + QA)
    # Pointer chain that makes a name over 255 bytes out of parts that are each fine.
    part = b"\x3f" + b"x" * 63
    chain = header(qd=2) + part + part + b"\x00" + QA + part + part + b"\xc0\x0c" + QA
    write("bad-name-over-255-via-pointer.bin", chain)
    # EDNS problems.
    write("bad-two-opt.bin", header(qd=1, ar=2) + WWW + QA + opt() + opt())
    write("bad-opt-in-answer.bin", header(qd=1, an=1) + WWW + QA + opt())
    write("bad-opt-owner.bin", header(qd=1, ar=1) + WWW + QA + b"\xc0\x0c" + opt()[1:])
    write("bad-ecs-family.bin", header(qd=1, ar=1) + WWW + QA + opt(options=ecs_option(3, 24, 0, b"\xc0\x00\x02")))
    write("bad-ecs-prefix-bits.bin", header(qd=1, ar=1) + WWW + QA + opt(options=ecs_option(1, 23, 0, b"\xc0\x00\x03")))
    write("bad-ecs-address-long.bin", header(qd=1, ar=1) + WWW + QA + opt(options=ecs_option(1, 8, 0, b"\xc0\x00")))
    write("bad-ecs-source-over-max.bin", header(qd=1, ar=1) + WWW + QA + opt(options=ecs_option(2, 129, 0, b"\x20" * 17)))
    write("bad-ecs-twice.bin", header(qd=1, ar=1) + WWW + QA
          + opt(options=ecs_option(1, 0, 0, b"") + ecs_option(1, 8, 0, b"\x0a")))
    write("bad-opt-option-overrun.bin", header(qd=1, ar=1) + WWW + QA + opt(options=b"\x00\x0a\x00\x09abc"))
    # Record data problems.
    rr = lambda t, rdata: b"\xc0\x0c" + struct.pack("!HHIH", t, 1, 60, len(rdata)) + rdata
    write("bad-a-length.bin", header(qd=1, an=1) + WWW + QA + rr(1, b"\x01\x02\x03"))
    write("bad-rdlength-overrun.bin", header(qd=1, an=1) + WWW + QA + b"\xc0\x0c" + struct.pack("!HHIH", 16, 1, 60, 200) + b"\x03abc")
    write("bad-svcb-key-order.bin", header(qd=1, an=1) + WWW + QA
          + rr(64, b"\x00\x01\x00" + b"\x00\x03\x00\x02\x01\xbb" + b"\x00\x01\x00\x03\x02h2"))
    write("bad-mx-name-past-rdata.bin", header(qd=1, an=1) + WWW + QA + rr(15, b"\x00\x0a\x03mx") + b"\x00")


def svcb_rdata_overflow():
    """A 65,487-byte response whose SVCB target re-encodes 72 bytes longer.

    The target is a 63-byte label plus a pointer back to offset 15 (the
    record's CLASS field). Read from there, 0x0A is a 10-byte label over
    CLASS/TTL/RDLENGTH/priority and the target's own length byte, and the
    target's label data reads as a 61-byte label ending in a zero byte. So the
    2-byte pointer expands to 74 bytes; Message.encode writes the target
    uncompressed (RFC 3597 §4), and the RDATA (65,464 bytes on the wire)
    becomes 65,536 bytes: UInt16(...) in Message.encode(_:into:) traps.
    """
    hdr = header(msg_id=0x1234, flags=0x8400, an=1)
    target = bytes([0x3F, 61]) + b"x" * 61 + b"\x00" + b"\xc0\x0f"
    rdlen = 65464
    param_len = rdlen - 2 - len(target) - 4
    rdata = struct.pack("!H", 1) + target + struct.pack("!HH", 1, param_len) + b"\x00" * param_len
    msg = hdr + b"\x00" + struct.pack("!HHIH", 64, 0x0A00, 300, rdlen) + rdata
    assert len(msg) <= 65535
    return msg


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".bin"):
            os.remove(os.path.join(OUT, f))
    queries()
    responses()
    malformed()
    if "--regressions" in sys.argv[1:]:
        # Inputs for bugs found by the fuzzer; add to the corpus once fixed.
        write("regress-svcb-rdata-overflow.bin", svcb_rdata_overflow())
    files = sorted(os.listdir(OUT))
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in files)
    print(f"wrote {len(files)} files, {total} bytes, to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
