#include "zhifu_bench.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

long zf_run_capture(char *const argv[], char *out, size_t cap) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(fds[1]);
    if (rc != 0) { close(fds[0]); return -1; }
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fds[0], out + used, cap - used);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        used += (size_t)n;
        if (used == cap) break;
    }
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return (long)used;
}

/// `openssl speed rsa2048`'s verify loop (apps/speed.c, OpenSSL 3): EVP_PKEY_verify of a 36-byte
/// message with one context prepared once, no digest. The benchmark runs it in its own process,
/// interleaved with Zhifu's verification, so that both meet the same moments of a noisy machine.
/// Returns how many of `count` verifications succeeded, or -1; `seconds` gets the loop's time.
long zf_speed_rsa_verify(const uint8_t *der, size_t len, long count, double *seconds) {
    unsigned char msg[36], sig[1024];
    size_t siglen = sizeof sig;
    memset(msg, 1, sizeof msg);
    const unsigned char *cursor = der;
    EVP_PKEY *key = d2i_AutoPrivateKey(NULL, &cursor, (long)len);
    EVP_PKEY_CTX *sign = key ? EVP_PKEY_CTX_new(key, NULL) : NULL, *verify = key ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    long ok = -1;
    if (sign && verify && EVP_PKEY_sign_init(sign) > 0 && EVP_PKEY_sign(sign, sig, &siglen, msg, sizeof msg) > 0
        && EVP_PKEY_verify_init(verify) > 0) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        ok = 0;
        for (long i = 0; i < count; i++) ok += EVP_PKEY_verify(verify, sig, siglen, msg, sizeof msg) == 1;
        clock_gettime(CLOCK_MONOTONIC, &end);
        *seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    }
    EVP_PKEY_CTX_free(sign);
    EVP_PKEY_CTX_free(verify);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return ok;
}
