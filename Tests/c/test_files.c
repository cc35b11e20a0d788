/*
 * test_files.c: pdcost_model_from_file reads regular files only. A FIFO (which a blocking
 * open would wait on forever for a writer), a directory and a character device are refused at
 * once with PDCOST_EIO and a message naming the path and what it is; so is a regular file over
 * the 64 MiB cap; a regular file still loads. An alarm turns a hang into a failure.
 *
 * argv[1]: a scratch directory; argv[2]: a config.json fixture.
 */
#define _POSIX_C_SOURCE 200809L
#include "pdcost.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s scratch-dir config.json\n", argv[0]);
        return 2;
    }
    alarm(20); /* SIGALRM: a blocked open or read fails the test */
    char fifo[4096];
    snprintf(fifo, sizeof fifo, "%s/pdcost-test.fifo", argv[1]);
    (void)unlink(fifo);
    CHECK(mkfifo(fifo, 0600) == 0);

    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_file(&model, fifo), PDCOST_EIO, "is a FIFO, not a regular file");
    CHECK(strstr(pdcost_last_error(), fifo) != NULL);
    CHECK(model == NULL);
    EXPECT_STATUS(pdcost_model_from_file(&model, argv[1]), PDCOST_EIO, "is a directory, not a regular file");
    CHECK(strstr(pdcost_last_error(), argv[1]) != NULL);
    EXPECT_STATUS(pdcost_model_from_file(&model, "/dev/zero"), PDCOST_EIO,
                  "'/dev/zero': is a character device, not a regular file");
    EXPECT_STATUS(pdcost_model_from_file(&model, "/dev/null"), PDCOST_EIO, "is a character device");
    CHECK(model == NULL);
    (void)unlink(fifo);

    /* A regular file over the 64 MiB cap (sparse: no disk used) is refused by its size. */
    char big[4096];
    snprintf(big, sizeof big, "%s/pdcost-test-big.json", argv[1]);
    FILE *f = fopen(big, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(ftruncate(fileno(f), (off_t)(64 << 20) + 1) == 0);
        fclose(f);
        EXPECT_STATUS(pdcost_model_from_file(&model, big), PDCOST_EIO, "64 MiB");
        (void)unlink(big);
    }

    EXPECT_STATUS(pdcost_model_from_file(&model, argv[2]), PDCOST_OK, "");
    CHECK(model != NULL);
    pdcost_model_free(model);
    return check_report("test_files");
}
