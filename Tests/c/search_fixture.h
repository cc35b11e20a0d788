/*
 * search_fixture.h: the small multi-threaded plan search that test_fork.c and test_dlclose.c
 * run (llama3-8b on 32 H100s, a few option values: well under a second, dozens of work units,
 * so every worker thread gets some).
 */
#ifndef PDCOST_TEST_SEARCH_FIXTURE_H
#define PDCOST_TEST_SEARCH_FIXTURE_H

#include "pdcost.h"

static void search_fixture_options(pdcost_search_options *o, uint32_t threads) {
    o->num_micro_batch_sizes = 2;
    o->micro_batch_sizes[0] = 1;
    o->micro_batch_sizes[1] = 2;
    o->recompute = PDCOST_SEARCH_RECOMPUTE_NONE | PDCOST_SEARCH_RECOMPUTE_FULL;
    o->max_vpp = 2;
    o->max_cp = 2;
    o->top_k = 5;
    o->threads = threads;
}

#define SEARCH_FIXTURE_PRESET "llama3-8b"
#define SEARCH_FIXTURE_GPU "H100-SXM-80GB"
#define SEARCH_FIXTURE_GPUS 32u
#define SEARCH_FIXTURE_SEQ 4096u
#define SEARCH_FIXTURE_BATCH 256u

#endif
