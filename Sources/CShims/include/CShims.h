#ifndef TOLLGATE_CSHIMS_H
#define TOLLGATE_CSHIMS_H

#include <curl/curl.h>
#include <stddef.h>
#include "CShimsCrypto.h"
#include "CShimsEpoll.h"
#include "CShimsTLS.h"

/// Fixed-type wrappers around libcurl's variadic setters, which Swift cannot call directly.
/// See https://curl.se/libcurl/c/curl_easy_setopt.html and curl_multi_setopt.html.

CURLcode tg_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode tg_easy_setopt_ptr(CURL *handle, CURLoption option, void *value);
CURLcode tg_easy_setopt_str(CURL *handle, CURLoption option, const char *value);
CURLcode tg_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);

typedef size_t (*tg_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
CURLcode tg_easy_setopt_data_callback(CURL *handle, CURLoption option, tg_data_callback cb);

typedef curl_socket_t (*tg_opensocket_callback)(void *clientp, curlsocktype purpose, struct curl_sockaddr *address);
CURLcode tg_easy_setopt_opensocket_callback(CURL *handle, tg_opensocket_callback cb);
typedef int (*tg_closesocket_callback)(void *clientp, curl_socket_t item);
CURLcode tg_easy_setopt_closesocket_callback(CURL *handle, tg_closesocket_callback cb);

CURLMcode tg_multi_setopt_long(CURLM *handle, CURLMoption option, long value);
CURLMcode tg_multi_setopt_ptr(CURLM *handle, CURLMoption option, void *value);
typedef int (*tg_socket_callback)(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp);
CURLMcode tg_multi_setopt_socket_callback(CURLM *handle, tg_socket_callback cb);
typedef int (*tg_timer_callback)(CURLM *multi, long timeout_ms, void *userp);
CURLMcode tg_multi_setopt_timer_callback(CURLM *handle, tg_timer_callback cb);

/// CURLOPT_SEEKFUNCTION: https://curl.se/libcurl/c/CURLOPT_SEEKFUNCTION.html
typedef int (*tg_seek_callback)(void *userp, curl_off_t offset, int origin);
CURLcode tg_easy_setopt_seek_callback(CURL *handle, tg_seek_callback cb);

CURLcode tg_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode tg_easy_getinfo_ptr(CURL *handle, CURLINFO info, void **value);
CURLcode tg_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode tg_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);

/// Fields of CURLMsg, whose `data` member is a union Swift imports awkwardly.
CURLMSG tg_msg_kind(const CURLMsg *msg);
CURL *tg_msg_easy(const CURLMsg *msg);
CURLcode tg_msg_result(const CURLMsg *msg);

/// Values of libcurl's function-like macros.
size_t tg_writefunc_pause(void);
size_t tg_readfunc_pause(void);
size_t tg_readfunc_abort(void);
curl_socket_t tg_socket_bad(void);
int tg_pause_cont(void);
long tg_global_all(void);

#endif
