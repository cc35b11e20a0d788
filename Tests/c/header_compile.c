/* The header alone must compile cleanly as C99 and as C++17 with
 * -Wall -Wextra -Werror -pedantic (the tests compile this file both ways, with gcc and g++).
 * Using each _INIT macro also checks that it initialises every field (-Wextra's
 * -Wmissing-field-initializers). */
#include "pdcost.h"

int pdcost_header_compile_check(void);

int pdcost_header_compile_check(void) {
    pdcost_param_counts counts = PDCOST_PARAM_COUNTS_INIT;
    pdcost_flops flops = PDCOST_FLOPS_INIT;
    pdcost_gpu_spec gpu = PDCOST_GPU_SPEC_INIT;
    pdcost_status status = PDCOST_OK;
    pdcost_attention_mask mask = PDCOST_MASK_CAUSAL;
    pdcost_model *model = 0;
    (void)model;
    return (int)counts.size + (int)flops.version + (int)gpu.size + (int)status + (int)mask +
           PDCOST_VERSION_MAJOR + PDCOST_ABI_VERSION + (int)sizeof(PDCOST_VERSION_STRING);
}
