// glibc symbol versions for the shipped library. glibc 2.35 gave hypot/hypotf new symbol
// versions (it dropped their SVID error handling: glibc 2.35 NEWS; math/Versions), and the
// static Swift runtime's Glibc overlay (`hypot(Float, Float)`) references hypotf, so the built
// library needed hypotf@GLIBC_2.35 and nothing else from 2.35: that one symbol set the wheel's
// floor to manylinux_2_35. cmake/PDCostSwiftLibrary.cmake links libpdcost.so with
// -Wl,--wrap=hypotf so those references land here instead, and the floor is GLIBC_2.34 (the
// pthread functions that moved into libc): manylinux_2_34 (RHEL 9 and its rebuilds).
//
// An older symbol version cannot be named here (.symver hypotf@GLIBC_2.2.5): ld's --wrap
// rewrites a versioned reference too, and the wrapper then calls itself. So this computes
// hypotf: both products of floats are exact in double (24 + 24 < 53 bits) and cannot overflow
// it, the sum rounds once and the square root is correctly rounded, so the result is within an
// ulp of the correctly rounded hypotf (float rounding of a double: at most one double rounding).
// C99 F.9.4.3: hypot(±inf, y) is +inf even for a NaN y. pdcost itself calls no hypot.
//
// Unused in builds without the --wrap flag (swift build, swift test).
#include <math.h>

float __wrap_hypotf(float x, float y);
float __wrap_hypotf(float x, float y) {
    if (isinf(x) || isinf(y)) {
        return INFINITY;
    }
    double dx = (double)x;
    double dy = (double)y;
    return (float)__builtin_sqrt(dx * dx + dy * dy);
}
