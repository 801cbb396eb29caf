#ifndef NEARCAST_CPREFETCH_H
#define NEARCAST_CPREFETCH_H

/// Asks the CPU to bring the cache line holding `address` into its caches
/// for a coming read. A hint: it never faults and changes no memory, so any
/// address may be given. (Swift has no prefetch of its own.)
static inline void nearcast_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
