"""Hand-built packets: FORMERR, NOTIMP, dropped packets (RFC 1035, RFC 6891, RFC 7871 7.1.2)."""

import struct

import pytest

from e2e_helpers import (QR, hdr_opcode, hdr_rcode, parse_header, wire_ecs, wire_header, wire_name, wire_opt,
                         wire_question)

FORMERR = 1
NOTIMP = 4
NOERROR = 0

Q = wire_question("geo.example.com.", 1)


def send_expect_rcode(server, wire, rcode, qid):
    resp = server.udp_raw(wire)
    assert resp is not None, "no response (expected rcode %d)" % rcode
    assert len(resp) >= 12
    rid, flags, *_ = parse_header(resp)
    assert rid == qid, "ID not echoed"
    assert flags & QR, "QR not set"
    assert hdr_rcode(resp) == rcode, f"rcode {hdr_rcode(resp)}, want {rcode}"
    return resp


def assert_still_serving(server):
    resp = server.udp_raw(wire_header(qid=0x5151) + wire_question("www.example.com.", 1))
    assert resp is not None, "server stopped answering"
    assert hdr_rcode(resp) == NOERROR
    assert parse_header(resp)[3] == 1


# -- sanity: the hand-built packets are well-formed when they should be ------------------

def test_raw_builder_sanity(server):
    """The raw builders produce queries the server accepts; the FORMERR tests below differ by one thing."""
    send_expect_rcode(server, wire_header(qid=1) + Q, NOERROR, 1)
    send_expect_rcode(server, wire_header(qid=2, ar=1) + Q + wire_opt(), NOERROR, 2)
    send_expect_rcode(server, wire_header(qid=3, ar=1) + Q + wire_opt(options=wire_ecs(1, 24, 0, b"\x0a\x01\x00")),
                      NOERROR, 3)
    send_expect_rcode(server, wire_header(qid=4, ar=1) + Q + wire_opt(options=wire_ecs(1, 20, 0, b"\xc0\x00\x00")),
                      NOERROR, 4)
    send_expect_rcode(server, wire_header(qid=5, ar=1) + Q + wire_opt(options=wire_ecs(1, 32, 0, b"\x0a\x01\x00\x01")),
                      NOERROR, 5)
    send_expect_rcode(server, wire_header(qid=6, ar=1) + Q + wire_opt(options=wire_ecs(2, 128, 0, b"\x20\x01" + b"\x00" * 14)),
                      NOERROR, 6)
    send_expect_rcode(server, wire_header(qid=7, ar=1) + Q + wire_opt(options=wire_ecs(1, 0, 0, b"")), NOERROR, 7)


# -- header / question ------------------------------------------------------------------

def test_formerr_qdcount_zero(server):
    send_expect_rcode(server, wire_header(qid=0x0101, qd=0), FORMERR, 0x0101)
    assert_still_serving(server)


def test_formerr_qdcount_two(server):
    wire = wire_header(qid=0x0102, qd=2) + Q + wire_question("www.example.com.", 1)
    send_expect_rcode(server, wire, FORMERR, 0x0102)


def test_formerr_label_past_end(server):
    wire = wire_header(qid=0x0103) + b"\x03www\x3fexample"
    send_expect_rcode(server, wire, FORMERR, 0x0103)


def test_formerr_question_truncated_after_name(server):
    wire = wire_header(qid=0x0104) + wire_name("www.example.com.") + b"\x00"
    send_expect_rcode(server, wire, FORMERR, 0x0104)


def test_formerr_compression_pointer_to_itself(server):
    wire = wire_header(qid=0x0105) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    send_expect_rcode(server, wire, FORMERR, 0x0105)


def test_formerr_compression_loop_through_label(server):
    # offset 12: label "a", then a pointer back to offset 12
    wire = wire_header(qid=0x0106) + b"\x01a\xc0\x0c" + struct.pack("!HH", 1, 1)
    send_expect_rcode(server, wire, FORMERR, 0x0106)


def test_formerr_compression_pointer_past_end(server):
    wire = wire_header(qid=0x0107) + b"\x03www\xc0\xff" + struct.pack("!HH", 1, 1)
    send_expect_rcode(server, wire, FORMERR, 0x0107)


def test_formerr_name_too_long(server):
    # 5 labels of 63 -> 320 octets > 255
    name = (b"\x3f" + b"a" * 63) * 5 + b"\x00"
    wire = wire_header(qid=0x0108) + name + struct.pack("!HH", 1, 1)
    send_expect_rcode(server, wire, FORMERR, 0x0108)


# -- EDNS / ECS ------------------------------------------------------------------------

