#ifndef ZHIFU_OPENSSL_H
#define ZHIFU_OPENSSL_H

#include <stddef.h>
#include <stdint.h>

/// Opaque handle to an OpenSSL EVP_PKEY (RSA or DSA, private or public).
typedef struct zf_key zf_key;

enum { ZF_KEY_RSA = 1, ZF_KEY_DSA = 2 };
enum { ZF_DIGEST_MD5 = 1, ZF_DIGEST_SHA1 = 2, ZF_DIGEST_SHA256 = 3 };

/// Parses a DER private key: PKCS#8, PKCS#1 RSA or traditional DSA. NULL when malformed.
zf_key *zf_key_private_from_der(const uint8_t *der, size_t len);
/// Parses a DER public key: SubjectPublicKeyInfo, or a PKCS#1 RSAPublicKey. NULL when malformed.
zf_key *zf_key_public_from_der(const uint8_t *der, size_t len);
/// Generates a fresh key pair. `type` is ZF_KEY_RSA or ZF_KEY_DSA.
zf_key *zf_key_generate(int type, int bits);
void zf_key_free(zf_key *key);
/// ZF_KEY_RSA, ZF_KEY_DSA, or 0 for any other algorithm.
int zf_key_type(const zf_key *key);
int zf_key_bits(const zf_key *key);
/// Encodes the key as DER (PKCS#8 for private, SubjectPublicKeyInfo for public) into a buffer
/// that the caller releases with zf_free. Returns the length, or -1.
int zf_key_private_der(const zf_key *key, uint8_t **out);
int zf_key_public_der(const zf_key *key, uint8_t **out);
void zf_free(void *buffer);

/// Signs with PKCS#1 v1.5 padding (RSA) or DER-encoded (r, s) (DSA). Returns the signature
/// length written to `sig` (capacity `cap`), or -1.
int zf_sign(const zf_key *key, int digest, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap);
/// A reusable verification for one key and digest (the initialised context kept as a template).
typedef struct zf_verifier zf_verifier;
/// NULL when the key cannot verify with the digest.
zf_verifier *zf_verifier_new(const zf_key *key, int digest);
/// 1 when the signature is valid, 0 otherwise. Safe to call from several threads at once.
int zf_verifier_verify(const zf_verifier *verifier, const uint8_t *msg, size_t len, const uint8_t *sig, size_t siglen);
void zf_verifier_free(zf_verifier *verifier);
/// Largest signature the key produces.
int zf_key_signature_size(const zf_key *key);

/// Writes the digest of `msg` to `out` (at least 32 bytes). Returns the digest length, or -1.
int zf_digest(int digest, const uint8_t *msg, size_t len, uint8_t *out);
/// PBKDF2-HMAC-SHA256. Returns 1 on success.
int zf_pbkdf2_sha256(const uint8_t *password, size_t plen, const uint8_t *salt, size_t slen,
                     int iterations, uint8_t *out, size_t outlen);
/// Cryptographically secure random bytes. Returns 1 on success.
int zf_random(uint8_t *out, size_t len);

/// Converts `in` from charset `from` to charset `to` with glibc iconv. Writes at most `cap` bytes
/// to `out`. Returns the number of bytes written, -1 on an invalid or unmappable sequence,
/// -2 when `out` is too small, -3 when a charset is unknown.
long zf_iconv(const char *from, const char *to, const uint8_t *in, size_t inlen, uint8_t *out, size_t cap);

#endif
