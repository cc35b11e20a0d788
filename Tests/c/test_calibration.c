/*
 * test_calibration.c: the GPU calibration entry points through the shipped libpdcost.so.
 *
 * On a machine without a GPU (CI): pdcost_cuda_available reports "available": false with a
 * reason, and pdcost_gpu_calibrate fails with PDCOST_ENODEVICE and a message naming what is
 * missing, without crashing and without touching *out. Bad arguments fail with EINVAL/EVERSION
 * naming the field, before any CUDA work. On a GPU machine: a quick calibration returns a report
 * with a profile and the progress callback sees the stages, and cancelling works.
 */
#include "pdcost.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

typedef struct {
    unsigned calls;
    unsigned cancel_after; /* 0: never cancel */
    int saw_done;
} progress_log;

static int on_progress(void *user, const char *stage, uint64_t done, uint64_t total) {
    progress_log *log = (progress_log *)user;
    log->calls++;
    if (stage != NULL && strcmp(stage, "done") == 0 && done == total) {
        log->saw_done = 1;
    }
    return log->cancel_after != 0 && log->calls >= log->cancel_after;
}

int main(void) {
    /* Layout of the options struct: header, eight uint32, then a double and a uint64 at their
     * natural alignment (4*10 = 40 bytes, 8-aligned), then the progress callback and its user
     * pointer, the last two fields as in every options struct (72 in all on LP64). */
    CHECK(offsetof(pdcost_gpu_calibration_options, sustain_seconds) == 40);
    CHECK(offsetof(pdcost_gpu_calibration_options, max_collective_bytes) == 48);
    CHECK(offsetof(pdcost_gpu_calibration_options, progress) == 56);
    CHECK(offsetof(pdcost_gpu_calibration_options, user) == 56 + sizeof(void (*)(void)));
    CHECK(sizeof(pdcost_gpu_calibration_options) == 56 + sizeof(void (*)(void)) + sizeof(void *));

    /* The probe never fails for a valid out pointer. */
    char *probe = NULL;
    CHECK(pdcost_cuda_available(NULL) == PDCOST_EINVAL);
    CHECK(pdcost_cuda_available(&probe) == PDCOST_OK);
    CHECK(probe != NULL && strstr(probe, "\"available\"") != NULL);
    int available = 0;
    const char *key = probe != NULL ? strstr(probe, "\"available\"") : NULL;
    if (key != NULL) {
        key += strlen("\"available\"");
        while (*key == ' ' || *key == ':') {
            key++;
        }
        available = strncmp(key, "true", 4) == 0;
    }
    printf("pdcost_cuda_available: %s\n", probe != NULL ? probe : "(null)");
    pdcost_string_free(probe);

    /* Argument errors come before any device work. */
    char *report = (char *)"untouched";
    CHECK(pdcost_gpu_calibrate(NULL, NULL) == PDCOST_EINVAL);
    CHECK(strstr(pdcost_last_error(), "out_report_json") != NULL);
    pdcost_gpu_calibration_options options = PDCOST_GPU_CALIBRATION_OPTIONS_INIT;
    options.gemm_size = 100;
    CHECK(pdcost_gpu_calibrate(&report, &options) == PDCOST_EINVAL);
    CHECK(strstr(pdcost_last_error(), "gemm_size=100") != NULL);
    options.gemm_size = 8192;
    options.dtypes = 64;
    CHECK(pdcost_gpu_calibrate(&report, &options) == PDCOST_EINVAL);
    CHECK(strstr(pdcost_last_error(), "dtypes") != NULL);
    options.dtypes = 0;
    options.version = 99;
    CHECK(pdcost_gpu_calibrate(&report, &options) == PDCOST_EVERSION);
    CHECK(strstr(pdcost_last_error(), "options->version=99") != NULL);
    options.version = PDCOST_GPU_CALIBRATION_OPTIONS_VERSION;
    /* A struct smaller than version 1 (it ends before the progress fields). */
    options.size = (uint32_t)offsetof(pdcost_gpu_calibration_options, progress);
    CHECK(pdcost_gpu_calibrate(&report, &options) == PDCOST_EVERSION);
    CHECK(strstr(pdcost_last_error(), "options->size=") != NULL);
    options.size = sizeof options;
    CHECK(strcmp(report, "untouched") == 0);

    /* A quick run: 2048 at most, few repetitions, no soak, small collectives. */
    options.gemm_size = 2048;
    options.repetitions = 3;
    options.warmup = 1;
    options.sustain_seconds = 0.0;
    options.max_collective_bytes = 1u << 22;
    progress_log log = {0, 0, 0};
    options.progress = on_progress;
    options.user = &log;
    pdcost_status status = pdcost_gpu_calibrate(&report, &options);
    if (!available) {
        CHECK(status == PDCOST_ENODEVICE);
        CHECK(strstr(pdcost_last_error(), "no usable GPU") != NULL);
        CHECK(strcmp(report, "untouched") == 0);
        CHECK(log.calls == 0);
        printf("no GPU: %s\n", pdcost_last_error());
    } else {
        CHECK(status == PDCOST_OK);
        CHECK(report != NULL && strstr(report, "\"profile\"") != NULL);
        CHECK(report != NULL && strstr(report, "\"gpu-microbenchmarks\"") != NULL);
        CHECK(log.saw_done);
        if (status == PDCOST_OK) {
            pdcost_string_free(report);
        }
        report = (char *)"untouched";
        progress_log cancel = {0, 2, 0};
        options.user = &cancel;
        CHECK(pdcost_gpu_calibrate(&report, &options) == PDCOST_ECANCELED);
        CHECK(strstr(pdcost_last_error(), "cancelled") != NULL);
        CHECK(cancel.calls == 2);
    }

    return check_report("test_calibration");
}
