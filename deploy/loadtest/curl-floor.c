/*
 * The libcurl floor: the least a proxy built on libcurl can spend per upstream call, measured by the bench.
 *
 *   curl-floor URL BODY_FILE COUNT [PARALLEL]
 *
 * PARALLEL easy handles (default 1) on one multi handle, each reused for sequential keep-alive POSTs of BODY_FILE
 * to URL until COUNT transfers are done, each carrying the headers a SigV4-signed Bedrock call carries
 * (Content-Type, Accept, User-Agent, X-Amz-Date, X-Amz-Content-Sha256 and an Authorization of the real length);
 * nothing else: no parsing, no signing, no server side. Options are set once per handle; per transfer only what a
 * real proxy changes is set again (the body and the header list). Prints one line:
 *
 *   FLOOR {"transfers": N, "cpu_us_per_transfer": X, "user_us_per_transfer": U, "failures": F}
 *
 * with user + system CPU time (getrusage) per transfer. The bench runs it with the load test's concurrency for the
 * CPU figure, and sequentially under callgrind with N and 2N transfers (difference / N) for the instruction count.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static char body[65536];
static size_t body_length;

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata) {
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

static void cpu_us(double *total, double *user) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    *user = usage.ru_utime.tv_sec * 1e6 + usage.ru_utime.tv_usec;
    *total = *user + usage.ru_stime.tv_sec * 1e6 + usage.ru_stime.tv_usec;
}

/* Sets what changes per transfer: a fresh header list (freed by the caller after the transfer) and the body. */
static struct curl_slist *prepare(CURL *easy) {
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "User-Agent: tollgate/0.1.0");
    headers = curl_slist_append(headers, "X-Amz-Date: 20261207T120000Z");
    headers = curl_slist_append(headers,
        "X-Amz-Content-Sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    headers = curl_slist_append(headers,
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIABENCHDUMMY000001/20261207/us-east-1/bedrock/aws4_request, "
        "SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date, "
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)body_length);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    return headers;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s URL BODY_FILE COUNT [PARALLEL]\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror(argv[2]); return 2; }
    body_length = fread(body, 1, sizeof body, f);
    fclose(f);
    long count = strtol(argv[3], NULL, 10);
    int parallel = argc == 5 ? atoi(argv[4]) : 1;
    if (parallel < 1) parallel = 1;

    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *multi = curl_multi_init();
    CURL **easy = calloc((size_t)parallel, sizeof *easy);
    struct curl_slist **lists = calloc((size_t)parallel, sizeof *lists);
    long started = 0, done = 0, failures = 0;
    for (int i = 0; i < parallel && started < count; i++, started++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, argv[1]);
        curl_easy_setopt(easy[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy[i], CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy[i], CURLOPT_POST, 1L);
        curl_easy_setopt(easy[i], CURLOPT_PRIVATE, (void *)(long)i);
        lists[i] = prepare(easy[i]);
        curl_multi_add_handle(multi, easy[i]);
    }
    double start_total, start_user;
    cpu_us(&start_total, &start_user);
    while (done < count) {
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int queued;
        while ((message = curl_multi_info_read(multi, &queued))) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *handle = message->easy_handle;
            long status = 0;
            if (message->data.result != CURLE_OK) failures++;
            else if (curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status != 200) failures++;
            done++;
            void *private = NULL;
            curl_easy_getinfo(handle, CURLINFO_PRIVATE, &private);
            long i = (long)private;
            curl_multi_remove_handle(multi, handle);
            curl_slist_free_all(lists[i]);
            lists[i] = NULL;
            if (started < count) {
                started++;
                lists[i] = prepare(handle);
                curl_multi_add_handle(multi, handle);
            }
        }
        if (done < count) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    double end_total, end_user;
    cpu_us(&end_total, &end_user);
    for (int i = 0; i < parallel; i++) if (easy[i]) curl_easy_cleanup(easy[i]);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    printf("FLOOR {\"transfers\": %ld, \"cpu_us_per_transfer\": %.2f, \"user_us_per_transfer\": %.2f, \"failures\": %ld}\n",
           count, count > 0 ? (end_total - start_total) / count : 0.0, count > 0 ? (end_user - start_user) / count : 0.0,
           failures);
    return failures ? 1 : 0;
}
