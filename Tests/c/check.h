/*
 * check.h: the assertion macros the C tests share. Each test counts its checks and failures
 * and returns check_report(name) from main.
 */
#ifndef PDCOST_TEST_CHECK_H
#define PDCOST_TEST_CHECK_H

#include "pdcost.h"

#include <stdio.h>
#include <string.h>

static int failures;
static int checks;

/* `cond` holds; on failure print it with the library's last message. */
#define CHECK(cond)                                                                   \
    do {                                                                              \
        checks++;                                                                     \
        if (!(cond)) {                                                                \
            failures++;                                                               \
            fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__,    \
                    __LINE__, #cond, pdcost_last_error());                            \
        }                                                                             \
    } while (0)

/* The call returns `expected` and the message contains `fragment` ("" = any message, which
 * must still be non-empty on failure and empty on success). */
#define EXPECT_STATUS(call, expected, fragment)                                        \
    do {                                                                               \
        pdcost_status s_ = (call);                                                     \
        const char *m_ = pdcost_last_error();                                          \
        checks++;                                                                      \
        if (s_ != (expected) || m_ == NULL || strstr(m_, (fragment)) == NULL ||        \
            ((expected) == PDCOST_OK) != (m_[0] == '\0')) {                            \
            failures++;                                                                \
            fprintf(stderr, "%s:%d: %s\n  returned %s, expected %s\n  message \"%s\", "   \
                            "expected to contain \"%s\"\n", __FILE__, __LINE__, #call,  \
                    pdcost_status_name(s_), pdcost_status_name(expected), m_ ? m_ : "(NULL)", \
                    (fragment));                                                       \
        }                                                                              \
    } while (0)

/* Prints the tally; the process exit status. */
static inline int check_report(const char *test) {
    printf("%s: %d checks, %d failed\n", test, checks, failures);
    return failures == 0 ? 0 : 1;
}

#endif
