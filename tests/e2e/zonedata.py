"""Test data: configs, zone files and latency maps, following docs/configuration.md.

STANDARD is the data set served by the module-scoped `server` fixture.
TYPES is the RR-type zone (served on its own so that a parser failure on an
exotic type only breaks test_types).
"""

# --------------------------------------------------------------------------
# the standard data set
# --------------------------------------------------------------------------

CONFIG = """\
# Nearcast end-to-end test configuration
tcp_idle_timeout_ms: 1000
default_regions: [us-east-1, eu-west-2]
latency_map: latency.csv
regions:
  - { name: dc-paris, latitude: 48.86, longitude: 2.35 }
zones:
  - origin: example.com.
    file: zones/example.com.zone
    latency_records:
      - name: geo
        type: A
        ttl: 60
        sets:
          - { id: sae1, region: sa-east-1, values: [192.0.2.4, 192.0.2.44] }
          - { id: apne1, region: ap-northeast-1, values: [192.0.2.3] }
          - { id: euw2, region: eu-west-2, values: [192.0.2.2] }
          - { id: use1, region: us-east-1, values: [192.0.2.1] }
          - { id: paris, region: dc-paris, values: [192.0.2.5] }
      - name: geo6.example.com.
        type: AAAA
        ttl: 30
        sets:
          - { id: sae1, region: sa-east-1, values: ["2001:db8::4"] }
          - { id: apne1, region: ap-northeast-1, values: ["2001:db8::3"] }
          - { id: euw2, region: eu-west-2, values: ["2001:db8::2"] }
          - { id: use1, region: us-east-1, values: ["2001:db8::1"] }
      - name: svc.region       # region.example.com exists only as an empty non-terminal of a latency name
        type: A
        ttl: 60
        sets:
          - { id: use1, region: us-east-1, values: [192.0.2.61] }
          - { id: euw2, region: eu-west-2, values: [192.0.2.62] }
  - origin: soattl.test.
    file: zones/soattl.test.zone
  - origin: inner.example.com.      # a child zone of example.com served by the same server
    file: zones/inner.example.com.zone
  - origin: wild.test.
    file: zones/wild.test.zone
    latency_records:
      - name: lat              # a latency name beside a wildcard: it exists, so the wildcard must not apply
        type: A
        ttl: 60
        sets:
          - { id: use1, region: us-east-1, values: [192.0.2.71] }
          - { id: euw2, region: eu-west-2, values: [192.0.2.72] }
"""

# region -> geo A values / geo6 AAAA values
GEO_A = {
    "sa-east-1": {"192.0.2.4", "192.0.2.44"},
    "ap-northeast-1": {"192.0.2.3"},
    "eu-west-2": {"192.0.2.2"},
    "us-east-1": {"192.0.2.1"},
    "dc-paris": {"192.0.2.5"},
}
GEO_AAAA = {
    "sa-east-1": {"2001:db8::4"},
    "ap-northeast-1": {"2001:db8::3"},
    "eu-west-2": {"2001:db8::2"},
    "us-east-1": {"2001:db8::1"},
}

