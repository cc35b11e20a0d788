/* The thread-local error message promised by pdcost.h: never NULL, owned by the library,
 * valid until the next call on the same thread. A fixed buffer per thread means reporting an
 * error never allocates and never fails. */
#include "../../include/pdcost.h"
#include "cpdcost_internal.h"

#include <string.h>

enum { ERROR_CAPACITY = 2048 };

static _Thread_local char last_error[ERROR_CAPACITY];

void cpdcost_set_last_error(const char *message, size_t length) {
    if (message == NULL) {
        length = 0;
    }
    if (length >= ERROR_CAPACITY) {
        length = ERROR_CAPACITY - 1;
        /* Do not cut a UTF-8 sequence in half: back up over continuation bytes. */
        while (length > 0 && ((unsigned char)message[length] & 0xC0) == 0x80) {
            length--;
        }
    }
    if (length > 0) {
        memcpy(last_error, message, length);
    }
    last_error[length] = '\0';
}

void cpdcost_clear_last_error(void) { last_error[0] = '\0'; }

const char *pdcost_last_error(void) { return last_error; }
