/*
 * test_fork.c: pdcost.h promises that no library thread outlives a call, so a process may
 * fork between calls (Python's multiprocessing forks by default on Linux). The parent runs a
 * 2-thread search and forks; the child runs 2- and 4-thread searches and must exit 0 with the
 * parent's result within a few seconds. With a thread pool that does not survive fork
 * (libdispatch) the child's search never returned: an alarm kills a hung child, and the parent
 * waits for it with a bounded timeout (then kills it) so the test fails instead of hanging.
 */
#define _POSIX_C_SOURCE 200809L
#include "pdcost.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "search_fixture.h"

enum { CHILD_ALARM_S = 10, PARENT_WAIT_S = 15 };

/* What a search found, to compare across processes and thread counts. */
typedef struct outcome {
    pdcost_status status;
    size_t count;
    uint32_t threads;
    double best_tokens_per_second;
    pdcost_plan best_plan;
} outcome;

static outcome run_search(const pdcost_cost_model *cost, uint32_t threads) {
    outcome r;
    memset(&r, 0, sizeof r);
    pdcost_search_options o = PDCOST_SEARCH_OPTIONS_INIT;
    search_fixture_options(&o, threads);
    pdcost_search_result *result = NULL;
    r.status = pdcost_search_run(&result, cost, &o);
    if (r.status != PDCOST_OK) return r;
    r.count = pdcost_search_result_count(result);
    pdcost_search_stats stats = PDCOST_SEARCH_STATS_INIT;
    if (pdcost_search_result_stats(&stats, result) == PDCOST_OK) r.threads = stats.threads;
    pdcost_search_entry e = PDCOST_SEARCH_ENTRY_INIT;
    if (r.count > 0 && pdcost_search_result_get(&e, result, 0) == PDCOST_OK) {
        r.best_tokens_per_second = e.prediction.tokens_per_second;
        r.best_plan = e.plan;
    }
    pdcost_search_result_free(result);
    return r;
}

static int same_outcome(const outcome *a, const outcome *b) {
    return a->status == PDCOST_OK && b->status == PDCOST_OK && a->count == b->count &&
           a->best_tokens_per_second == b->best_tokens_per_second &&
           memcmp(&a->best_plan, &b->best_plan, sizeof a->best_plan) == 0;
}

static pdcost_cost_model *make_cost(void) {
    pdcost_model *model = NULL;
    EXPECT_STATUS(pdcost_model_from_preset(&model, SEARCH_FIXTURE_PRESET), PDCOST_OK, "");
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    EXPECT_STATUS(pdcost_gpu_from_name(&cluster.gpu, SEARCH_FIXTURE_GPU), PDCOST_OK, "");
    cluster.num_gpus = SEARCH_FIXTURE_GPUS;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    setup.seq_len = SEARCH_FIXTURE_SEQ;
    setup.global_batch_size = SEARCH_FIXTURE_BATCH;
    pdcost_cost_model *cost = NULL;
    EXPECT_STATUS(pdcost_cost_model_create(&cost, model, &cluster, &setup, NULL), PDCOST_OK, "");
    pdcost_model_free(model);
    return cost;
}

/* The child: exit 0 only if both searches return the parent's result. */
static void child(const pdcost_cost_model *cost, const outcome *expected) {
    alarm(CHILD_ALARM_S); /* a hung search dies of SIGALRM */
    outcome two = run_search(cost, 2);
    outcome four = run_search(cost, 4);
    int code = 0;
    if (!same_outcome(&two, expected) || two.threads != 2) code = 3;
    if (!same_outcome(&four, expected) || four.threads != 4) code = 4;
    if (code != 0) fprintf(stderr, "child: %s\n", pdcost_last_error());
    _exit(code);
}

/* Waits for `pid` at most PARENT_WAIT_S seconds; kills it then. Returns the wait status, or
 * -1 if it had to be killed. */
static int wait_bounded(pid_t pid) {
    struct timespec pause = {0, 20 * 1000 * 1000};
    for (int tick = 0; tick < PARENT_WAIT_S * 50; tick++) {
        int status = 0;
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid) return status;
        if (got < 0 && errno != EINTR) return -2;
        nanosleep(&pause, NULL);
    }
    kill(pid, SIGKILL);
    int status = 0;
    (void)waitpid(pid, &status, 0);
    return -1;
}

int main(void) {
    pdcost_cost_model *cost = make_cost();
    outcome serial = run_search(cost, 1);
    outcome parent = run_search(cost, 2);
    CHECK(serial.status == PDCOST_OK && serial.count > 0);
    CHECK(parent.threads == 2);
    CHECK(same_outcome(&parent, &serial)); /* any thread count gives the same ranking */

    /* Twice: a child of a process that already forked once behaves the same. */
    for (int round = 0; round < 2; round++) {
        fflush(NULL);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) child(cost, &serial);
        int status = wait_bounded(pid);
        if (status == -1) fprintf(stderr, "round %d: the child's search hung; killed it\n", round);
        else if (status >= 0 && WIFSIGNALED(status))
            fprintf(stderr, "round %d: the child died of signal %d\n", round, WTERMSIG(status));
        else if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
            fprintf(stderr, "round %d: the child exited %d\n", round, WEXITSTATUS(status));
        CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
        /* The parent's own next parallel search still works after the fork. */
        outcome again = run_search(cost, 2);
        CHECK(same_outcome(&again, &serial));
    }
    pdcost_cost_model_free(cost);
    return check_report("test_fork");
}
