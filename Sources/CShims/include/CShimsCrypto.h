#ifndef TOLLGATE_CSHIMS_CRYPTO_H
#define TOLLGATE_CSHIMS_CRYPTO_H

#include <stddef.h>

/// SHA-256 and HMAC-SHA256 over OpenSSL's SHA256_CTX, without the EVP layer.
///
/// OpenSSL 3 routes one-shot EVP_Digest and HMAC() through provider lookups and context allocations that
/// cost more than the compression function for the small inputs SigV4 hashes on every request (a key, a
/// canonical request, a string to sign). These call the digest directly; the results are identical.
void tg_sha256(const void *data, size_t length, unsigned char out[32]);
void tg_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char out[32]);

#endif
