/* Internal glue between the Swift thunks and C. Not installed, not exported (the export list
 * keeps only pdcost_* symbols). */
#ifndef CPDCOST_INTERNAL_H
#define CPDCOST_INTERNAL_H

#include <stddef.h>

/* Copies `length` bytes of `message` into this thread's error buffer (truncating at a UTF-8
 * character boundary if it is too long) and NUL-terminates it. */
void cpdcost_set_last_error(const char *message, size_t length);

/* Empties this thread's error buffer. */
void cpdcost_clear_last_error(void);

#endif
