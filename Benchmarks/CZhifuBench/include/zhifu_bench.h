#ifndef ZHIFU_BENCH_H
#define ZHIFU_BENCH_H

#include <stddef.h>
#include <stdint.h>

/// C helpers the benchmarks need and the gateway does not: a child process with a clean signal
/// mask, and `openssl speed`'s verify loop as an in-process reference.

/// Runs `argv` (argv[0] looked up in PATH) with default signal dispositions and an empty signal
/// mask, and captures its stdout into `out`. Needed for `openssl speed`, which times itself with
/// SIGALRM: a child inheriting the Swift runtime's blocked signals would never stop.
/// Returns the bytes captured, or -1.
long zf_run_capture(char *const argv[], char *out, size_t cap);

/// `openssl speed rsa2048`'s verify loop, in process: `count` verifications of a 36-byte message
/// with one prepared context, on the private key in `der` (the benchmark's reference). Returns how
/// many succeeded, or -1; `seconds` gets the time the loop took.
long zf_speed_rsa_verify(const uint8_t *der, size_t len, long count, double *seconds);

#endif
