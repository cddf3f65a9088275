/*
 * One-off check behind the README's "streams wait behind each other upstream" finding (not run by the bench).
 * Starts N concurrent POSTs to URL through one libcurl multi handle, either as Tollgate configures them by default
 * (CURL_HTTP_VERSION_2TLS + CURLOPT_PIPEWAIT) or as plain HTTP/1.1, and reports how many received any bytes
 * within SECONDS. Against the bench's dripping upstream (keep the bench's temp dir with --keep):
 *
 *   cc -O1 -o pipewait-check deploy/loadtest/pipewait-check.c -lcurl
 *   ./pipewait-check http://127.0.0.1:PORT/model/x/invoke-with-response-stream 20 1 3   # 2TLS + PIPEWAIT
 *   ./pipewait-check http://127.0.0.1:PORT/model/x/invoke-with-response-stream 20 0 3   # HTTP/1.1
 *
 * libcurl options: https://curl.se/libcurl/c/CURLOPT_PIPEWAIT.html, https://curl.se/libcurl/c/CURLOPT_HTTP_VERSION.html
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static size_t sink(char *p, size_t s, size_t n, void *u) { (void)p; *(long *)u += s * n; return s * n; }
int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s URL TRANSFERS HTTP2_PIPEWAIT(0/1) SECONDS\n", argv[0]); return 2; }
    const char *url = argv[1]; int n = atoi(argv[2]); if (n > 4096) n = 4096; int h2 = atoi(argv[3]); int secs = atoi(argv[4]);
    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *m = curl_multi_init();
    static long got[4096];
    for (int i = 0; i < n; i++) {
        CURL *e = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "{}");
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &got[i]);
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, h2 ? (long)CURL_HTTP_VERSION_2TLS : (long)CURL_HTTP_VERSION_1_1);
        if (h2) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
        curl_multi_add_handle(m, e);
    }
    int running = 1; time_t end = time(NULL) + secs;
    while (running && time(NULL) < end) { curl_multi_perform(m, &running); curl_multi_poll(m, NULL, 0, 100, NULL); }
    int flowing = 0; for (int i = 0; i < n; i++) if (got[i] > 0) flowing++;
    printf("http2=%d pipewait=%d transfers=%d receiving=%d\n", h2, h2, n, flowing);
    return 0;
}
