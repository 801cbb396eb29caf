/* replay: a small closed-loop UDP DNS load generator that replays prepared
 * query packets (so each query can carry a different EDNS Client Subnet, which
 * dnsperf cannot do).
 *
 *   replay -s 127.0.0.1 -p 5401 -f packets.bin [-w 800] [-l 10] [-S sockets]
 *
 * packets.bin: repeated [u16 big-endian length][DNS query]. The packets are
 * sent round-robin; the DNS ID is rewritten to identify the in-flight slot.
 * A fixed window of -w queries in total (like dnsperf's -q) is kept in flight (spread over -S sockets, like
 * dnsperf's -c clients); every answer immediately frees its slot for the next
 * packet. Batches use recvmmsg/sendmmsg. A query unanswered for 1 s is counted
 * as lost and its slot reused. Prints one line of key=value results:
 * sent, answered, lost, qps, p50_us, p99_us, avg_us, rcode counts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXPKT 512
#define BATCH 64
#define HIST_US 1000000 /* 1 µs buckets up to 1 s */

typedef struct { uint8_t *data; uint16_t len; } pkt_t;
typedef struct { uint64_t sent_ns; uint16_t gen; int busy; } slot_t;

static uint64_t now_ns(void) {
    struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv) {
    const char *server = "127.0.0.1", *file = NULL;
    int port = 53, window = 800, nsock = 4; double seconds = 10;
    int c;
    while ((c = getopt(argc, argv, "s:p:f:w:l:S:")) != -1) {
        switch (c) {
        case 's': server = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'f': file = optarg; break;
        case 'w': window = atoi(optarg); break;
        case 'l': seconds = atof(optarg); break;
        case 'S': nsock = atoi(optarg); break;
        default: fprintf(stderr, "usage: replay -s addr -p port -f file [-w window] [-l seconds] [-S sockets]\n"); return 2;
        }
    }
    if (!file || window < 1 || window > 4096 || nsock < 1 || nsock > window) {
        fprintf(stderr, "need -f; 1 <= -S <= -w <= 4096\n"); return 2;
    }
    /* load packets */
    FILE *f = fopen(file, "rb"); if (!f) { perror(file); return 1; }
    size_t cap = 1024, n = 0; pkt_t *pk = malloc(cap * sizeof *pk);
    uint8_t lenb[2];
    while (fread(lenb, 1, 2, f) == 2) {
        uint16_t len = (lenb[0] << 8) | lenb[1];
        if (len < 12 || len > MAXPKT) { fprintf(stderr, "bad packet length %u\n", len); return 1; }
        if (n == cap) { cap *= 2; pk = realloc(pk, cap * sizeof *pk); }
        pk[n].data = malloc(len); pk[n].len = len;
        if (fread(pk[n].data, 1, len, f) != len) { fprintf(stderr, "truncated file\n"); return 1; }
        n++;
    }
    fclose(f);
    if (!n) { fprintf(stderr, "no packets\n"); return 1; }

    struct sockaddr_in sa = {0}; sa.sin_family = AF_INET; sa.sin_port = htons(port);
    inet_pton(AF_INET, server, &sa.sin_addr);
    int *fds = calloc(nsock, sizeof(int));
    for (int i = 0; i < nsock; i++) {
        fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        int buf = 4 << 20;
        setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
        setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
        if (connect(fds[i], (struct sockaddr *)&sa, sizeof sa) < 0) { perror("connect"); return 1; }
    }
    /* slot s lives on socket s % nsock; DNS id = slot (12 bits) | gen (4 bits) << 12 */
    slot_t *slots = calloc(window, sizeof *slots);
    uint32_t *hist = calloc(HIST_US + 1, sizeof *hist);
    uint64_t sent = 0, answered = 0, lost = 0, sum_us = 0, rcodes[16] = {0};
    size_t next = 0;

    /* per-socket send queues */
    static uint8_t sbuf[BATCH][MAXPKT];
    struct mmsghdr smsg[BATCH]; struct iovec siov[BATCH];
    static uint8_t rbuf[BATCH][4096];
    struct mmsghdr rmsg[BATCH]; struct iovec riov[BATCH];
    for (int i = 0; i < BATCH; i++) {
        riov[i].iov_base = rbuf[i]; riov[i].iov_len = sizeof rbuf[i];
        memset(&rmsg[i], 0, sizeof rmsg[i]);
        rmsg[i].msg_hdr.msg_iov = &riov[i]; rmsg[i].msg_hdr.msg_iovlen = 1;
    }
    int *npend = calloc(nsock, sizeof(int)); /* per socket: slots waiting to be (re)sent */
    int **pq = malloc(nsock * sizeof(int *));
    for (int i = 0; i < nsock; i++) pq[i] = malloc(window * sizeof(int));
    /* slow start: begin with a few queries per socket and open one more slot per
     * answer, so the first burst does not overflow the server's receive buffer */
    int active = window < 8 * nsock ? window : 8 * nsock;
    for (int s = 0; s < active; s++) { int k = s % nsock; pq[k][npend[k]++] = s; }

    uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), last_sweep = start;
    struct pollfd *pfd = calloc(nsock, sizeof *pfd);
    for (int i = 0; i < nsock; i++) { pfd[i].fd = fds[i]; pfd[i].events = POLLIN; }
    int stopping = 0;
    for (;;) {
        uint64_t t = now_ns();
        if (!stopping && t >= end) stopping = 1;
        /* send whatever is pending */
        if (!stopping) for (int k = 0; k < nsock; k++) {
            while (npend[k] > 0) {
                int b = npend[k] < BATCH ? npend[k] : BATCH;
                uint64_t ts = now_ns();
                for (int j = 0; j < b; j++) {
                    int s = pq[k][npend[k] - b + j];
                    pkt_t *p = &pk[next]; next = (next + 1) % n;
                    memcpy(sbuf[j], p->data, p->len);
                    slots[s].gen = (slots[s].gen + 1) & 15;
                    uint16_t id = (uint16_t)(s | (slots[s].gen << 12));
                    sbuf[j][0] = id >> 8; sbuf[j][1] = id & 255;
                    slots[s].sent_ns = ts; slots[s].busy = 1;
                    siov[j].iov_base = sbuf[j]; siov[j].iov_len = p->len;
                    memset(&smsg[j], 0, sizeof smsg[j]);
                    smsg[j].msg_hdr.msg_iov = &siov[j]; smsg[j].msg_hdr.msg_iovlen = 1;
                }
                int r = sendmmsg(fds[k], smsg, b, 0);
                if (r <= 0) {
                    if (r < 0 && errno != EAGAIN && errno != ENOBUFS && errno != ECONNREFUSED) { perror("sendmmsg"); return 1; }
                    /* mark unsent slots idle-but-busy; they time out and get resent */
                    break;
                }
                sent += r;
                /* drop the sent ones (taken from the tail) */
                if (r < b) { /* keep the unsent ones queued */
                    memmove(&pq[k][npend[k] - b], &pq[k][npend[k] - b + r], (b - r) * sizeof(int));
                }
                npend[k] -= r;
                if (r < b) break;
            }
        }
        int busy = 0;
        for (int s = 0; s < window; s++) busy |= slots[s].busy;
        if (stopping && (!busy || t >= end + 1000000000ull)) break;
        int pr = poll(pfd, nsock, 10);
        if (pr < 0 && errno != EINTR) { perror("poll"); return 1; }
        t = now_ns();
        for (int k = 0; k < nsock; k++) {
            if (!(pfd[k].revents & POLLIN)) continue;
            for (;;) {
                int r = recvmmsg(fds[k], rmsg, BATCH, MSG_DONTWAIT, NULL);
                if (r <= 0) break;
                uint64_t tr = now_ns();
                for (int j = 0; j < r; j++) {
                    if (rmsg[j].msg_len < 12) continue;
                    uint16_t id = (rbuf[j][0] << 8) | rbuf[j][1];
                    int s = id & 0xfff;
                    if (s >= window || !slots[s].busy || slots[s].gen != (id >> 12)) continue;
                    uint64_t us = (tr - slots[s].sent_ns) / 1000;
                    hist[us > HIST_US ? HIST_US : us]++;
                    sum_us += us; answered++;
                    rcodes[rbuf[j][3] & 15]++;
                    slots[s].busy = 0;
                    if (!stopping) {
                        pq[k][npend[k]++] = s;
                        if (active < window) { int a = active++; pq[a % nsock][npend[a % nsock]++] = a; }
                    }
                }
                if (r < BATCH) break;
            }
        }
        /* timeouts: every 100 ms, requeue slots older than 1 s */
        if (t - last_sweep > 100000000ull) {
            last_sweep = t;
            for (int s = 0; s < window; s++) {
                if (slots[s].busy && t - slots[s].sent_ns > 1000000000ull) {
                    slots[s].busy = 0; lost++;
                    if (!stopping) { int k = s % nsock; pq[k][npend[k]++] = s; }
                }
            }
        }
    }
    double el = (double)(end - start) / 1e9;
    uint64_t p50 = 0, p99 = 0, acc = 0; int got50 = 0;
    for (int i = 0; i <= HIST_US; i++) {
        acc += hist[i];
        if (!got50 && acc * 2 >= answered) { p50 = i; got50 = 1; }
        if (acc * 100 >= answered * 99) { p99 = i; break; }
    }
    printf("sent=%llu answered=%llu lost=%llu qps=%.0f p50_us=%llu p99_us=%llu avg_us=%.1f noerror=%llu nxdomain=%llu other=%llu\n",
           (unsigned long long)sent, (unsigned long long)answered, (unsigned long long)lost,
           answered / el, (unsigned long long)p50, (unsigned long long)p99,
           answered ? (double)sum_us / answered : 0.0,
           (unsigned long long)rcodes[0], (unsigned long long)rcodes[3],
           (unsigned long long)(answered - rcodes[0] - rcodes[3]));
    return 0;
}
