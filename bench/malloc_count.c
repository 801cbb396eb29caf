/*
 * malloc_count.c: an LD_PRELOAD library that counts heap allocations of the
 * process it is loaded into, without allocating itself.
 *
 *   gcc -O2 -shared -fPIC -o malloc_count.so bench/malloc_count.c
 *   MALLOC_COUNT_FILE=/tmp/counts LD_PRELOAD=$PWD/malloc_count.so nearcast serve ...
 *
 * Counted: malloc, calloc, realloc, reallocarray, posix_memalign,
 * aligned_alloc, memalign, valloc, pvalloc and free.  Each wrapper bumps a
 * relaxed atomic counter and calls glibc's own entry point (__libc_malloc and
 * friends), so there is no dlsym bootstrap problem.
 *
 * The counters live in a MAP_SHARED mapping of $MALLOC_COUNT_FILE, created
 * by the constructor.  An observer reads them at any time by reading the
 * file: no signal, no trigger, no allocation.  A child process that inherits
 * LD_PRELOAD does not count into its parent's file (the same process after an
 * exec() does), and a fork()ed child switches to private counters.
 * Allocations made before the constructor ran are carried over.  Layout:
 * native-endian uint64 slots, see the SLOT_* constants;
 * tests/e2e/test_allocations.py reads them.
 *
 * Per thread: a table of (tid, allocations, flags, frees).  Nearcast's UDP
 * threads are unnamed, so the library also wraps recvmmsg and sendmmsg (as
 * direct system calls) and flags the threads that call them.
 *
 * Backtraces, for finding allocation sites: an observer writes N into slot
 * SLOT_TRACE_LIMIT of the file (after zeroing SLOT_TRACE_CLAIMED and the trace
 * area, to start over); the next N allocations (up to TRACE_MAX) each
 * record the kind, size, thread id and up to TRACE_FRAMES return addresses
 * (glibc backtrace(), warmed up in the constructor) into the trace area.
 * Symbolize them with /proc/PID/maps and llvm-symbolizer;
 * tests/e2e/test_allocations.py does when an assertion fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

enum {
    SLOT_MAGIC = 0,          /* "MALLOCNT" */
    SLOT_VERSION = 1,
    SLOT_PID = 2,
    SLOT_MALLOC = 3,
    SLOT_CALLOC = 4,
    SLOT_REALLOC = 5,        /* realloc + reallocarray */
    SLOT_POSIX_MEMALIGN = 6,
    SLOT_ALIGNED_ALLOC = 7,
    SLOT_MEMALIGN = 8,       /* memalign + valloc + pvalloc */
    SLOT_FREE = 9,
    SLOT_BYTES = 10,         /* bytes requested by the allocating calls */
    SLOT_TRACE_LIMIT = 16,   /* written by the observer */
    SLOT_TRACE_CLAIMED = 17, /* trace records claimed so far */
    SLOT_TRACE_MAX = 18,
    SLOT_TRACE_RECORD_SLOTS = 19,
    SLOT_THREADS_OFFSET = 20,    /* slot index of the thread table */
    SLOT_THREADS_MAX = 21,
    SLOT_TRACE_OFFSET = 22,      /* slot index of the trace records */
    HEADER_SLOTS = 32,
};

/* Thread table: THREADS_MAX entries of (tid, allocations, flags, frees).
 * flags: THREAD_RECVMMSG once the thread called recvmmsg(2), THREAD_SENDMMSG
 * sendmmsg(2) (Nearcast's UDP threads; they are unnamed, so this is how an
 * observer tells them from libdispatch's).  Threads past THREADS_MAX share the
 * last entry (tid 0). */
#define THREADS_MAX 512
#define THREAD_SLOTS 4
enum { THREAD_RECVMMSG = 1, THREAD_SENDMMSG = 2 };

#define TRACE_MAX 256
#define TRACE_FRAMES 28
#define RECORD_SLOTS (4 + TRACE_FRAMES) /* kind, size, tid, nframes, frames */
#define THREADS_OFFSET HEADER_SLOTS
#define TRACE_OFFSET (THREADS_OFFSET + THREADS_MAX * THREAD_SLOTS)
#define FILE_SLOTS (TRACE_OFFSET + TRACE_MAX * RECORD_SLOTS)

static uint64_t bootstrap[FILE_SLOTS];
static uint64_t *slots = bootstrap;
static __thread int in_hook __attribute__((tls_model("initial-exec")));
static int tracing_ready;
/* this thread's entry, valid while `slots` is still my_slots */
static __thread uint64_t *my_entry __attribute__((tls_model("initial-exec")));
static __thread uint64_t *my_slots __attribute__((tls_model("initial-exec")));

static uint64_t *thread_entry(uint64_t *s) {
    if (my_slots == s && my_entry) return my_entry;
    uint64_t tid = (uint64_t)syscall(SYS_gettid);
    uint64_t *table = &s[THREADS_OFFSET];
    uint64_t *entry = &table[(THREADS_MAX - 1) * THREAD_SLOTS]; /* overflow */
    for (uint64_t k = 0; k < THREADS_MAX - 1; k++) {
        uint64_t *e = &table[((tid + k) % (THREADS_MAX - 1)) * THREAD_SLOTS];
        uint64_t seen = __atomic_load_n(&e[0], __ATOMIC_RELAXED);
        if (seen == tid) { entry = e; break; }
        if (seen == 0) {
            uint64_t expected = 0;
            if (__atomic_compare_exchange_n(&e[0], &expected, tid, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED) ||
                expected == tid) { entry = e; break; }
        }
    }
    my_entry = entry;
    my_slots = s;
    return entry;
}