LATENCY_CSV = """\
prefix,region,rtt_ms
# 10.1.0.0/24 and 10.1.1.0/24 share one ranking -> merged into 10.1.0.0/23 (scope 23)
10.1.0.0/24,eu-west-2,5
10.1.0.0/24,us-east-1,50
10.1.0.0/24,ap-northeast-1,150
10.1.1.0/24,eu-west-2,5
10.1.1.0/24,us-east-1,50
10.1.1.0/24,ap-northeast-1,150

# adjacent /24s with different rankings -> scope 24 each
10.2.0.0/24,ap-northeast-1,5
10.2.0.0/24,us-east-1,60
10.2.1.0/24,us-east-1,5
10.2.1.0/24,ap-northeast-1,60

# a /16 with a more specific /24 inside it
10.3.0.0/16,eu-west-2,10
10.3.0.0/16,us-east-1,70
10.3.5.0/24,ap-northeast-1,10
10.3.5.0/24,eu-west-2,70

# same ranking but not mergeable: 10.4.1.0/24 + 10.4.2.0/24 are not one CIDR block -> scope 24 each
10.4.1.0/24,eu-west-2,5
10.4.1.0/24,us-east-1,50
10.4.2.0/24,eu-west-2,5
10.4.2.0/24,us-east-1,50

# a /24 inside a /16 with the same order (different RTTs): the whole /16 shares one ranking -> scope 16
10.6.0.0/16,ap-northeast-1,10
10.6.0.0/16,us-east-1,70
10.6.7.0/24,ap-northeast-1,4
10.6.7.0/24,us-east-1,90

# best region has no record set for geo -> next ranked region
10.9.0.0/24,ca-central-1,3
10.9.0.0/24,eu-west-2,20
10.9.0.0/24,us-east-1,60

# a region declared under `regions:`
10.7.0.0/24,dc-paris,2
10.7.0.0/24,eu-west-2,30

# loopback: proves that the source address is used without ECS
127.0.0.0/8,sa-east-1,1
127.0.0.0/8,us-east-1,100

2001:db8:1::/48,ap-northeast-1,5
2001:db8:1::/48,us-east-1,100
2001:db8:2::/48,sa-east-1,5
2001:db8:2::/48,us-east-1,100
# two aligned IPv6 /48s with one ranking -> /47
2001:db8:4::/48,eu-west-2,5
2001:db8:4::/48,us-east-1,100
2001:db8:5::/48,eu-west-2,5
2001:db8:5::/48,us-east-1,100
"""

EXAMPLE_ZONE = """\
$ORIGIN example.com.
$TTL 3600
; SOA TTL 3600 > MINIMUM 300 -> negative TTL 300
@           3600 IN SOA   ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300
@           IN NS    ns1.example.com.
@           IN NS    ns2.example.com.
ns1         IN A     192.0.2.253
ns2         IN A     192.0.2.254
www         300 IN A 192.0.2.80
www         IN AAAA  2001:db8::80
www         IN TXT   "v=www"
www         IN MX    10 mail.example.com.
mail        IN A     192.0.2.25
; b.example.com is an empty non-terminal
a.b         IN A     192.0.2.11
; CNAME chains
c1          IN CNAME c2
c2          IN CNAME c3.example.com.
c3          IN A     192.0.2.30
c4          IN CNAME c3
dangle      IN CNAME nothere.example.com.
dangle2     IN CNAME dangle
ext         IN CNAME target.outside.invalid.
ext2        IN CNAME ext
loop1       IN CNAME loop2
loop2       IN CNAME loop1
self        IN CNAME self
geoalias    IN CNAME geo
tochild     IN CNAME www.child.example.com.
; delegations
child       IN NS    ns1.child
child       IN NS    ns2.child.example.com.
child       IN NS    ns.outside.invalid.
ns1.child   IN A     192.0.2.53
ns1.child   IN AAAA  2001:db8::53
ns2.child   IN A     192.0.2.54
signed      IN NS    ns1.signed
; a delegation whose referral (20 NS + glue) does not fit in 512 bytes
{manyns}
; inner.example.com is delegated here and also served as its own zone
inner       IN NS    ns.inner
inner       IN DS    2222 13 2 AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899
ns.inner    IN A     192.0.2.151
signed      IN DS    12345 13 2 2BB183AF5F22588179A53B0A98631FAD1A292118F5DF3C0E0D6C8C1D9C0E3C3D
ns1.signed  IN A     192.0.2.55
; truncation
{edges}
{big}
{mid}
"""

BIG_TXT = [f"big{i:02d}" + "x" * 245 for i in range(12)]   # 12 x 250 chars -> ~3.2 kB
MID_TXT = [f"mid{i:02d}" + "y" * 245 for i in range(3)]    # 3 x 250 chars  -> ~0.85 kB


MANYNS = [f"ns{i:02d}.many.example.com." for i in range(12)]


