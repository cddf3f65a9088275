#include "CShims.h"

CURLcode tg_easy_setopt_long(CURL *handle, CURLoption option, long value) { return curl_easy_setopt(handle, option, value); }
CURLcode tg_easy_setopt_ptr(CURL *handle, CURLoption option, void *value) { return curl_easy_setopt(handle, option, value); }
CURLcode tg_easy_setopt_str(CURL *handle, CURLoption option, const char *value) { return curl_easy_setopt(handle, option, value); }
CURLcode tg_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) { return curl_easy_setopt(handle, option, value); }
CURLcode tg_easy_setopt_data_callback(CURL *handle, CURLoption option, tg_data_callback cb) { return curl_easy_setopt(handle, option, cb); }
CURLcode tg_easy_setopt_opensocket_callback(CURL *handle, tg_opensocket_callback cb) { return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, cb); }
CURLcode tg_easy_setopt_closesocket_callback(CURL *handle, tg_closesocket_callback cb) { return curl_easy_setopt(handle, CURLOPT_CLOSESOCKETFUNCTION, cb); }

CURLcode tg_easy_setopt_seek_callback(CURL *handle, tg_seek_callback cb) { return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, cb); }

CURLMcode tg_multi_setopt_long(CURLM *handle, CURLMoption option, long value) { return curl_multi_setopt(handle, option, value); }
CURLMcode tg_multi_setopt_ptr(CURLM *handle, CURLMoption option, void *value) { return curl_multi_setopt(handle, option, value); }
CURLMcode tg_multi_setopt_socket_callback(CURLM *handle, tg_socket_callback cb) { return curl_multi_setopt(handle, CURLMOPT_SOCKETFUNCTION, cb); }
CURLMcode tg_multi_setopt_timer_callback(CURLM *handle, tg_timer_callback cb) { return curl_multi_setopt(handle, CURLMOPT_TIMERFUNCTION, cb); }

CURLcode tg_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) { return curl_easy_getinfo(handle, info, value); }
CURLcode tg_easy_getinfo_ptr(CURL *handle, CURLINFO info, void **value) { return curl_easy_getinfo(handle, info, value); }
CURLcode tg_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) { return curl_easy_getinfo(handle, info, value); }
CURLcode tg_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) { return curl_easy_getinfo(handle, info, value); }

CURLMSG tg_msg_kind(const CURLMsg *msg) { return msg->msg; }
CURL *tg_msg_easy(const CURLMsg *msg) { return msg->easy_handle; }
CURLcode tg_msg_result(const CURLMsg *msg) { return msg->data.result; }

size_t tg_writefunc_pause(void) { return CURL_WRITEFUNC_PAUSE; }
size_t tg_readfunc_pause(void) { return CURL_READFUNC_PAUSE; }
size_t tg_readfunc_abort(void) { return CURL_READFUNC_ABORT; }
curl_socket_t tg_socket_bad(void) { return CURL_SOCKET_BAD; }
int tg_pause_cont(void) { return CURLPAUSE_CONT; }
long tg_global_all(void) { return CURL_GLOBAL_ALL; }
