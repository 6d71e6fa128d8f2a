//go:build cgo

package main

// The relayer's C heap: SQLite allocates its page caches, statements and
// rows with glibc's malloc, outside the Go heap. glibc gives a thread that
// finds the arenas busy an arena of its own, up to 8 per core, and an arena
// keeps the high-water mark of what was allocated from it. SQLite runs on
// whichever of the Go runtime's threads makes the cgo call, so over hours
// every arena grows to SQLite's peak: in BenchmarkRelayerRSS a relayer's C
// heap grew from 11 to 36 MiB between 1,000 and 10,000 transfers while
// SQLite itself never held more than 12 MiB. With two arenas it went from 8
// to 9 MiB; SQLite's calls are short, so two arenas are seldom contended.
//
// The cap is set when the binary is loaded: a thread gets its arena on its
// first malloc, and the Go runtime has started threads before any Go init
// function runs. An operator's MALLOC_ARENA_MAX or GLIBC_TUNABLES arena_max
// wins. Outside glibc this does nothing.

/*
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define FLUXBRIDGE_MALLOC_ARENAS 2

__attribute__((constructor)) static void fluxbridge_limit_malloc_arenas(void) {
#ifdef __GLIBC__
	const char *tunables = getenv("GLIBC_TUNABLES");
	if (getenv("MALLOC_ARENA_MAX") == NULL && (tunables == NULL || strstr(tunables, "arena_max") == NULL)) {
		mallopt(M_ARENA_MAX, FLUXBRIDGE_MALLOC_ARENAS);
	}
#endif
}
*/
import "C"