def _manyns_lines():
    out = [f"many        IN NS    {n}" for n in MANYNS]
    for i, n in enumerate(MANYNS):
        out.append(f"{n} IN A 192.0.2.{100 + i}")
        out.append(f"{n} IN AAAA 2001:db8::{100 + i:x}")
    return "\n".join(out)


EDGE_SIZES = range(455, 471)   # TXT rdata lengths whose responses straddle 512 bytes


def _edge_lines():
    out = []
    for n in EDGE_SIZES:
        rest = n - 256 - 1   # one 255-char string (256 bytes) + one more string of (rest) chars
        out.append(f'e{n}        IN TXT "{"a" * 255}" "{"b" * rest}"')
    return "\n".join(out)


def _txt_lines(owner, strings):
    return "\n".join(f'{owner:<11} IN TXT "{s}"' for s in strings)


SOATTL_ZONE = """\
$ORIGIN soattl.test.
$TTL 600
; SOA TTL 60 < MINIMUM 3600 -> negative TTL 60
@   60 IN SOA ns.soattl.test. hostmaster.soattl.test. 1 7200 3600 1209600 3600
@   IN NS  ns
ns  IN A   192.0.2.1
"""

INNER_ZONE = """\
$ORIGIN inner.example.com.
$TTL 300
@           IN SOA   ns.inner.example.com. hostmaster.inner.example.com. 7 7200 3600 1209600 120
@           IN NS    ns
ns          IN A     192.0.2.151
www         IN A     192.0.2.150
"""

WILD_ZONE = """\
$ORIGIN wild.test.
$TTL 300
@           IN SOA   ns.wild.test. hostmaster.wild.test. 1 7200 3600 1209600 300
@           IN NS    ns
ns          IN A     192.0.2.99
*           IN A     192.0.2.100
*           IN TXT   "wild"
exists      IN A     192.0.2.101
; ent.wild.test is an empty non-terminal
a.ent       IN A     192.0.2.102
; wildcard CNAME (cn.wild.test is an empty non-terminal)
*.cn        IN CNAME target
target      IN A     192.0.2.103
; a delegation: the wildcard must not apply at or below it
sub         IN NS    ns.sub
ns.sub      IN A     192.0.2.104
"""


def standard_files(config=CONFIG, latency=LATENCY_CSV, example=None):
    example = example or EXAMPLE_ZONE.replace("{big}", _txt_lines("big", BIG_TXT)).replace(
        "{mid}", _txt_lines("mid", MID_TXT)).replace("{manyns}", _manyns_lines()).replace(
        "{edges}", _edge_lines())
    return {
        "nearcast.yaml": config,
        "latency.csv": latency,
        "zones/example.com.zone": example,
        "zones/soattl.test.zone": SOATTL_ZONE,
        "zones/wild.test.zone": WILD_ZONE,
        "zones/inner.example.com.zone": INNER_ZONE,
    }


# --------------------------------------------------------------------------
# RR types zone
# --------------------------------------------------------------------------

TYPES_CONFIG = """\
default_regions: [us-east-1]
latency_map: latency.csv
zones:
  - origin: types.test.
    file: types.test.zone
"""