def test_formerr_two_opt_records(server):
    wire = wire_header(qid=0x0201, ar=2) + Q + wire_opt() + wire_opt()
    send_expect_rcode(server, wire, FORMERR, 0x0201)


@pytest.mark.parametrize("family,src,addr,why", [
    (3, 8, b"\x0a", "unknown family 3"),
    (1, 33, b"\x0a\x01\x00\x00\x00", "IPv4 source prefix 33 > 32"),
    (2, 129, b"\x20\x01" + b"\x00" * 15, "IPv6 source prefix 129 > 128"),
    (1, 8, b"\x0a\x00\x00\x00", "/8 with 4 address bytes (needs 1)"),
    (1, 24, b"\x0a\x01", "/24 with only 2 address bytes"),
    (1, 20, b"\xc0\x00\x0f", "/20 with bits set beyond the prefix"),
    (2, 48, b"\x20\x01\x0d\xb8\x00\x01\x00", "IPv6 /48 with 7 address bytes"),
    (1, 0, b"\x0a", "/0 with 1 address byte"),
    (2, 47, b"\x20\x01\x0d\xb8\x00\x01", "IPv6 /47 with the 48th bit set"),
])
def test_formerr_bad_ecs(server, family, src, addr, why):
    qid = 0x0300 + family * 16 + src % 16
    wire = wire_header(qid=qid, ar=1) + Q + wire_opt(options=wire_ecs(family, src, 0, addr))
    send_expect_rcode(server, wire, FORMERR, qid)


def test_formerr_ecs_option_too_short(server):
    opt = struct.pack("!HH", 8, 2) + b"\x00\x01"   # family only, no prefix lengths
    wire = wire_header(qid=0x0401, ar=1) + Q + wire_opt(options=opt)
    send_expect_rcode(server, wire, FORMERR, 0x0401)


def test_formerr_edns_option_length_past_rdata(server):
    opt = struct.pack("!HH", 65001, 50) + b"\x00\x01"   # claims 50 bytes, has 2
    wire = wire_header(qid=0x0402, ar=1) + Q + wire_opt(options=opt)
    send_expect_rcode(server, wire, FORMERR, 0x0402)


# -- opcodes ---------------------------------------------------------------------------

@pytest.mark.parametrize("opcode", [1, 2, 4, 5])
def test_notimp_for_other_opcodes(server, opcode):
    qid = 0x0500 + opcode
    wire = wire_header(qid=qid, flags=opcode << 11) + Q
    resp = send_expect_rcode(server, wire, NOTIMP, qid)
    assert hdr_opcode(resp) == opcode, "opcode must be copied into the response"
    assert parse_header(resp)[3] == 0, "no answer records with NOTIMP"


def test_notimp_update_with_zone_section(server):
    # UPDATE (opcode 5): ZOCOUNT 1 zone example.com SOA, one prerequisite-free update RR
    upd = wire_name("www.example.com.") + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, 9])
    wire = wire_header(qid=0x0555, flags=5 << 11, qd=1, ns=1) + wire_question("example.com.", 6) + upd
    send_expect_rcode(server, wire, NOTIMP, 0x0555)
    # and the update was not applied
    resp = server.udp_raw(wire_header(qid=0x0556) + wire_question("www.example.com.", 1))
    assert b"\xc0\x00\x02\x09" not in resp[12:]


# -- dropped packets --------------------------------------------------------------------

@pytest.mark.parametrize("wire", [b"", b"\x12", b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00"],
                         ids=["empty", "1-byte", "11-byte"])
def test_short_packet_dropped(server, wire):
    assert server.udp_raw(wire, timeout=0.7) is None, "a packet shorter than a header must not be answered"
    assert_still_serving(server)


def test_response_packet_dropped(server):
    wire = wire_header(qid=0x0601, flags=QR) + Q
    assert server.udp_raw(wire, timeout=0.7) is None, "a packet with QR set must not be answered"
    wire = wire_header(qid=0x0602, flags=QR | (4 << 0), qd=0)
    assert server.udp_raw(wire, timeout=0.7) is None
    assert_still_serving(server)


def test_formerr_over_tcp(server):
    wire = wire_header(qid=0x0701, qd=0)
    with server.tcp_connect() as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        from e2e_helpers import tcp_read_frame
        resp = tcp_read_frame(s)
    assert parse_header(resp)[0] == 0x0701
    assert hdr_rcode(resp) == FORMERR


def test_formerr_has_no_answer_records(server):
    wire = wire_header(qid=0x0801, ar=1) + Q + wire_opt(options=wire_ecs(3, 8, 0, b"\x0a"))
    resp = send_expect_rcode(server, wire, FORMERR, 0x0801)
    assert parse_header(resp)[3] == 0
