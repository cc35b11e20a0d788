/* Sources/CPDCost/glibc_compat.c: the hypotf that replaces glibc 2.35's in the shipped library
 * (-Wl,--wrap=hypotf) returns what glibc's hypotf returns. Expected values: 3-4-5 and 5-12-13
 * triangles by hand, C99 F.9.4.3 for infinities (+inf even with a NaN), overflow of the float
 * range to +inf (3e38 * sqrt(2) > FLT_MAX = 3.40e38); and glibc's own hypotf on a million
 * random pairs over 2^-100..2^100. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

float __wrap_hypotf(float x, float y);

static int same(float a, float b) { return a == b || (isnan(a) && isnan(b)); }

int main(void) {
    int failures = 0;
    const float cases[][3] = {{3, 4, 5}, {-5, 12, 13}, {0, 0, 0}, {INFINITY, NAN, INFINITY},
                              {NAN, -INFINITY, INFINITY}, {3e38f, 3e38f, INFINITY}};
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float got = __wrap_hypotf(cases[i][0], cases[i][1]);
        if (!same(got, cases[i][2])) {
            printf("FAIL hypotf(%g, %g) = %.9g, want %.9g\n", cases[i][0], cases[i][1], got, cases[i][2]);
            failures++;
        }
    }
    if (!isnan(__wrap_hypotf(NAN, 1.0f))) {
        printf("FAIL hypotf(nan, 1) is not NaN\n");
        failures++;
    }
    uint32_t state = 12345u; /* xorshift32: reproducible on every libc */
    int differ = 0;
    for (int i = 0; i < 1000000; i++) {
        float xy[2];
        for (int k = 0; k < 2; k++) {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5;
            xy[k] = ldexpf((float)(state >> 8) / 16777216.0f, (int)(state % 200u) - 100);
        }
        if (!same(__wrap_hypotf(xy[0], xy[1]), hypotf(xy[0], xy[1]))) {
            differ++;
        }
    }
    if (differ) {
        printf("FAIL %d of 1000000 random pairs differ from glibc's hypotf\n", differ);
        failures++;
    }
    printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
    return failures ? 1 : 0;
}
