#ifndef TOLLGATE_CSHIMS_TLS_H
#define TOLLGATE_CSHIMS_TLS_H

#include <stddef.h>

/// OpenSSL's libssl for Swift: contexts configured the one way Tollgate uses them, sessions over memory BIOs (the
/// event loop moves the ciphertext; libssl never touches a socket), and the few macros Swift cannot call.
/// Types are left incomplete here so these declarations never clash with the CSSL module's own.
/// See https://docs.openssl.org/3.0/man3/SSL_CTX_new/ and https://docs.openssl.org/3.0/man7/bio/.
struct ssl_ctx_st;
struct ssl_st;

/// A server context from PEM files: TLS 1.2 and 1.3 only, ALPN `http/1.1`, stateless session tickets,
/// renegotiation refused, read/write buffers released while a connection is idle. The certificate file may hold
/// a chain (leaf first). NULL on failure, with OpenSSL's reason in `error`.
struct ssl_ctx_st *tg_tls_server_context(const char *certificate_path, const char *key_path,
                                         char *error, size_t error_capacity);

/// A client context (TLS 1.2 up to `max_version`, 0 for the newest; offering ALPN `http/1.1`) that verifies the
/// server against the PEM certificates in `ca_path`. NULL on failure, with the reason in `error`.
struct ssl_ctx_st *tg_tls_client_context(const char *ca_path, int max_version, char *error, size_t error_capacity);

/// The TLS 1.2 and 1.3 protocol numbers, for `max_version`.
int tg_tls_version_12(void);
int tg_tls_version_13(void);

/// A session on `context` reading from and writing to two memory BIOs. `server_name` (clients only) is sent as SNI
/// and checked against the certificate. NULL when out of memory.
struct ssl_st *tg_tls_session(struct ssl_ctx_st *context, int is_server, const char *server_name);

/// Appends ciphertext received from the peer to the session's input BIO. Returns 1, or 0 when out of memory.
int tg_tls_feed(struct ssl_st *session, const void *bytes, size_t count);
/// The ciphertext waiting to be sent: its length, and its address in `*data` (valid until the next call on the
/// session). `tg_tls_output_sent` drops it once the caller has taken it.
size_t tg_tls_output(struct ssl_st *session, const char **data);
void tg_tls_output_sent(struct ssl_st *session);
/// Whether input is buffered inside the session: decrypted bytes not yet read, or received ciphertext not yet
/// decrypted.
int tg_tls_has_buffered_input(struct ssl_st *session);
/// The protocol the peers agreed on through ALPN, or NULL with length 0.
const char *tg_tls_alpn(struct ssl_st *session, unsigned *length);

/// The reason for the most recent failure on this thread, as OpenSSL words it; clears the thread's error queue.
void tg_tls_take_error(char *error, size_t error_capacity);

/// A self-signed P-256 certificate for a development server: subject CN `common_name`, alternative names
/// `dns_names` and `ip_addresses`, valid from a minute ago for `days` days, for TLS server authentication only.
/// On success returns 1 and sets `*certificate_pem` and `*key_pem` (PKCS#8), which the caller frees with
/// `tg_tls_free` (which wipes them first).
int tg_tls_self_signed(const char *common_name, const char *const *dns_names, int dns_count,
                       const char *const *ip_addresses, int ip_count, int days,
                       char **certificate_pem, size_t *certificate_length,
                       char **key_pem, size_t *key_length, char *error, size_t error_capacity);
void tg_tls_free(void *pointer, size_t length);

#endif