# (owner relative to types.test., type, ttl, [rdata texts as in the zone file])
TYPES_RECORDS = [
    ("a", "A", 300, ["192.0.2.10", "192.0.2.11"]),
    ("aaaa", "AAAA", 300, ["2001:db8::10"]),
    ("cname", "CNAME", 300, ["a.types.test."]),
    ("mx", "MX", 300, ["10 mail.types.test.", "20 mail2.types.test."]),
    ("txt", "TXT", 300, ['"hello world" "v=DKIM1; k=rsa" "with \\"quote\\""']),
    ("_sip._tcp", "SRV", 300, ["10 60 5060 sip.types.test."]),
    ("ptr", "PTR", 300, ["host.types.test."]),
    ("caa", "CAA", 300, ['0 issue "letsencrypt.org"', '128 iodef "mailto:sec@types.test"']),
    ("naptr", "NAPTR", 300, ['100 10 "S" "SIP+D2U" "" _sip._udp.types.test.']),
    ("spf", "SPF", 300, ['"v=spf1 -all"']),
    ("sshfp", "SSHFP", 300, ["4 2 123456789ABCDEF67890123456789ABCDEF67890123456789ABCDEF123456789"]),
    ("_443._tcp", "TLSA", 300, ["3 1 1 0D6FCE3B8A1B3F2A1D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F6071829300"]),
    ("svcb", "SVCB", 300, ["1 svc.types.test. alpn=h2,h3 port=8443"]),
    ("https", "HTTPS", 300, ["1 . alpn=h2 ipv4hint=192.0.2.1"]),
    ("unknown", "TYPE65400", 300, ["\\# 4 0a000001"]),
    ("sec", "DS", 300, ["12345 13 2 2BB183AF5F22588179A53B0A98631FAD1A292118F5DF3C0E0D6C8C1D9C0E3C3D"]),
]


def types_zone():
    lines = [
        "$ORIGIN types.test.",
        "$TTL 300",
        "; multi-line SOA with comments",
        "@   IN SOA ns.types.test. hostmaster.types.test. (",
        "        2024010101 ; serial",
        "        7200       ; refresh",
        "        3600       ; retry",
        "        1209600    ; expire",
        "        300 )      ; minimum",
        "    IN NS  ns          ; owner inherited from the previous line",
        "ns  IN A   192.0.2.2",
        "sec IN NS  ns.sec",
        "ns.sec IN A 192.0.2.3",
    ]
    for owner, rtype, ttl, rdatas in TYPES_RECORDS:
        for rd in rdatas:
            lines.append(f"{owner} {ttl} IN {rtype} {rd}")
    lines += SYNTAX_LINES
    lines.append("$INCLUDE types-include.zone")
    lines.append("afterinclude IN A 192.0.2.35   ; $ORIGIN is restored after the include")
    return "\n".join(lines) + "\n"


# master-file syntax variants (RFC 1035 5.1, RFC 3597 5); see SYNTAX_EXPECT
SYNTAX_LINES = [
    "classfirst IN 120 A 192.0.2.12",
    "noclass 130 A 192.0.2.13",
    "nottl IN A 192.0.2.14",
    "bare A 192.0.2.15",
    'multi IN TXT ( "part one"',
    '               "part two" ) ; comment after the closing paren',
    "generic IN TYPE1 \\# 4 c0000263",
    'esc IN TXT "caf\\195\\169" "tab\\009x"',
    "UPPER.Case IN A 192.0.2.16",
]
# (qname, type, ttl, rdata texts)
SYNTAX_EXPECT = [
    ("classfirst.types.test.", "A", 120, ["192.0.2.12"]),
    ("noclass.types.test.", "A", 130, ["192.0.2.13"]),
    ("nottl.types.test.", "A", 300, ["192.0.2.14"]),
    ("bare.types.test.", "A", 300, ["192.0.2.15"]),
    ("multi.types.test.", "TXT", 300, ['"part one" "part two"']),
    ("generic.types.test.", "A", 300, ["192.0.2.99"]),
    ("esc.types.test.", "TXT", 300, ['"caf\\195\\169" "tab\\009x"']),
    ("upper.case.types.test.", "A", 300, ["192.0.2.16"]),
    ("inc.types.test.", "A", 300, ["192.0.2.33"]),
    ("inc2.sub.types.test.", "A", 300, ["192.0.2.34"]),
    ("afterinclude.types.test.", "A", 300, ["192.0.2.35"]),
]


def types_files():
    return {"nearcast.yaml": TYPES_CONFIG, "types.test.zone": types_zone(),
            "latency.csv": "10.0.0.0/8,us-east-1,10\n",
            "types-include.zone": "inc IN A 192.0.2.33\n$ORIGIN sub.types.test.\ninc2 IN A 192.0.2.34\n"}