static inline void bump(int slot, size_t size) {
    uint64_t *s = slots;
    __atomic_fetch_add(&s[slot], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&thread_entry(s)[slot == SLOT_FREE ? 3 : 1], 1, __ATOMIC_RELAXED);
    if (slot != SLOT_FREE) {
        __atomic_fetch_add(&s[SLOT_BYTES], (uint64_t)size, __ATOMIC_RELAXED);
        if (__atomic_load_n(&s[SLOT_TRACE_LIMIT], __ATOMIC_RELAXED) >
                __atomic_load_n(&s[SLOT_TRACE_CLAIMED], __ATOMIC_RELAXED) &&
            tracing_ready && !in_hook) {
            uint64_t i = __atomic_fetch_add(&s[SLOT_TRACE_CLAIMED], 1, __ATOMIC_RELAXED);
            if (i < TRACE_MAX && i < __atomic_load_n(&s[SLOT_TRACE_LIMIT], __ATOMIC_RELAXED)) {
                uint64_t *r = &s[TRACE_OFFSET + i * RECORD_SLOTS];
                void *frames[TRACE_FRAMES];
                in_hook = 1;
                int n = backtrace(frames, TRACE_FRAMES);
                in_hook = 0;
                r[1] = size;
                r[2] = (uint64_t)syscall(SYS_gettid);
                r[3] = (uint64_t)n;
                for (int k = 0; k < n; k++) r[4 + k] = (uint64_t)(uintptr_t)frames[k];
                __atomic_store_n(&r[0], (uint64_t)slot, __ATOMIC_RELEASE); /* record complete */
            }
        }
    }
}

void *malloc(size_t n) { bump(SLOT_MALLOC, n); return __libc_malloc(n); }
void *calloc(size_t k, size_t n) { bump(SLOT_CALLOC, k * n); return __libc_calloc(k, n); }
void *realloc(void *p, size_t n) { bump(SLOT_REALLOC, n); return __libc_realloc(p, n); }
void free(void *p) { if (p) bump(SLOT_FREE, 0); __libc_free(p); }

void *reallocarray(void *p, size_t k, size_t n) {
    size_t total;
    if (__builtin_mul_overflow(k, n, &total)) { errno = ENOMEM; return NULL; }
    bump(SLOT_REALLOC, total);
    return __libc_realloc(p, total);
}

int posix_memalign(void **out, size_t align, size_t n) {
    bump(SLOT_POSIX_MEMALIGN, n);
    if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0 || align == 0) return EINVAL;
    void *p = __libc_memalign(align, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n) { bump(SLOT_ALIGNED_ALLOC, n); return __libc_memalign(align, n); }
void *memalign(size_t align, size_t n) { bump(SLOT_MEMALIGN, n); return __libc_memalign(align, n); }

void *valloc(size_t n) {
    bump(SLOT_MEMALIGN, n);
    return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *pvalloc(size_t n) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    bump(SLOT_MEMALIGN, n);
    return __libc_memalign(page, (n + page - 1) & ~(page - 1));
}

static void mark_thread(uint64_t flag) {
    uint64_t *e = thread_entry(slots);
    if (!(__atomic_load_n(&e[2], __ATOMIC_RELAXED) & flag)) __atomic_fetch_or(&e[2], flag, __ATOMIC_RELAXED);
}

/* Nearcast looks these two up with dlsym(RTLD_DEFAULT, ...), which finds these first. */
int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags, struct timespec *timeout) {
    mark_thread(THREAD_RECVMMSG);
    return (int)syscall(SYS_recvmmsg, fd, v, n, flags, timeout);
}

int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags) {
    mark_thread(THREAD_SENDMMSG);
    return (int)syscall(SYS_sendmmsg, fd, v, n, flags);
}

static void after_fork_in_child(void) {
    /* keep counting, but privately: the parent's file is the parent's */
    if (slots != bootstrap) {
        memcpy(bootstrap, slots, sizeof bootstrap);
        slots = bootstrap;
    }
}

__attribute__((constructor)) static void malloc_count_init(void) {
    void *frames[4];
    in_hook = 1;
    backtrace(frames, 4); /* loads libgcc_s now, not inside a traced allocation */
    in_hook = 0;
    tracing_ready = 1;
    pthread_atfork(NULL, NULL, after_fork_in_child);

    const char *path = getenv("MALLOC_COUNT_FILE");
    if (!path || !*path) return;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) {
        /* exists: ours only if this process exec()ed (a shell wrapper, say); else a parent's */
        uint64_t pid = 0;
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd >= 0 && (pread(fd, &pid, sizeof pid, SLOT_PID * 8) != (ssize_t)sizeof pid || pid != (uint64_t)getpid())) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) return;
    size_t len = sizeof bootstrap;
    if (ftruncate(fd, (off_t)len) != 0) { close(fd); return; }
    uint64_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return;
    memcpy(m, bootstrap, len);
    memcpy(&m[SLOT_MAGIC], "MALLOCNT", 8);
    m[SLOT_VERSION] = 1;
    m[SLOT_PID] = (uint64_t)getpid();
    m[SLOT_TRACE_MAX] = TRACE_MAX;
    m[SLOT_TRACE_RECORD_SLOTS] = RECORD_SLOTS;
    m[SLOT_THREADS_OFFSET] = THREADS_OFFSET;
    m[SLOT_THREADS_MAX] = THREADS_MAX;
    m[SLOT_TRACE_OFFSET] = TRACE_OFFSET;
    __atomic_store_n(&slots, m, __ATOMIC_RELEASE);
    /* allocations counted in `bootstrap` between the memcpy and the store are lost: at most a few, at startup */
}
