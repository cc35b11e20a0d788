/*
 * pdcost._native: the private CPython extension over libpdcost's C ABI (include/pdcost.h).
 *
 * The pure-Python package `pdcost` is the API; this module is a thin, mechanical layer:
 *   - validate Python arguments (types and ranges) before any library call, so nothing a
 *     Python caller passes can reach the library in a shape the header forbids;
 *   - call the library; on failure, raise_status() maps the status to the PDCostError family
 *     (defined in pdcost/errors.py and looked up once, at module exec);
 *   - return plain Python objects (int, float, str, dict) or a `Model` handle.
 *
 * Structure follows CPython's own small extensions (_bz2, _lzma, _zstd): multi-phase init
 * (PEP 489), all Python objects in module state (no static PyObject globals), a heap type for
 * the handle, one function that turns library errors into exceptions.
 *
 * The GIL is released around every library call that reads a file or parses a document
 * (model_from_json/_file, check_profile, CostModel with a profile, validate_runs, fit_runs: a
 * 50 MiB config takes a second or two) and around the long ones (search, calibration); the
 * entry points that return in microseconds keep it. The bytes the library reads with the GIL
 * released are immutable and referenced for the call (str's UTF-8, bytes), or a private copy
 * of a mutable buffer (input_bytes). Progress callbacks run on the calling thread and take the
 * GIL back through that thread's own saved thread state (PyEval_RestoreThread), never through
 * PyGILState, which CPython does not support with subinterpreters.
 *
 * At import the runtime library version must equal the header this file was compiled
 * against; otherwise the import fails with an ImportError that names both.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h> /* first; its pyconfig.h defines _GNU_SOURCE, which dladdr() needs */

#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "pdcost.h"

#define MODULE_NAME "pdcost._native"

/* Longest sequence accepted by flops_per_token: the header's limit (2^31 tokens). */
#define MAX_SEQUENCE_LENGTH ((long long)PDCOST_MAX_SEQ_LEN)
/* sequence_length() quotes the range as the limits table writes it. */
_Static_assert(PDCOST_MAX_SEQ_LEN == 2147483648u, "update the [1, 2^31] in sequence_length()");

/* ------------------------------------------------------------------------------------------ */
/* Module state                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* The exception classes of pdcost/errors.py, by role. */
enum error_slot {
    ERR_BASE, /* PDCostError: EINTERNAL and codes newer than this extension */
    ERR_INVALID,
    ERR_PARSE,
    ERR_NOT_FOUND,
    ERR_UNSUPPORTED,
    ERR_VERSION,
    ERR_INFEASIBLE,
    ERR_NO_DEVICE,
    ERR_IO,
    ERR_CANCELLED,
    ERR_COUNT
};

static const char *const error_class_names[ERR_COUNT] = {
    [ERR_BASE] = "PDCostError",
    [ERR_INVALID] = "InvalidArgumentError",
    [ERR_PARSE] = "ParseError",
    [ERR_NOT_FOUND] = "NotFoundError",
    [ERR_UNSUPPORTED] = "UnsupportedError",
    [ERR_VERSION] = "VersionMismatchError",
    [ERR_INFEASIBLE] = "InfeasiblePlanError",
    [ERR_NO_DEVICE] = "NoDeviceError",
    [ERR_IO] = "PDCostIOError",
    [ERR_CANCELLED] = "CancelledError",
};

/* The fields of pdcost_param_counts, in header order: dict keys and offsets. */
typedef struct {
    const char *name;
    size_t offset;
} counts_field;

static const counts_field counts_fields[] = {
    {"total", offsetof(pdcost_param_counts, total)},
    {"active", offsetof(pdcost_param_counts, active)},
    {"embedding", offsetof(pdcost_param_counts, embedding)},
    {"position_embedding", offsetof(pdcost_param_counts, position_embedding)},
    {"attention", offsetof(pdcost_param_counts, attention)},
    {"dense_mlp", offsetof(pdcost_param_counts, dense_mlp)},
    {"routed_experts", offsetof(pdcost_param_counts, routed_experts)},
    {"shared_experts", offsetof(pdcost_param_counts, shared_experts)},
    {"router", offsetof(pdcost_param_counts, router)},
    {"norms", offsetof(pdcost_param_counts, norms)},
    {"lm_head", offsetof(pdcost_param_counts, lm_head)},
    {"mtp", offsetof(pdcost_param_counts, mtp)},
    {"moe_latent_projections", offsetof(pdcost_param_counts, moe_latent_projections)},
};
#define COUNTS_FIELD_COUNT (sizeof(counts_fields) / sizeof(counts_fields[0]))

typedef struct {
    PyTypeObject *model_type;
    PyTypeObject *cost_model_type;
    PyObject *errors[ERR_COUNT];
    /* Interned dict keys for param_counts(), built once (it is the hot call). */
    PyObject *counts_keys[COUNTS_FIELD_COUNT];
} native_state;

static inline native_state *get_state(PyObject *module) {
    return (native_state *)PyModule_GetState(module);
}

/* ------------------------------------------------------------------------------------------ */
/* Errors: the one mapping from pdcost_status to exceptions                                    */
/* ------------------------------------------------------------------------------------------ */

/* Raises the exception for a failed library call and returns NULL. Must be called right after
 * the failing call: the message is read before any other pdcost function runs, because the
 * header makes it valid only until the next call on this thread. */
static PyObject *raise_status(native_state *st, pdcost_status status) {
    const char *raw = pdcost_last_error();
    PyObject *message = PyUnicode_DecodeUTF8(raw, (Py_ssize_t)strlen(raw), "replace");
    if (message == NULL) {
        return NULL;
    }
    enum error_slot slot;
    switch (status) {
    case PDCOST_EINVAL: slot = ERR_INVALID; break;
    case PDCOST_EPARSE: slot = ERR_PARSE; break;
    case PDCOST_ENOTFOUND: slot = ERR_NOT_FOUND; break;
    case PDCOST_EUNSUPPORTED: slot = ERR_UNSUPPORTED; break;
    case PDCOST_EVERSION: slot = ERR_VERSION; break;
    case PDCOST_EINFEASIBLE: slot = ERR_INFEASIBLE; break;
    case PDCOST_ENODEVICE: slot = ERR_NO_DEVICE; break;
    case PDCOST_EIO: slot = ERR_IO; break;
    case PDCOST_ECANCELED: slot = ERR_CANCELLED; break;
    case PDCOST_OK:       /* a bug in this file: an error path for a success */
    case PDCOST_EINTERNAL:
    default: slot = ERR_BASE; break;
    }
    const char *name = pdcost_status_name(status);
    PyObject *exc = PyObject_CallFunction(st->errors[slot], "Os", message, name);
    Py_DECREF(message);
    if (exc == NULL) {
        return NULL;
    }
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Argument helpers: reject what the header does not allow before calling the library          */
/* ------------------------------------------------------------------------------------------ */

/* A str argument as UTF-8 without embedded NUL (the library takes C strings). */
static const char *utf8_name(PyObject *obj, const char *what) {
    if (!PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(obj)->tp_name);
        return NULL;
    }
    Py_ssize_t size;
    const char *text = PyUnicode_AsUTF8AndSize(obj, &size);
    if (text == NULL) {
        return NULL;
    }
    if ((size_t)size != strlen(text)) {
        PyErr_Format(PyExc_ValueError, "%s=%R must not contain NUL characters", what, obj);
        return NULL;
    }
    return text;
}

/* An int in [1, MAX_SEQUENCE_LENGTH] (bool rejected; objects with __index__ accepted). */
static int sequence_length(PyObject *obj, uint64_t *out) {
    if (PyBool_Check(obj) || !PyIndex_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "seq_len must be int, not %.100s", Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyObject *index = PyNumber_Index(obj);
    if (index == NULL) {
        return -1;
    }
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(index, &overflow);
    Py_DECREF(index);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow != 0 || value < 1 || value > MAX_SEQUENCE_LENGTH) {
        PyErr_Format(PyExc_ValueError, "seq_len=%R must be in [1, 2^31]", obj);
        return -1;
    }
    *out = (uint64_t)value;
    return 0;
}

/* Takes ownership of a library string: returns it as str and frees it. */
static PyObject *take_string(char *text) {
    if (text == NULL) {
        PyErr_SetString(PyExc_SystemError, "libpdcost returned PDCOST_OK and a NULL string");
        return NULL;
    }
    PyObject *result = PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), "strict");
    pdcost_string_free(text);
    return result;
}

/* Bytes for a library call made with the GIL released: immutable and kept alive by `owner`
 * (a str's cached UTF-8, a bytes object), or a private copy of a mutable buffer (another
 * thread could write to a bytearray while the library parses it). */
typedef struct {
    PyObject *owner; /* owned reference */
    const char *data;
    size_t length;
} input_bytes;

/* Takes a str (as UTF-8, if allow_str) or any buffer; 0, or -1 with an exception set. */
static int input_bytes_get(PyObject *obj, const char *what, int allow_str, input_bytes *out) {
    if (allow_str && PyUnicode_Check(obj)) {
        Py_ssize_t size;
        const char *text = PyUnicode_AsUTF8AndSize(obj, &size);
        if (text == NULL) {
            return -1; /* lone surrogates: UnicodeEncodeError, a ValueError */
        }
        out->owner = Py_NewRef(obj);
        out->data = text;
        out->length = (size_t)size;
        return 0;
    }
    if (PyBytes_Check(obj)) {
        out->owner = Py_NewRef(obj);
        out->data = PyBytes_AS_STRING(obj);
        out->length = (size_t)PyBytes_GET_SIZE(obj);
        return 0;
    }
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be %sbytes or a buffer, not %.100s", what,
                     allow_str ? "str, " : "", Py_TYPE(obj)->tp_name);
        return -1;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) {
        return -1;
    }
    PyObject *copy = PyBytes_FromStringAndSize((const char *)view.buf, view.len);
    PyBuffer_Release(&view);
    if (copy == NULL) {
        return -1;
    }
    out->owner = copy;
    out->data = PyBytes_AS_STRING(copy);
    out->length = (size_t)PyBytes_GET_SIZE(copy);
    return 0;
}

/* As input_bytes_get, from a Py_buffer that PyArg_Parse* filled ("y*", "z*"): released here.
 * A view with buf NULL (None for "z*") gives data NULL, length 0. */
static int input_bytes_from_view(Py_buffer *view, input_bytes *out) {
    out->owner = NULL;
    out->data = NULL;
    out->length = 0;
    if (view->buf == NULL) {
        if (view->obj != NULL) {
            PyBuffer_Release(view);
        }
        return 0;
    }
    int result;
    if (view->obj != NULL && PyBytes_Check(view->obj)) {
        out->owner = Py_NewRef(view->obj);
        out->data = (const char *)view->buf;
        out->length = (size_t)view->len;
        result = 0;
    } else {
        out->owner = PyBytes_FromStringAndSize((const char *)view->buf, view->len);
        if (out->owner != NULL) {
            out->data = PyBytes_AS_STRING(out->owner);
            out->length = (size_t)PyBytes_GET_SIZE(out->owner);
        }
        result = out->owner != NULL ? 0 : -1;
    }
    PyBuffer_Release(view);
    return result;
}

static void input_bytes_release(input_bytes *in) {
    Py_CLEAR(in->owner);
    in->data = NULL;
    in->length = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Model: a handle on an analysed model (pdcost_model *)                                       */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    pdcost_model *model; /* owned; never NULL once the object is visible to Python */
} ModelObject;

/* Wraps a new handle (takes ownership, also on failure). */
static PyObject *model_wrap(native_state *st, pdcost_model *model) {
    ModelObject *self = PyObject_New(ModelObject, st->model_type);
    if (self == NULL) {
        pdcost_model_free(model);
        return NULL;
    }
    self->model = model;
    return (PyObject *)self;
}

static void model_dealloc(PyObject *op) {
    ModelObject *self = (ModelObject *)op;
    PyTypeObject *type = Py_TYPE(op);
    pdcost_model_free(self->model);
    PyObject_Free(op);
    Py_DECREF(type); /* instances of heap types own a reference to their type */
}

static native_state *model_state(PyObject *self) {
    return (native_state *)PyType_GetModuleState(Py_TYPE(self));
}

static PyObject *model_to_json(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status = pdcost_model_to_json(&json, ((ModelObject *)self)->model);
    if (status != PDCOST_OK) {
        return raise_status(model_state(self), status);
    }
    return take_string(json);
}

static PyObject *model_param_counts(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    native_state *st = model_state(self);
    pdcost_param_counts counts = PDCOST_PARAM_COUNTS_INIT;
    pdcost_status status = pdcost_model_param_counts(&counts, ((ModelObject *)self)->model);
    if (status != PDCOST_OK) {
        return raise_status(st, status);
    }
    PyObject *result = PyDict_New();
    if (result == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < COUNTS_FIELD_COUNT; i++) {
        uint64_t value;
        memcpy(&value, (const char *)&counts + counts_fields[i].offset, sizeof value);
        PyObject *number = PyLong_FromUnsignedLongLong(value);
        if (number == NULL || PyDict_SetItem(result, st->counts_keys[i], number) < 0) {
            Py_XDECREF(number);
            Py_DECREF(result);
            return NULL;
        }
        Py_DECREF(number);
    }
    return result;
}

static PyObject *model_flops_per_token(PyObject *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"seq_len", "causal", NULL};
    PyObject *seq_obj;
    int causal = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$p:flops_per_token", keywords, &seq_obj,
                                     &causal)) {
        return NULL;
    }
    uint64_t seq_len;
    if (sequence_length(seq_obj, &seq_len) < 0) {
        return NULL;
    }
    pdcost_flops flops = PDCOST_FLOPS_INIT;
    pdcost_status status = pdcost_model_flops_per_token(
        &flops, ((ModelObject *)self)->model, seq_len, causal ? PDCOST_MASK_CAUSAL : PDCOST_MASK_FULL);
    if (status != PDCOST_OK) {
        return raise_status(model_state(self), status);
    }
    return Py_BuildValue("{s:K,s:d,s:d,s:d,s:d}", "matmul_parameters",
                         (unsigned long long)flops.matmul_parameters, "matmul_forward",
                         flops.matmul_forward, "attention_forward", flops.attention_forward,
                         "forward", flops.forward, "training", flops.training);
}

static PyObject *model_analysis_json(PyObject *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"seq_len", NULL};
    PyObject *seq_obj;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:analysis_json", keywords, &seq_obj)) {
        return NULL;
    }
    uint64_t seq_len;
    if (sequence_length(seq_obj, &seq_len) < 0) {
        return NULL;
    }
    char *json = NULL;
    pdcost_status status = pdcost_model_analysis_json(&json, ((ModelObject *)self)->model, seq_len);
    if (status != PDCOST_OK) {
        return raise_status(model_state(self), status);
    }
    return take_string(json);
}

static PyMethodDef model_methods[] = {
    {"to_json", model_to_json, METH_NOARGS,
     PyDoc_STR("to_json() -> str\n\nThe model's canonical JSON (pdcost_model_to_json).")},
    {"param_counts", model_param_counts, METH_NOARGS,
     PyDoc_STR("param_counts() -> dict[str, int]\n\n"
               "Exact parameter counts: total, active and one entry per component.")},
    {"flops_per_token", (PyCFunction)(void (*)(void))model_flops_per_token,
     METH_VARARGS | METH_KEYWORDS,
     PyDoc_STR("flops_per_token(seq_len, *, causal=True) -> dict\n\n"
               "FLOPs per token at seq_len (1..2**31): matmul_parameters, matmul_forward,\n"
               "attention_forward, forward, training. causal=True halves the attention core\n"
               "(PDCOST_MASK_CAUSAL); causal=False is the full s*s product (PDCOST_MASK_FULL).")},
    {"analysis_json", (PyCFunction)(void (*)(void))model_analysis_json,
     METH_VARARGS | METH_KEYWORDS,
     PyDoc_STR("analysis_json(seq_len) -> str\n\nThe full analysis as JSON.")},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot model_slots[] = {
    {Py_tp_dealloc, model_dealloc},
    {Py_tp_methods, model_methods},
    {Py_tp_doc, (void *)PyDoc_STR("A handle on an analysed model (pdcost_model). Immutable; "
                                  "create one with model_from_preset/_json/_file.")},
    {0, NULL},
};

static PyType_Spec model_spec = {
    .name = MODULE_NAME ".Model",
    .basicsize = sizeof(ModelObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = model_slots,
};

/* ------------------------------------------------------------------------------------------ */
/* CostModel: a handle on a training cost model (pdcost_cost_model *)                          */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    pdcost_cost_model *cost_model; /* owned; never NULL once the object is visible to Python */
} CostModelObject;

/* An int in [0, maximum] (bool rejected), for struct fields; `what` names it in errors. */
static int bounded_uint(PyObject *obj, const char *what, unsigned long long maximum,
                        unsigned long long *out) {
    if (PyBool_Check(obj) || !PyLong_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be int, not %.100s", what, Py_TYPE(obj)->tp_name);
        return -1;
    }
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow != 0 || value < 0 || (unsigned long long)value > maximum) {
        PyErr_Format(PyExc_ValueError, "%s=%R must be in 0..%llu", what, obj, maximum);
        return -1;
    }
    *out = (unsigned long long)value;
    return 0;
}

static int u32_item(PyObject *tuple, Py_ssize_t i, const char *what, uint32_t maximum,
                    uint32_t *out) {
    unsigned long long value;
    if (bounded_uint(PyTuple_GET_ITEM(tuple, i), what, maximum, &value) < 0) {
        return -1;
    }
    *out = (uint32_t)value;
    return 0;
}

static int double_item(PyObject *tuple, Py_ssize_t i, const char *what, double *out) {
    PyObject *obj = PyTuple_GET_ITEM(tuple, i);
    if (PyBool_Check(obj) || !(PyFloat_Check(obj) || PyLong_Check(obj))) {
        PyErr_Format(PyExc_TypeError, "%s must be a number, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    double value = PyFloat_AsDouble(obj);
    if (value == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    *out = value;
    return 0;
}

static int check_tuple(PyObject *obj, Py_ssize_t length, const char *what) {
    if (!PyTuple_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a tuple, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyTuple_GET_SIZE(obj) != length) {
        PyErr_Format(PyExc_ValueError, "%s must have %zd items, not %zd", what, length,
                     PyTuple_GET_SIZE(obj));
        return -1;
    }
    return 0;
}

/* The GPU numbers of a custom cluster->gpu tuple, in this order after the name. */
static const char *const gpu_number_names[] = {
    "memory_bytes", "fp32_flops", "tf32_flops", "fp16_flops", "bf16_flops", "fp8_flops",
    "hbm_bandwidth", "nvlink_bandwidth", "network_bandwidth", "pcie_bandwidth", "tdp_watts",
};
#define GPU_NUMBER_COUNT (sizeof(gpu_number_names) / sizeof(gpu_number_names[0]))

/* A custom GPU tuple (name, memory_bytes, fp32_flops, tf32_flops, fp16_flops, bf16_flops,
 * fp8_flops, hbm_bandwidth, nvlink_bandwidth, network_bandwidth, pcie_bandwidth, tdp_watts,
 * gpus_per_node, architecture, supports_fp8, supports_fp4) in SI units; the last three are the
 * pdcost_gpu_architecture / pdcost_gpu_capability values (module constants GPU_ARCH_*,
 * GPU_CAPABILITY_*). 0 = unknown everywhere: the library completes it. */
#define GPU_TUPLE_LENGTH (5 + (Py_ssize_t)GPU_NUMBER_COUNT)

static int parse_gpu(PyObject *gpu, pdcost_gpu_spec *out) {
    if (check_tuple(gpu, GPU_TUPLE_LENGTH, "gpu") < 0) {
        return -1;
    }
    const char *name = utf8_name(PyTuple_GET_ITEM(gpu, 0), "gpu name");
    if (name == NULL) {
        return -1;
    }
    size_t length = strlen(name);
    if (length >= sizeof out->name) {
        PyErr_Format(PyExc_ValueError, "gpu name must be shorter than %zu bytes", sizeof out->name);
        return -1;
    }
    memcpy(out->name, name, length + 1);
    double *numbers[GPU_NUMBER_COUNT] = {
        &out->memory_bytes, &out->fp32_flops, &out->tf32_flops, &out->fp16_flops,
        &out->bf16_flops, &out->fp8_flops, &out->hbm_bandwidth, &out->nvlink_bandwidth,
        &out->network_bandwidth, &out->pcie_bandwidth, &out->tdp_watts,
    };
    for (size_t i = 0; i < GPU_NUMBER_COUNT; i++) {
        if (double_item(gpu, 1 + (Py_ssize_t)i, gpu_number_names[i], numbers[i]) < 0) {
            return -1;
        }
    }
    uint32_t architecture = 0, fp8 = 0, fp4 = 0;
    Py_ssize_t next = 1 + (Py_ssize_t)GPU_NUMBER_COUNT;
    if (u32_item(gpu, next, "gpu gpus_per_node", UINT32_MAX, &out->gpus_per_node) < 0 ||
        u32_item(gpu, next + 1, "gpu architecture", UINT8_MAX, &architecture) < 0 ||
        u32_item(gpu, next + 2, "gpu supports_fp8", UINT8_MAX, &fp8) < 0 ||
        u32_item(gpu, next + 3, "gpu supports_fp4", UINT8_MAX, &fp4) < 0) {
        return -1;
    }
    out->architecture = (uint8_t)architecture;
    out->supports_fp8 = (uint8_t)fp8;
    out->supports_fp4 = (uint8_t)fp4;
    return 0;
}

/* cluster = (gpu, num_gpus, gpus_per_node[, host]); gpu is a preset name (str) or a parse_gpu
 * tuple; host = (host_memory_bytes, host_memory_bandwidth, nvme_bandwidth,
 * cpu_adam_params_per_second), 0 = the DGX H100 default (pdcost_cluster version 2). */
static int parse_cluster(native_state *st, PyObject *obj, pdcost_cluster *out) {
    if (PyTuple_Check(obj) && PyTuple_GET_SIZE(obj) == 4) {
        PyObject *host = PyTuple_GET_ITEM(obj, 3);
        if (check_tuple(host, 4, "cluster host") < 0 ||
            double_item(host, 0, "host_memory_bytes", &out->host_memory_bytes) < 0 ||
            double_item(host, 1, "host_memory_bandwidth", &out->host_memory_bandwidth) < 0 ||
            double_item(host, 2, "nvme_bandwidth", &out->nvme_bandwidth) < 0 ||
            double_item(host, 3, "cpu_adam_params_per_second", &out->cpu_adam_params_per_second) < 0) {
            return -1;
        }
    } else if (check_tuple(obj, 3, "cluster") < 0) {
        return -1;
    }
    PyObject *gpu = PyTuple_GET_ITEM(obj, 0);
    if (PyUnicode_Check(gpu)) {
        const char *name = utf8_name(gpu, "cluster gpu");
        if (name == NULL) {
            return -1;
        }
        pdcost_status status = pdcost_gpu_from_name(&out->gpu, name);
        if (status != PDCOST_OK) {
            raise_status(st, status);
            return -1;
        }
    } else if (parse_gpu(gpu, &out->gpu) < 0) {
        return -1;
    }
    if (u32_item(obj, 1, "num_gpus", UINT32_MAX, &out->num_gpus) < 0 ||
        u32_item(obj, 2, "gpus_per_node", UINT32_MAX, &out->gpus_per_node) < 0) {
        return -1;
    }
    return 0;
}

/* setup = (seq_len, micro_batch_size, global_batch_size, dtype, optimizer, recompute,
 *          recompute_num_layers, optimizer_offload_ratio, framework, settings_json, method,
 *          lora_rank, lora_targets, packed_document_tokens, recompute_modules); enums as their
 *          ints, recompute_modules and lora_targets as pdcost.h bits, settings_json
 *          a str (JSON object) or None. out->settings_json borrows the str's UTF-8 buffer, valid
 *          while the tuple lives. */
static int parse_setup(PyObject *obj, pdcost_training_setup *out) {
    if (check_tuple(obj, 15, "setup") < 0) {
        return -1;
    }
    uint32_t method;
    if (u32_item(obj, 10, "method", PDCOST_METHOD_QLORA, &method) < 0 ||
        u32_item(obj, 11, "lora_rank", UINT32_MAX, &out->lora_rank) < 0 ||
        u32_item(obj, 12, "lora_targets", PDCOST_LORA_ALL, &out->lora_targets) < 0 ||
        u32_item(obj, 13, "packed_document_tokens", UINT32_MAX, &out->packed_document_tokens) < 0 ||
        u32_item(obj, 14, "recompute_modules", PDCOST_RECOMPUTE_MODULE_ALL, &out->recompute_modules) < 0) {
        return -1;
    }
    out->method = (pdcost_method)method;
    PyObject *settings = PyTuple_GET_ITEM(obj, 9);
    if (settings == Py_None) {
        out->settings_json = NULL;
    } else if (PyUnicode_Check(settings)) {
        out->settings_json = PyUnicode_AsUTF8(settings);
        if (out->settings_json == NULL) {
            return -1;
        }
    } else {
        PyErr_Format(PyExc_TypeError, "setup settings_json must be a str or None, not %.100s",
                     Py_TYPE(settings)->tp_name);
        return -1;
    }
    unsigned long long global_batch;
    uint32_t dtype, optimizer, recompute, framework;
    if (u32_item(obj, 0, "seq_len", UINT32_MAX, &out->seq_len) < 0 ||
        u32_item(obj, 1, "micro_batch_size", UINT32_MAX, &out->micro_batch_size) < 0 ||
        bounded_uint(PyTuple_GET_ITEM(obj, 2), "global_batch_size", UINT64_MAX >> 1,
                     &global_batch) < 0 ||
        u32_item(obj, 3, "dtype", PDCOST_DTYPE_FP32, &dtype) < 0 ||
        u32_item(obj, 4, "optimizer", PDCOST_OPTIMIZER_PAGED_ADAMW_8BIT, &optimizer) < 0 ||
        u32_item(obj, 5, "recompute", PDCOST_RECOMPUTE_FULL, &recompute) < 0 ||
        u32_item(obj, 6, "recompute_num_layers", UINT32_MAX, &out->recompute_num_layers) < 0 ||
        double_item(obj, 7, "optimizer_offload_ratio", &out->optimizer_offload_ratio) < 0 ||
        u32_item(obj, 8, "framework", PDCOST_FRAMEWORK_HF_TRAINER, &framework) < 0) {
        return -1;
    }
    out->global_batch_size = (uint64_t)global_batch;
    out->dtype = (pdcost_dtype)dtype;
    out->optimizer = (pdcost_optimizer)optimizer;
    out->recompute = (pdcost_recompute)recompute;
    out->framework = (pdcost_framework)framework;
    return 0;
}

static PyObject *cost_model_create(PyTypeObject *type, PyObject *model_obj, PyObject *cluster_obj,
                                   PyObject *setup_obj, const char *profile, size_t profile_length);

static PyObject *cost_model_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"model", "cluster", "setup", "profile", NULL};
    PyObject *model_obj, *cluster_obj, *setup_obj;
    Py_buffer profile = {0}; /* optional calibration profile JSON (bytes); buf NULL = none */
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|z*:CostModel", keywords, &model_obj,
                                     &cluster_obj, &setup_obj, &profile)) {
        return NULL;
    }
    input_bytes in;
    if (input_bytes_from_view(&profile, &in) < 0) {
        return NULL;
    }
    PyObject *result = cost_model_create(type, model_obj, cluster_obj, setup_obj, in.data, in.length);
    input_bytes_release(&in);
    return result;
}

/* CostModel(model, cluster, setup, profile=None): the body, with the profile borrowed. */
static PyObject *cost_model_create(PyTypeObject *type, PyObject *model_obj, PyObject *cluster_obj,
                                   PyObject *setup_obj, const char *profile, size_t profile_length) {
    native_state *st = (native_state *)PyType_GetModuleState(type);
    if (st == NULL) {
        return NULL;
    }
    if (!PyObject_TypeCheck(model_obj, st->model_type)) {
        PyErr_Format(PyExc_TypeError, "model must be a pdcost._native.Model, not %.100s",
                     Py_TYPE(model_obj)->tp_name);
        return NULL;
    }
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    pdcost_training_setup setup = PDCOST_TRAINING_SETUP_INIT;
    if (parse_cluster(st, cluster_obj, &cluster) < 0 || parse_setup(setup_obj, &setup) < 0) {
        return NULL;
    }
    pdcost_cost_model *cost_model = NULL;
    pdcost_cost_model_options options = PDCOST_COST_MODEL_OPTIONS_INIT;
    options.profile_json = profile;
    options.profile_length = profile_length;
    pdcost_status status;
    if (profile == NULL) { /* microseconds: keep the GIL */
        status = pdcost_cost_model_create(&cost_model, ((ModelObject *)model_obj)->model, &cluster,
                                          &setup, &options);
    } else { /* parses the profile JSON; model_obj is referenced by the caller */
        Py_BEGIN_ALLOW_THREADS
        status = pdcost_cost_model_create(&cost_model, ((ModelObject *)model_obj)->model, &cluster,
                                          &setup, &options);
        Py_END_ALLOW_THREADS
    }
    if (status != PDCOST_OK) {
        return raise_status(st, status);
    }
    CostModelObject *self = (CostModelObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        pdcost_cost_model_free(cost_model);
        return NULL;
    }
    self->cost_model = cost_model;
    return (PyObject *)self;
}

static void cost_model_dealloc(PyObject *op) {
    CostModelObject *self = (CostModelObject *)op;
    PyTypeObject *type = Py_TYPE(op);
    pdcost_cost_model_free(self->cost_model);
    type->tp_free(op);
    Py_DECREF(type);
}

/* The plan tuple: (tp, pp, vpp, dp, cp, ep, etp, sequence_parallel, zero_stage, fsdp,
 * first_stage_layers, last_stage_layers), as in pdcost_plan. */
#define PLAN_ITEMS 12
static const char *const plan_names[PLAN_ITEMS] = {
    "tp", "pp", "vpp", "dp", "cp", "ep", "etp", "sequence_parallel", "zero_stage", "fsdp",
    "first_stage_layers", "last_stage_layers",
};

/* The result tuple: every double of pdcost_prediction in header order (the comm arrays
 * flattened), then peak_stage (int) and fits_memory (bool). The names and units are the
 * library's field table (pdcost_prediction_fields_json), which the Python package reads: no
 * list of fields is written here. */
#define PREDICTION_DOUBLES \
    ((offsetof(pdcost_prediction, peak_stage) - offsetof(pdcost_prediction, step_time_s)) / sizeof(double))

static int parse_plan(PyObject *plan_obj, pdcost_plan *out);

/* The host side of a prediction (pdcost_cost_model_predict_host): the doubles of
 * pdcost_host_prediction in header order, then fits_host_memory (bool). Names: the library's
 * "host" object of the prediction JSON. */
#define HOST_DOUBLES \
    ((offsetof(pdcost_host_prediction, fits_host_memory) - offsetof(pdcost_host_prediction, host_memory_per_node_bytes)) / sizeof(double))

static PyObject *cost_model_predict_host(PyObject *self, PyObject *plan_obj) {
    pdcost_plan plan = PDCOST_PLAN_INIT;
    if (parse_plan(plan_obj, &plan) < 0) {
        return NULL;
    }
    pdcost_host_prediction h = PDCOST_HOST_PREDICTION_INIT;
    pdcost_status status = pdcost_cost_model_predict_host(&h, ((CostModelObject *)self)->cost_model, &plan);
    if (status != PDCOST_OK) {
        return raise_status((native_state *)PyType_GetModuleState(Py_TYPE(self)), status);
    }
    const unsigned char *base = (const unsigned char *)&h + offsetof(pdcost_host_prediction, host_memory_per_node_bytes);
    PyObject *result = PyTuple_New((Py_ssize_t)HOST_DOUBLES + 1);
    if (result == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < (Py_ssize_t)HOST_DOUBLES; i++) {
        double value;
        memcpy(&value, base + (size_t)i * sizeof(double), sizeof value);
        PyObject *number = PyFloat_FromDouble(value);
        if (number == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, i, number);
    }
    PyTuple_SET_ITEM(result, (Py_ssize_t)HOST_DOUBLES, PyBool_FromLong(h.fits_host_memory != 0));
    return result;
}

static PyObject *cost_model_predict(PyObject *self, PyObject *plan_obj) {
    pdcost_plan plan = PDCOST_PLAN_INIT;
    if (parse_plan(plan_obj, &plan) < 0) {
        return NULL;
    }
    pdcost_prediction p = PDCOST_PREDICTION_INIT;
    pdcost_status status = pdcost_cost_model_predict(&p, ((CostModelObject *)self)->cost_model, &plan);
    if (status != PDCOST_OK) {
        return raise_status((native_state *)PyType_GetModuleState(Py_TYPE(self)), status);
    }
    /* PREDICTION_DOUBLES consecutive doubles from step_time_s on (read byte-wise: the struct
     * is walked as the field table lays it out, not through one member's pointer). */
    const unsigned char *base = (const unsigned char *)&p + offsetof(pdcost_prediction, step_time_s);
    PyObject *result = PyTuple_New((Py_ssize_t)PREDICTION_DOUBLES + 2);
    if (result == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < (Py_ssize_t)PREDICTION_DOUBLES; i++) {
        double value;
        memcpy(&value, base + (size_t)i * sizeof(double), sizeof value);
        PyObject *number = PyFloat_FromDouble(value);
        if (number == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, i, number);
    }
    PyObject *stage = PyLong_FromUnsignedLong(p.peak_stage);
    if (stage == NULL) {
        Py_DECREF(result);
        return NULL;
    }
    PyTuple_SET_ITEM(result, (Py_ssize_t)PREDICTION_DOUBLES, stage);
    PyTuple_SET_ITEM(result, (Py_ssize_t)PREDICTION_DOUBLES + 1, PyBool_FromLong(p.fits_memory != 0));
    return result;
}

/* plan = (tp, pp, vpp, dp, cp, ep, etp, sequence_parallel, zero_stage, fsdp,
 * first_stage_layers, last_stage_layers) into *out (initialised by the caller). */
static int parse_plan(PyObject *plan_obj, pdcost_plan *out) {
    if (!PyTuple_Check(plan_obj) || PyTuple_GET_SIZE(plan_obj) != PLAN_ITEMS) {
        (void)check_tuple(plan_obj, PLAN_ITEMS, "plan"); /* fails: sets the error */
        return -1;
    }
    uint32_t *fields[PLAN_ITEMS] = {
        &out->tp, &out->pp, &out->vpp, &out->dp, &out->cp, &out->ep, &out->etp,
        &out->sequence_parallel, &out->zero_stage, &out->fsdp, &out->first_stage_layers,
        &out->last_stage_layers,
    };
    for (Py_ssize_t i = 0; i < PLAN_ITEMS; i++) {
        PyObject *item = PyTuple_GET_ITEM(plan_obj, i);
        if (PyLong_CheckExact(item)) { /* fast path: a small non-negative int */
            int overflow = 0;
            long value = PyLong_AsLongAndOverflow(item, &overflow);
            if (overflow == 0 && value >= 0 && (unsigned long)value <= UINT32_MAX) {
                *fields[i] = (uint32_t)value;
                continue;
            }
        }
        if (u32_item(plan_obj, i, plan_names[i], UINT32_MAX, fields[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

/* -- Progress callbacks of long calls (search, GPU calibration, fit) ------------------------- */

/* State of one long call's progress callback: the Python callable and what it raised. The
 * library calls back on the thread that made the call (pdcost.h), where progress_begin saved
 * the thread state when it released the GIL; the callback takes the GIL back with that state
 * and saves it again before returning. No PyGILState: it is not supported with
 * subinterpreters, and this keeps the module's per-interpreter-GIL declaration true. */
/* The Python callable's arguments, per call: the library has one progress shape (stage, done,
 * total); the Python API of each long call keeps the arguments its users know. */
typedef enum {
    PROGRESS_DONE_TOTAL,       /* search: (done, total)                                   */
    PROGRESS_STAGE_DONE_TOTAL, /* GPU calibration: (stage, done, total)                   */
    PROGRESS_FRACTION_STAGE    /* fit: (fraction of the work, what it is doing)           */
} progress_shape;

typedef struct {
    PyObject *callable;  /* borrowed; may be NULL */
    progress_shape shape;
    PyObject *exc_type;  /* exception raised by the callable or by a signal (owned), or NULL */
    PyObject *exc_value;
    PyObject *exc_tb;
    PyThreadState *tstate; /* the caller's, while the GIL is released */
    unsigned long thread;  /* the caller's PyThread_get_thread_ident() */
} progress_state;

#define PROGRESS_STATE_INIT(callable, shape) {(callable), (shape), NULL, NULL, NULL, NULL, 0}

/* Releases the GIL for a long call that may call progress_call back. */
static void progress_begin(progress_state *ps) {
    ps->thread = PyThread_get_thread_ident();
    ps->tstate = PyEval_SaveThread();
}

/* Takes the GIL back after the long call. */
static void progress_end(progress_state *ps) {
    PyEval_RestoreThread(ps->tstate);
    ps->tstate = NULL;
}

/* Takes the GIL, honours Ctrl-C (the signal handler only sets a flag), and calls the callable
 * with the arguments `format` builds (a Py_BuildValue tuple format). A true result, an
 * exception or a signal cancels: returns 1, and the exception is kept for progress_finish. */
static int progress_call(progress_state *ps, const char *format, ...) {
    if (ps->tstate == NULL || PyThread_get_thread_ident() != ps->thread) {
        return 1; /* not the calling thread (the library promises it is): cancel, touch nothing */
    }
    PyEval_RestoreThread(ps->tstate);
    int cancel = 1;
    if (ps->exc_type == NULL) {
        cancel = 0;
        if (PyErr_CheckSignals() < 0) {
            cancel = 1;
        } else if (ps->callable != NULL) {
            va_list va;
            va_start(va, format);
            PyObject *args = Py_VaBuildValue(format, va);
            va_end(va);
            PyObject *r = args != NULL ? PyObject_CallObject(ps->callable, args) : NULL;
            Py_XDECREF(args);
            if (r == NULL) {
                cancel = 1;
            } else {
                int truth = PyObject_IsTrue(r);
                Py_DECREF(r);
                cancel = truth != 0; /* True, or an error in __bool__ */
            }
        }
        if (PyErr_Occurred()) {
            PyErr_Fetch(&ps->exc_type, &ps->exc_value, &ps->exc_tb); /* 3.10-compatible */
        }
    }
    ps->tstate = PyEval_SaveThread();
    return cancel;
}

/* After the long call returned: if the callback raised (KeyboardInterrupt included), that
 * exception is set and -1 returned (it wins over the library's cancel status); else 0. */
static int progress_finish(progress_state *ps) {
    if (ps->exc_type == NULL) {
        return 0;
    }
    PyErr_Restore(ps->exc_type, ps->exc_value, ps->exc_tb);
    ps->exc_type = ps->exc_value = ps->exc_tb = NULL;
    return -1;
}

/* -- CostModel.search: the plan search, GIL released ------------------------------------------ */

/* The pdcost_progress_fn of every long call. */
static int progress_bridge(void *user, const char *stage, uint64_t done, uint64_t total) {
    progress_state *ps = (progress_state *)user;
    switch (ps->shape) {
    case PROGRESS_DONE_TOTAL:
        return progress_call(ps, "(KK)", (unsigned long long)done, (unsigned long long)total);
    case PROGRESS_STAGE_DONE_TOTAL:
        return progress_call(ps, "(sKK)", stage, (unsigned long long)done, (unsigned long long)total);
    case PROGRESS_FRACTION_STAGE:
    default:
        return progress_call(ps, "(ds)", total > 0 ? (double)done / (double)total : 0.0, stage);
    }
}

/* A tuple of up to PDCOST_SEARCH_MAX_LIST ints/floats into a C array. */
static int search_list(PyObject *obj, const char *what, int floats, uint32_t *ints, double *reals,
                       uint32_t *count) {
    if (obj == NULL || obj == Py_None) {
        return 0;
    }
    if (!PyTuple_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a tuple, not %.100s", what, Py_TYPE(obj)->tp_name);
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(obj);
    if (n < 1 || n > PDCOST_SEARCH_MAX_LIST) {
        PyErr_Format(PyExc_ValueError, "%s must have 1..%d items, not %zd", what,
                     PDCOST_SEARCH_MAX_LIST, n);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (floats ? double_item(obj, i, what, &reals[i]) < 0
                   : u32_item(obj, i, what, UINT32_MAX, &ints[i]) < 0) {
            return -1;
        }
    }
    *count = (uint32_t)n;
    return 0;
}

static PyObject *cost_model_search(PyObject *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"max_tp", "max_pp", "max_vpp", "max_cp", "max_ep", "max_etp",
                               "micro_batch_sizes", "recompute", "zero_stages",
                               "sequence_parallel", "max_stage_layer_reduction",
                               "optimizer_offload_ratios", "top_k", "threads",
                               "memory_safety_margin", "flags", "progress", "vary_settings", NULL};
    PyObject *o[17] = {NULL};
    const char *vary = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$OOOOOOOOOOOOOOOOOz:search", keywords, &o[0],
                                     &o[1], &o[2], &o[3], &o[4], &o[5], &o[6], &o[7], &o[8],
                                     &o[9], &o[10], &o[11], &o[12], &o[13], &o[14], &o[15],
                                     &o[16], &vary)) {
        return NULL;
    }
    pdcost_search_options options = PDCOST_SEARCH_OPTIONS_INIT;
    options.vary_settings = vary; /* borrowed from the argument str for this call */
    uint32_t *uints[] = {&options.max_tp, &options.max_pp, &options.max_vpp, &options.max_cp,
                         &options.max_ep, &options.max_etp};
    for (int i = 0; i < 6; i++) {
        unsigned long long v = 0;
        if (o[i] != NULL && bounded_uint(o[i], keywords[i], UINT32_MAX, &v) < 0) {
            return NULL;
        }
        *uints[i] = (uint32_t)v;
    }
    const int scalar_index[] = {7, 8, 9, 10, 12, 13, 15};
    uint32_t *scalars[] = {&options.recompute, &options.zero_stages, &options.sequence_parallel,
                           &options.max_stage_layer_reduction, &options.top_k, &options.threads,
                           &options.flags};
    for (int i = 0; i < 7; i++) {
        unsigned long long v = 0;
        if (o[scalar_index[i]] != NULL &&
            bounded_uint(o[scalar_index[i]], keywords[scalar_index[i]], UINT32_MAX, &v) < 0) {
            return NULL;
        }
        *scalars[i] = (uint32_t)v;
    }
    if (search_list(o[6], "micro_batch_sizes", 0, options.micro_batch_sizes, NULL,
                    &options.num_micro_batch_sizes) < 0 ||
        search_list(o[11], "optimizer_offload_ratios", 1, NULL, options.optimizer_offload_ratios,
                    &options.num_offload_ratios) < 0) {
        return NULL;
    }
    if (o[14] != NULL) {
        PyObject *margin = PyTuple_Pack(1, o[14]);
        if (margin == NULL) {
            return NULL;
        }
        int bad = double_item(margin, 0, "memory_safety_margin", &options.memory_safety_margin);
        Py_DECREF(margin);
        if (bad < 0) {
            return NULL;
        }
    }
    PyObject *callable = (o[16] == NULL || o[16] == Py_None) ? NULL : o[16];
    if (callable != NULL && !PyCallable_Check(callable)) {
        PyErr_Format(PyExc_TypeError, "progress must be callable or None, not %.100s",
                     Py_TYPE(callable)->tp_name);
        return NULL;
    }
    progress_state sp = PROGRESS_STATE_INIT(callable, PROGRESS_DONE_TOTAL);
    options.progress = progress_bridge;
    options.user = &sp;
    pdcost_search_result *result = NULL;
    pdcost_status status;
    Py_INCREF(self); /* the handle must outlive the released-GIL call */
    progress_begin(&sp);
    status = pdcost_search_run(&result, ((CostModelObject *)self)->cost_model, &options);
    progress_end(&sp);
    Py_DECREF(self);
    if (progress_finish(&sp) < 0) {
        pdcost_search_result_free(result); /* NULL-safe */
        return NULL;
    }
    /* A search the callback stopped still returns the plans found so far (stats.cancelled). */
    if (status != PDCOST_OK && !(status == PDCOST_ECANCELED && result != NULL)) {
        pdcost_search_result_free(result);
        return raise_status((native_state *)PyType_GetModuleState(Py_TYPE(self)), status);
    }
    char *json = NULL;
    status = pdcost_search_result_to_json(&json, result);
    pdcost_search_result_free(result);
    if (status != PDCOST_OK) {
        return raise_status((native_state *)PyType_GetModuleState(Py_TYPE(self)), status);
    }
    return take_string(json);
}

static PyObject *cost_model_settings_json(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status = pdcost_cost_model_settings_json(&json, ((CostModelObject *)self)->cost_model);
    if (status != PDCOST_OK) {
        return raise_status((native_state *)PyType_GetModuleState(Py_TYPE(self)), status);
    }
    return take_string(json);
}

static PyMethodDef cost_model_methods[] = {
    {"settings_json", cost_model_settings_json, METH_NOARGS,
     PyDoc_STR("settings_json() -> str\n\npdcost_cost_model_settings_json: the settings given and\n"
               "the framework defaults used.")},
    {"predict_host", cost_model_predict_host, METH_O,
     PyDoc_STR("predict_host(plan: tuple[int, ...]) -> tuple\n\n"
               "pdcost_cost_model_predict_host: the doubles of pdcost_host_prediction in header\n"
               "order (host_memory_per_node_bytes, host_memory_capacity_bytes, ..., SI units),\n"
               "then fits_host_memory (bool).")},
    {"predict", cost_model_predict, METH_O,
     PyDoc_STR("predict(plan: tuple[int, ...]) -> tuple\n\n"
               "plan = (tp, pp, vpp, dp, cp, ep, etp, sequence_parallel, zero_stage, fsdp,\n"
               "        first_stage_layers, last_stage_layers)  (pdcost_plan).\n"
               "Returns 37 items, SI units (seconds, bytes):\n"
               "  0 step_time_s, 1 compute_time_s, 2 bubble_time_s, 3 recompute_time_s,\n"
               "  4 optimizer_time_s, 5 offload_time_s,\n"
               "  6..10 comm_exposed_s[TP, CP, EP, PP, DP], 11..15 comm_overlapped_s[same],\n"
               "  16 total_comm_time_s, 17 exposed_comm_time_s, 18 mfu, 19 hfu,\n"
               "  20 tokens_per_second, 21 tokens_per_second_per_gpu, 22 micro_batches,\n"
               "  23 parameter_bytes, 24 gradient_bytes, 25 optimizer_bytes, 26 activation_bytes,\n"
               "  27 communication_buffer_bytes, 28 temporary_buffer_bytes,\n"
               "  29 framework_overhead_bytes, 30 allocated_bytes, 31 reserved_bytes,\n"
               "  32 activation_buffer_pool_bytes, 33 total_bytes, 34 usable_memory_bytes,\n"
               "  35 peak_stage (int), 36 fits_memory (bool).\n"
               "An infeasible plan raises InfeasiblePlanError naming the constraint.")},
    {"search", (PyCFunction)(void (*)(void))cost_model_search, METH_VARARGS | METH_KEYWORDS,
     PyDoc_STR("search(*, max_tp=0, max_pp=0, max_vpp=0, max_cp=0, max_ep=0, max_etp=0,\n"
               "       micro_batch_sizes=None, recompute=0, zero_stages=0, sequence_parallel=0,\n"
               "       max_stage_layer_reduction=0, optimizer_offload_ratios=None, top_k=0,\n"
               "       threads=0, memory_safety_margin=0.0, flags=0, progress=None,\n"
               "       vary_settings=None) -> str\n\n"
               "Runs pdcost_search_run (fields as pdcost_search_options; 0 = default; lists\n"
               "as tuples) with the GIL released and returns pdcost_search_result_to_json.\n"
               "progress(done, total) -> bool is called on this thread with the GIL held;\n"
               "returning True stops the search, an exception (or Ctrl-C) stops it and is\n"
               "raised.")},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot cost_model_slots[] = {
    {Py_tp_new, cost_model_new},
    {Py_tp_dealloc, cost_model_dealloc},
    {Py_tp_methods, cost_model_methods},
    {Py_tp_doc, (void *)PyDoc_STR(
        "CostModel(model, cluster, setup, profile=None)\n\n"
        "A training cost model for one (model, cluster, setup) (pdcost_cost_model). Immutable.\n"
        "profile: calibration profile JSON (bytes) applied to the cluster's efficiency, or None.\n"
        "cluster = (gpu, num_gpus, gpus_per_node): gpu is a preset name or a tuple (name,\n"
        "  memory_bytes, fp32_flops, tf32_flops, fp16_flops, bf16_flops, fp8_flops, hbm_bandwidth,\n"
        "  nvlink_bandwidth, network_bandwidth, pcie_bandwidth, tdp_watts, gpus_per_node);\n"
        "  gpus_per_node 0 = the GPU's usual node size.\n"
        "setup = (seq_len, micro_batch_size, global_batch_size, dtype, optimizer, recompute,\n"
        "  recompute_num_layers, optimizer_offload_ratio, framework, settings_json, method,\n"
        "  lora_rank, lora_targets, packed_document_tokens, recompute_modules), enums and bit\n"
        "  sets as pdcost.h ints.")},
    {0, NULL},
};

static PyType_Spec cost_model_spec = {
    .name = MODULE_NAME ".CostModel",
    .basicsize = sizeof(CostModelObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = cost_model_slots,
};

/* ------------------------------------------------------------------------------------------ */
/* Module functions                                                                            */
/* ------------------------------------------------------------------------------------------ */

static PyObject *native_version(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
    return Py_BuildValue("(iii)", pdcost_version_major(), pdcost_version_minor(),
                         pdcost_version_patch());
}

static PyObject *native_version_string(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
    const char *text = pdcost_version_string();
    return PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), "replace");
}

static PyObject *native_abi_version(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
    return PyLong_FromLong(pdcost_abi_version());
}

static PyObject *native_status_name(PyObject *Py_UNUSED(module), PyObject *arg) {
    if (PyBool_Check(arg) || !PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "status must be int, not %.100s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    int overflow = 0;
    long code = PyLong_AsLongAndOverflow(arg, &overflow);
    if (code == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (overflow != 0 || code < 0 || code > INT_MAX) {
        code = INT_MAX; /* not a status: the library names it PDCOST_UNKNOWN */
    }
    return PyUnicode_FromString(pdcost_status_name((pdcost_status)code));
}

static PyObject *native_model_from_preset(PyObject *module, PyObject *arg) {
    const char *name = utf8_name(arg, "name");
    if (name == NULL) {
        return NULL;
    }
    native_state *st = get_state(module);
    pdcost_model *model = NULL;
    pdcost_status status = pdcost_model_from_preset(&model, name);
    if (status != PDCOST_OK) {
        return raise_status(st, status);
    }
    return model_wrap(st, model);
}

static PyObject *native_model_from_json(PyObject *module, PyObject *arg) {
    native_state *st = get_state(module);
    pdcost_model *model = NULL;
    pdcost_status status;
    if (!PyUnicode_Check(arg) && !PyObject_CheckBuffer(arg)) {
        PyErr_Format(PyExc_TypeError, "json must be str or bytes, not %.100s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    input_bytes in;
    if (input_bytes_get(arg, "json", 1, &in) < 0) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    status = pdcost_model_from_json(&model, in.data, in.length);
    Py_END_ALLOW_THREADS
    input_bytes_release(&in);
    if (status != PDCOST_OK) {
        return raise_status(st, status);
    }
    return model_wrap(st, model);
}

static PyObject *native_model_from_file(PyObject *module, PyObject *arg) {
    PyObject *encoded = NULL; /* bytes, via os.fsencode semantics; rejects embedded NUL */
    if (!PyUnicode_FSConverter(arg, &encoded)) {
        return NULL;
    }
    native_state *st = get_state(module);
    pdcost_model *model = NULL;
    pdcost_status status;
    Py_BEGIN_ALLOW_THREADS /* reads and parses the file; `encoded` is ours */
    status = pdcost_model_from_file(&model, PyBytes_AS_STRING(encoded));
    Py_END_ALLOW_THREADS
    Py_DECREF(encoded);
    if (status != PDCOST_OK) {
        return raise_status(st, status);
    }
    return model_wrap(st, model);
}

static PyObject *native_model_preset_names(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status = pdcost_model_preset_names(&json);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

/* A pdcost_gpu_spec as the dict gpu_from_name and gpu_complete return. */
static PyObject *gpu_dict(const pdcost_gpu_spec *g) {
    const pdcost_gpu_spec gpu = *g;
    return Py_BuildValue(
        "{s:s#,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:I,s:I,s:I,s:I}",
        "name", gpu.name, (Py_ssize_t)strnlen(gpu.name, sizeof gpu.name),
        "memory_bytes", gpu.memory_bytes, "fp32_flops", gpu.fp32_flops,
        "tf32_flops", gpu.tf32_flops, "fp16_flops", gpu.fp16_flops,
        "bf16_flops", gpu.bf16_flops, "fp8_flops", gpu.fp8_flops,
        "hbm_bandwidth", gpu.hbm_bandwidth, "nvlink_bandwidth", gpu.nvlink_bandwidth,
        "network_bandwidth", gpu.network_bandwidth, "pcie_bandwidth", gpu.pcie_bandwidth,
        "tdp_watts", gpu.tdp_watts, "gpus_per_node", (unsigned int)gpu.gpus_per_node,
        "architecture", (unsigned int)gpu.architecture,
        "supports_fp8", (unsigned int)gpu.supports_fp8,
        "supports_fp4", (unsigned int)gpu.supports_fp4);
}

static PyObject *native_gpu_from_name(PyObject *module, PyObject *arg) {
    const char *name = utf8_name(arg, "name");
    if (name == NULL) {
        return NULL;
    }
    pdcost_gpu_spec gpu = PDCOST_GPU_SPEC_INIT;
    pdcost_status status = pdcost_gpu_from_name(&gpu, name);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return gpu_dict(&gpu);
}

/* gpu_complete(gpu_tuple) -> (dict, filled_json): pdcost_gpu_complete. */
static PyObject *native_gpu_complete(PyObject *module, PyObject *arg) {
    pdcost_gpu_spec in = PDCOST_GPU_SPEC_INIT;
    if (parse_gpu(arg, &in) < 0) {
        return NULL;
    }
    pdcost_gpu_spec out = PDCOST_GPU_SPEC_INIT;
    char *filled = NULL;
    pdcost_status status = pdcost_gpu_complete(&out, &filled, &in);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    PyObject *json = take_string(filled);
    if (json == NULL) {
        return NULL;
    }
    PyObject *dict = gpu_dict(&out);
    if (dict == NULL) {
        Py_DECREF(json);
        return NULL;
    }
    return Py_BuildValue("(NN)", dict, json);
}

static PyObject *native_prediction_fields_json(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status = pdcost_prediction_fields_json(&json);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

static PyObject *native_framework_settings_fields_json(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status = pdcost_framework_settings_fields_json(&json);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

static PyObject *native_gpu_presets_json(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status = pdcost_gpu_presets_json(&json);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

/* The limits table (pdcost_limits_json): what every bound in pdcost/config.py reads. */
static PyObject *native_limits_json(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status = pdcost_limits_json(&json);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

/* The header's PDCOST_MAX_* macros as module constants (tests compare them with the table). */
static int add_limit_constants(PyObject *module) {
    static const struct { const char *name; unsigned long long value; } limits[] = {
        {"MAX_SEQ_LEN", PDCOST_MAX_SEQ_LEN},
        {"MAX_MICRO_BATCH_SIZE", PDCOST_MAX_MICRO_BATCH_SIZE},
        {"MAX_GLOBAL_BATCH_SIZE", PDCOST_MAX_GLOBAL_BATCH_SIZE},
        {"MAX_NUM_GPUS", PDCOST_MAX_NUM_GPUS},
        {"MAX_GPUS_PER_NODE", PDCOST_MAX_GPUS_PER_NODE},
        {"MAX_PARALLEL_DEGREE", PDCOST_MAX_PARALLEL_DEGREE},
        {"MAX_MODEL_DIMENSION", PDCOST_MAX_MODEL_DIMENSION},
        {"MAX_RECOMPUTE_NUM_LAYERS", PDCOST_MAX_RECOMPUTE_NUM_LAYERS},
        {"MAX_JSON_BYTES", PDCOST_MAX_JSON_BYTES},
        {"MAX_JSON_DEPTH", PDCOST_MAX_JSON_DEPTH},
        {"LIMITS_VERSION", PDCOST_LIMITS_VERSION},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        PyObject *value = PyLong_FromUnsignedLongLong(limits[i].value);
        if (value == NULL) {
            return -1;
        }
        int added = PyModule_AddObjectRef(module, limits[i].name, value);
        Py_DECREF(value);
        if (added < 0) {
            return -1;
        }
    }
    return 0;
}

/* The import-time check, exposed for tests: ImportError unless the loaded library's version
 * equals (major, minor, patch) and its ABI number equals the header's. */
static int check_library_version(int major, int minor, int patch) {
    int lib_major = pdcost_version_major();
    int lib_minor = pdcost_version_minor();
    int lib_patch = pdcost_version_patch();
    int lib_abi = pdcost_abi_version();
    if (lib_major == major && lib_minor == minor && lib_patch == patch &&
        lib_abi == PDCOST_ABI_VERSION) {
        return 0;
    }
    Dl_info info;
    const char *path = "libpdcost";
    if (dladdr((void *)&pdcost_version_major, &info) != 0 && info.dli_fname != NULL) {
        path = info.dli_fname;
    }
    PyErr_Format(PyExc_ImportError,
                 MODULE_NAME " was built against libpdcost %d.%d.%d (ABI %d) but loaded "
                             "libpdcost %d.%d.%d (ABI %d) from %s; reinstall pdcost so that "
                             "the extension and the library match",
                 major, minor, patch, PDCOST_ABI_VERSION, lib_major, lib_minor, lib_patch,
                 lib_abi, path);
    return -1;
}

static PyObject *native_check_version(PyObject *Py_UNUSED(module), PyObject *args) {
    int major, minor, patch;
    if (!PyArg_ParseTuple(args, "iii:_check_version", &major, &minor, &patch)) {
        return NULL;
    }
    if (check_library_version(major, minor, patch) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *native_validate_runs(PyObject *module, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"runs_json", "text", "only_complete", "profile", "overrides", NULL};
    Py_buffer view;
    Py_buffer profile = {0};   /* optional calibration profile JSON; buf NULL = defaults */
    Py_buffer overrides = {0}; /* optional run-overrides JSON (1.7); buf NULL = none */
    int text = 0, only_complete = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "y*|$ppz*z*:validate_runs", keywords, &view,
                                     &text, &only_complete, &profile, &overrides)) {
        return NULL;
    }
    pdcost_validate_options options = PDCOST_VALIDATE_OPTIONS_INIT;
    options.flags = (text ? PDCOST_VALIDATE_TEXT : 0u) | (only_complete ? PDCOST_VALIDATE_ONLY_COMPLETE : 0u);
    input_bytes runs, prof, over;
    int got_runs = input_bytes_from_view(&view, &runs);
    int got_prof = input_bytes_from_view(&profile, &prof);
    int got_over = input_bytes_from_view(&overrides, &over);
    if (got_runs < 0 || got_prof < 0 || got_over < 0) {
        input_bytes_release(&runs);
        input_bytes_release(&prof);
        input_bytes_release(&over);
        return NULL;
    }
    options.profile_json = prof.data;
    options.profile_length = prof.length;
    options.overrides_json = over.data;
    options.overrides_length = over.length;
    char *report = NULL;
    pdcost_status status;
    /* Parsing and predicting every run takes a while: let other threads run. The error
     * message is thread-local, so it is still this thread's when the GIL is taken back. */
    Py_BEGIN_ALLOW_THREADS
    status = pdcost_validate_runs(&report, runs.data, runs.length, &options);
    Py_END_ALLOW_THREADS
    input_bytes_release(&runs);
    input_bytes_release(&prof);
    input_bytes_release(&over);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(report);
}

/* ------------------------------------------------------------------------------------------ */
/* GPU calibration (micro-benchmarks; minutes of work: the GIL is released)                    */
/* ------------------------------------------------------------------------------------------ */

/* Calls progress(stage, done, total); see progress_call. */

/* A keyword that must be an int in [0, max]. */
static int gpu_option(const char *name, Py_ssize_t value, unsigned long long max, uint64_t *out) {
    if (value < 0 || (unsigned long long)value > max) {
        PyErr_Format(PyExc_ValueError, "%s=%zd must be in 0...%llu", name, value, max);
        return -1;
    }
    *out = (uint64_t)value;
    return 0;
}

static PyObject *native_gpu_calibrate(PyObject *module, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"progress", "device", "gemm_size", "test_compute", "test_memory",
                               "test_collectives", "repetitions", "warmup", "dtypes",
                               "sustain_seconds", "max_collective_bytes", NULL};
    PyObject *progress = Py_None;
    Py_ssize_t device = 0, gemm_size = 8192, repetitions = 20, warmup = 5, dtypes = 0;
    Py_ssize_t max_collective_bytes = (Py_ssize_t)1 << 30;
    int test_compute = 1, test_memory = 1, test_collectives = 1;
    double sustain_seconds = 15.0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O$nnpppnnndn:gpu_calibrate", keywords, &progress,
                                     &device, &gemm_size, &test_compute, &test_memory,
                                     &test_collectives, &repetitions, &warmup, &dtypes,
                                     &sustain_seconds, &max_collective_bytes)) {
        return NULL;
    }
    if (progress != Py_None && !PyCallable_Check(progress)) {
        PyErr_Format(PyExc_TypeError, "progress must be callable or None, not %s",
                     Py_TYPE(progress)->tp_name);
        return NULL;
    }
    pdcost_gpu_calibration_options options = PDCOST_GPU_CALIBRATION_OPTIONS_INIT;
    uint64_t v;
    if (gpu_option("device", device, UINT32_MAX, &v) < 0) return NULL;
    options.device = (uint32_t)v;
    if (gpu_option("gemm_size", gemm_size, UINT32_MAX, &v) < 0) return NULL;
    options.gemm_size = (uint32_t)v;
    if (gpu_option("repetitions", repetitions, UINT32_MAX, &v) < 0) return NULL;
    options.repetitions = (uint32_t)v;
    if (gpu_option("warmup", warmup, UINT32_MAX, &v) < 0) return NULL;
    options.warmup = (uint32_t)v;
    if (gpu_option("dtypes", dtypes, UINT32_MAX, &v) < 0) return NULL;
    options.dtypes = (uint32_t)v;
    if (gpu_option("max_collective_bytes", max_collective_bytes, (unsigned long long)PY_SSIZE_T_MAX, &v) < 0) return NULL;
    options.max_collective_bytes = v;
    options.test_compute = (uint32_t)test_compute;
    options.test_memory = (uint32_t)test_memory;
    options.test_collectives = (uint32_t)test_collectives;
    options.sustain_seconds = sustain_seconds;

    progress_state ctx = PROGRESS_STATE_INIT(progress == Py_None ? NULL : progress, PROGRESS_STAGE_DONE_TOTAL);
    Py_XINCREF(ctx.callable);
    options.progress = progress_bridge;
    options.user = &ctx;
    char *report = NULL;
    pdcost_status status;
    progress_begin(&ctx);
    status = pdcost_gpu_calibrate(&report, &options);
    progress_end(&ctx);
    Py_XDECREF(ctx.callable);
    if (progress_finish(&ctx) < 0) {
        pdcost_string_free(report);
        return NULL;
    }
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(report);
}

static PyObject *native_cuda_available(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status;
    Py_BEGIN_ALLOW_THREADS
    status = pdcost_cuda_available(&json);
    Py_END_ALLOW_THREADS
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

/* ------------------------------------------------------------------------------------------ */
/* Calibration profiles and fitting to measured runs (seconds of work: the GIL is released)    */
/* ------------------------------------------------------------------------------------------ */

static PyObject *native_check_profile(PyObject *module, PyObject *arg) {
    input_bytes in;
    if (input_bytes_get(arg, "profile", 0, &in) < 0) {
        return NULL;
    }
    pdcost_status status;
    Py_BEGIN_ALLOW_THREADS
    status = pdcost_profile_check(in.data, in.length);
    Py_END_ALLOW_THREADS
    input_bytes_release(&in);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    Py_RETURN_NONE;
}

static PyObject *native_efficiency_parameters_json(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status = pdcost_efficiency_parameters_json(&json);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

/* Calls progress(fraction, message); see progress_call. */

static PyObject *native_fit_runs(PyObject *module, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"runs_json", "parameters", "cross_validation", "folds", "max_iterations",
                               "min_runs_per_parameter", "complete_only", "all_supported", "runs_file",
                               "progress", "overrides", NULL};
    Py_buffer view;
    Py_buffer overrides = {0}; /* optional run-overrides JSON (1.8); buf NULL = none */
    const char *parameters = NULL, *runs_file = NULL;
    /* "n" (Py_ssize_t, overflow-checked) and a range check, not "I": "I" wraps silently, so
     * folds=2**32+5 would have fitted with 5 folds and folds=-1 with 4294967295. */
    Py_ssize_t counts[4] = {0, 0, 0, 0}; /* cross_validation, folds, max_iterations, min_runs */
    static const char *const count_names[4] = {"cross_validation", "folds", "max_iterations",
                                               "min_runs_per_parameter"};
    int complete_only = 0, all_supported = 0;
    PyObject *progress = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "y*|$znnnnppzOz*:fit_runs", keywords, &view, &parameters,
                                     &counts[0], &counts[1], &counts[2], &counts[3],
                                     &complete_only, &all_supported, &runs_file, &progress, &overrides)) {
        return NULL;
    }
    uint64_t checked[4];
    for (int i = 0; i < 4; i++) {
        if (gpu_option(count_names[i], counts[i], UINT32_MAX, &checked[i]) < 0) {
            PyBuffer_Release(&view);
            PyBuffer_Release(&overrides); /* no-op for None (obj NULL) */
            return NULL;
        }
    }
    if (progress != Py_None && !PyCallable_Check(progress)) {
        PyBuffer_Release(&view);
        PyBuffer_Release(&overrides);
        PyErr_Format(PyExc_TypeError, "progress must be callable or None, not %s", Py_TYPE(progress)->tp_name);
        return NULL;
    }
    pdcost_fit_options options = PDCOST_FIT_OPTIONS_INIT;
    options.parameters = parameters;
    options.cross_validation = (uint32_t)checked[0];
    options.folds = (uint32_t)checked[1];
    options.max_iterations = (uint32_t)checked[2];
    options.min_runs_per_parameter = (uint32_t)checked[3];
    options.flags = (complete_only ? PDCOST_FIT_COMPLETE_ONLY : 0u) | (all_supported ? PDCOST_FIT_ALL_SUPPORTED : 0u);
    options.runs_file = runs_file;
    input_bytes runs, over;
    int got_runs = input_bytes_from_view(&view, &runs);
    int got_over = input_bytes_from_view(&overrides, &over);
    if (got_runs < 0 || got_over < 0) {
        input_bytes_release(&runs);
        input_bytes_release(&over);
        return NULL;
    }
    options.overrides_json = over.data;
    options.overrides_length = over.length;
    progress_state ctx = PROGRESS_STATE_INIT(progress == Py_None ? NULL : progress, PROGRESS_FRACTION_STAGE);
    options.progress = progress_bridge;
    options.user = &ctx;
    char *profile = NULL;
    pdcost_status status;
    progress_begin(&ctx);
    status = pdcost_fit_runs(&profile, runs.data, runs.length, &options);
    progress_end(&ctx);
    input_bytes_release(&runs);
    input_bytes_release(&over);
    if (progress_finish(&ctx) < 0) {
        pdcost_string_free(profile);
        return NULL;
    }
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(profile);
}

/* ------------------------------------------------------------------------------------------ */
/* Serving (ABI 1.1)                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* deployment = (tp, pp, replicas, expert_parallel, attention_data_parallel, weight_precision,
 *               kv_cache_precision, engine, settings_json); enums as their ints, settings_json a
 *               str (JSON object) or None, borrowed while the tuple lives.
 * workload = (scenario, input_tokens, output_tokens, batch_size, concurrency, num_requests,
 *             request_rate, prefix_hit_ratio). */
static int parse_serving(PyObject *deployment_obj, PyObject *workload_obj,
                         pdcost_serving_deployment *d, pdcost_serving_workload *w) {
    if (check_tuple(deployment_obj, 9, "deployment") < 0 || check_tuple(workload_obj, 8, "workload") < 0) {
        return -1;
    }
    PyObject *settings = PyTuple_GET_ITEM(deployment_obj, 8);
    if (settings == Py_None) {
        d->settings_json = NULL;
        d->settings_length = 0;
    } else if (PyUnicode_Check(settings)) {
        Py_ssize_t length;
        d->settings_json = PyUnicode_AsUTF8AndSize(settings, &length);
        if (d->settings_json == NULL) {
            return -1;
        }
        d->settings_length = (size_t)length;
    } else {
        PyErr_Format(PyExc_TypeError, "deployment settings_json must be a str or None, not %.100s",
                     Py_TYPE(settings)->tp_name);
        return -1;
    }
    uint32_t weight, kv, engine, scenario;
    if (u32_item(deployment_obj, 0, "tp", UINT32_MAX, &d->tp) < 0 ||
        u32_item(deployment_obj, 1, "pp", UINT32_MAX, &d->pp) < 0 ||
        u32_item(deployment_obj, 2, "replicas", UINT32_MAX, &d->replicas) < 0 ||
        u32_item(deployment_obj, 3, "expert_parallel", 1, &d->expert_parallel) < 0 ||
        u32_item(deployment_obj, 4, "attention_data_parallel", 1, &d->attention_data_parallel) < 0 ||
        u32_item(deployment_obj, 5, "weight_precision", PDCOST_WEIGHT_INT4_WO, &weight) < 0 ||
        u32_item(deployment_obj, 6, "kv_cache_precision", PDCOST_KV_CACHE_FP8, &kv) < 0 ||
        u32_item(deployment_obj, 7, "engine", PDCOST_ENGINE_PYTORCH, &engine) < 0 ||
        u32_item(workload_obj, 0, "scenario", PDCOST_SCENARIO_BURST_ALL_AT_ONCE, &scenario) < 0 ||
        u32_item(workload_obj, 1, "input_tokens", UINT32_MAX, &w->input_tokens) < 0 ||
        u32_item(workload_obj, 2, "output_tokens", UINT32_MAX, &w->output_tokens) < 0 ||
        u32_item(workload_obj, 3, "batch_size", UINT32_MAX, &w->batch_size) < 0 ||
        u32_item(workload_obj, 4, "concurrency", UINT32_MAX, &w->concurrency) < 0 ||
        u32_item(workload_obj, 5, "num_requests", UINT32_MAX, &w->num_requests) < 0 ||
        double_item(workload_obj, 6, "request_rate", &w->request_rate) < 0 ||
        double_item(workload_obj, 7, "prefix_hit_ratio", &w->prefix_hit_ratio) < 0) {
        return -1;
    }
    d->weight_precision = (pdcost_weight_precision)weight;
    d->kv_cache_precision = (pdcost_kv_cache_precision)kv;
    d->engine = (pdcost_serving_engine)engine;
    w->scenario = (pdcost_serving_scenario)scenario;
    return 0;
}

/* The arguments of serving_predict / serving_predict_json: (model, cluster, deployment,
 * workload), parsed into the structs; the model handle is borrowed from the args tuple. */
static int serving_arguments(PyObject *module, PyObject *args, const char *name, pdcost_model **model,
                             pdcost_cluster *cluster, pdcost_serving_deployment *d,
                             pdcost_serving_workload *w) {
    native_state *st = get_state(module);
    PyObject *model_obj, *cluster_obj, *deployment_obj, *workload_obj;
    if (!PyArg_UnpackTuple(args, name, 4, 4, &model_obj, &cluster_obj, &deployment_obj, &workload_obj)) {
        return -1;
    }
    if (!PyObject_TypeCheck(model_obj, st->model_type)) {
        PyErr_Format(PyExc_TypeError, "model must be a pdcost._native.Model, not %.100s",
                     Py_TYPE(model_obj)->tp_name);
        return -1;
    }
    *model = ((ModelObject *)model_obj)->model;
    if (parse_cluster(st, cluster_obj, cluster) < 0 || parse_serving(deployment_obj, workload_obj, d, w) < 0) {
        return -1;
    }
    return 0;
}

/* The result tuple: every double of pdcost_serving_prediction in header order, then
 * fits_memory and saturated (bool). Names and units: pdcost_serving_prediction_fields_json. */
#define SERVING_DOUBLES \
    ((offsetof(pdcost_serving_prediction, fits_memory) - offsetof(pdcost_serving_prediction, ttft_s)) / sizeof(double))

static PyObject *native_serving_predict(PyObject *module, PyObject *args) {
    pdcost_model *model = NULL;
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    pdcost_serving_deployment d = PDCOST_SERVING_DEPLOYMENT_INIT;
    pdcost_serving_workload w = PDCOST_SERVING_WORKLOAD_INIT;
    if (serving_arguments(module, args, "serving_predict", &model, &cluster, &d, &w) < 0) {
        return NULL;
    }
    pdcost_serving_prediction p = PDCOST_SERVING_PREDICTION_INIT;
    pdcost_status status = pdcost_serving_predict(&p, model, &cluster, &d, &w);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    const unsigned char *base = (const unsigned char *)&p + offsetof(pdcost_serving_prediction, ttft_s);
    PyObject *result = PyTuple_New((Py_ssize_t)SERVING_DOUBLES + 2);
    if (result == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < (Py_ssize_t)SERVING_DOUBLES; i++) {
        double value;
        memcpy(&value, base + (size_t)i * sizeof(double), sizeof value);
        PyObject *number = PyFloat_FromDouble(value);
        if (number == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, i, number);
    }
    PyTuple_SET_ITEM(result, (Py_ssize_t)SERVING_DOUBLES, PyBool_FromLong(p.fits_memory != 0));
    PyTuple_SET_ITEM(result, (Py_ssize_t)SERVING_DOUBLES + 1, PyBool_FromLong(p.saturated != 0));
    return result;
}

/* A serving entry point that writes one JSON document (prediction, trace). */
typedef pdcost_status (*serving_document_fn)(char **, const pdcost_model *, const pdcost_cluster *,
                                             const pdcost_serving_deployment *, const pdcost_serving_workload *);

/* The serving arguments parsed as serving_arguments reads them, then `fn`'s document as str. */
static PyObject *serving_document(PyObject *module, PyObject *args, const char *name, serving_document_fn fn) {
    pdcost_model *model = NULL;
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    pdcost_serving_deployment d = PDCOST_SERVING_DEPLOYMENT_INIT;
    pdcost_serving_workload w = PDCOST_SERVING_WORKLOAD_INIT;
    if (serving_arguments(module, args, name, &model, &cluster, &d, &w) < 0) {
        return NULL;
    }
    char *json = NULL;
    pdcost_status status = fn(&json, model, &cluster, &d, &w);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

static PyObject *native_serving_predict_json(PyObject *module, PyObject *args) {
    return serving_document(module, args, "serving_predict_json", pdcost_serving_predict_json);
}

static PyObject *native_serving_prediction_fields_json(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status = pdcost_serving_prediction_fields_json(&json);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

static PyObject *native_serving_settings_fields_json(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    char *json = NULL;
    pdcost_status status = pdcost_serving_settings_fields_json(&json);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

/* -- Traces and run plans (ABI 1.5) ---------------------------------------------------------- */

/* serving_trace_json(model, cluster, deployment, workload) -> str: pdcost_serving_trace. */
static PyObject *native_serving_trace_json(PyObject *module, PyObject *args) {
    return serving_document(module, args, "serving_trace_json", pdcost_serving_trace);
}

/* prediction_trace_json(step_time_s, bubble_time_s, recompute_time_s, optimizer_time_s,
 * offload_time_s, host_overhead_time_s, (tp, cp, ep, pp, dp exposed s), micro_batches, pp, vpp)
 * -> str: pdcost_prediction_trace of a prediction the caller holds. */
static PyObject *native_prediction_trace_json(PyObject *module, PyObject *args) {
    pdcost_prediction p = PDCOST_PREDICTION_INIT;
    pdcost_plan plan = PDCOST_PLAN_INIT;
    unsigned int pp = 1, vpp = 1;
    if (!PyArg_ParseTuple(args, "dddddd(ddddd)dII:prediction_trace_json", &p.step_time_s, &p.bubble_time_s,
                          &p.recompute_time_s, &p.optimizer_time_s, &p.offload_time_s,
                          &p.host_overhead_time_s, &p.comm_exposed_s[PDCOST_COMM_TP],
                          &p.comm_exposed_s[PDCOST_COMM_CP], &p.comm_exposed_s[PDCOST_COMM_EP],
                          &p.comm_exposed_s[PDCOST_COMM_PP], &p.comm_exposed_s[PDCOST_COMM_DP],
                          &p.micro_batches, &pp, &vpp)) {
        return NULL;
    }
    plan.pp = pp;
    plan.vpp = vpp;
    char *json = NULL;
    pdcost_status status = pdcost_prediction_trace(&json, &p, &plan);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    return take_string(json);
}

/* plan_run(gpus, tokens_per_second, tokens, parameters, compute_budget_flops,
 * price_per_gpu_hour, board_power_w, power_fraction, pue, target_days) -> dict: pdcost_plan_run
 * (0 = not stated, as in pdcost_run_plan_inputs); "cost" is None without a price. */
static PyObject *native_plan_run(PyObject *module, PyObject *args) {
    pdcost_run_plan_inputs in = PDCOST_RUN_PLAN_INPUTS_INIT;
    unsigned int gpus = 0;
    if (!PyArg_ParseTuple(args, "Iddddddddd:plan_run", &gpus, &in.tokens_per_second, &in.tokens,
                          &in.parameters, &in.compute_budget_flops, &in.price_per_gpu_hour,
                          &in.board_power_w, &in.power_fraction, &in.pue, &in.target_days)) {
        return NULL;
    }
    in.gpus = gpus;
    pdcost_run_plan out = PDCOST_RUN_PLAN_INIT;
    pdcost_status status = pdcost_plan_run(&out, &in);
    if (status != PDCOST_OK) {
        return raise_status(get_state(module), status);
    }
    PyObject *cost = out.has_cost ? PyFloat_FromDouble(out.cost) : Py_NewRef(Py_None);
    if (cost == NULL) {
        return NULL;
    }
    return Py_BuildValue("{s:d,s:d,s:d,s:d,s:d,s:d,s:N,s:d,s:d,s:d,s:d,s:O}", "tokens", out.tokens,
                         "parameters", out.parameters, "tokens_per_parameter", out.tokens_per_parameter,
                         "seconds", out.seconds, "days", out.days, "gpu_hours", out.gpu_hours,
                         "cost", cost, "energy_mwh", out.energy_mwh,
                         "required_tokens_per_second", out.required_tokens_per_second,
                         "power_fraction", out.power_fraction, "pue", out.pue,
                         "meets_target_days", out.meets_target_days ? Py_True : Py_False);
}

/* -- Serving deployment search (ABI 1.2) ----------------------------------------------------- */

/* serving_search(model, cluster, workload, options, settings_json, progress) -> str.
 * workload as for serving_predict; options = (max_gpus, max_batch, sweep_load, percentile,
 * max_ttft_s, max_tpot_s, engines, weight_precisions, kv_cache_precisions, max_tp, max_pp,
 * try_expert_parallel, try_attention_data_parallel, disaggregated, top_k, threads): the fields
 * of pdcost_serving_search_options (0 = default; the precision lists tuples of enum ints or
 * None). progress(stage, done, total) -> bool; True stops (the partial result is returned). */
static PyObject *native_serving_search(PyObject *module, PyObject *args) {
    native_state *st = get_state(module);
    PyObject *model_obj, *cluster_obj, *workload_obj, *options_obj, *settings, *progress;
    if (!PyArg_UnpackTuple(args, "serving_search", 6, 6, &model_obj, &cluster_obj, &workload_obj,
                           &options_obj, &settings, &progress)) {
        return NULL;
    }
    if (!PyObject_TypeCheck(model_obj, st->model_type)) {
        PyErr_Format(PyExc_TypeError, "model must be a pdcost._native.Model, not %.100s",
                     Py_TYPE(model_obj)->tp_name);
        return NULL;
    }
    pdcost_cluster cluster = PDCOST_CLUSTER_INIT;
    pdcost_serving_search_options options = PDCOST_SERVING_SEARCH_OPTIONS_INIT;
    if (parse_cluster(st, cluster_obj, &cluster) < 0 || check_tuple(workload_obj, 8, "workload") < 0 ||
        check_tuple(options_obj, 16, "options") < 0) {
        return NULL;
    }
    pdcost_serving_workload *w = &options.workload;
    uint32_t scenario, percentile;
    if (u32_item(workload_obj, 0, "scenario", PDCOST_SCENARIO_BURST_ALL_AT_ONCE, &scenario) < 0 ||
        u32_item(workload_obj, 1, "input_tokens", UINT32_MAX, &w->input_tokens) < 0 ||
        u32_item(workload_obj, 2, "output_tokens", UINT32_MAX, &w->output_tokens) < 0 ||
        u32_item(workload_obj, 3, "batch_size", UINT32_MAX, &w->batch_size) < 0 ||
        u32_item(workload_obj, 4, "concurrency", UINT32_MAX, &w->concurrency) < 0 ||
        u32_item(workload_obj, 5, "num_requests", UINT32_MAX, &w->num_requests) < 0 ||
        double_item(workload_obj, 6, "request_rate", &w->request_rate) < 0 ||
        double_item(workload_obj, 7, "prefix_hit_ratio", &w->prefix_hit_ratio) < 0 ||
        u32_item(options_obj, 0, "max_gpus", UINT32_MAX, &options.max_gpus) < 0 ||
        u32_item(options_obj, 1, "max_batch", UINT32_MAX, &options.max_batch) < 0 ||
        u32_item(options_obj, 2, "sweep_load", 1, &options.sweep_load) < 0 ||
        u32_item(options_obj, 3, "percentile", PDCOST_PERCENTILE_P99, &percentile) < 0 ||
        double_item(options_obj, 4, "max_ttft_s", &options.max_ttft_s) < 0 ||
        double_item(options_obj, 5, "max_tpot_s", &options.max_tpot_s) < 0 ||
        u32_item(options_obj, 6, "engines", UINT32_MAX, &options.engines) < 0 ||
        search_list(PyTuple_GET_ITEM(options_obj, 7), "weight_precisions", 0, options.weight_precisions,
                    NULL, &options.num_weight_precisions) < 0 ||
        search_list(PyTuple_GET_ITEM(options_obj, 8), "kv_cache_precisions", 0,
                    options.kv_cache_precisions, NULL, &options.num_kv_cache_precisions) < 0 ||
        u32_item(options_obj, 9, "max_tp", UINT32_MAX, &options.max_tp) < 0 ||
        u32_item(options_obj, 10, "max_pp", UINT32_MAX, &options.max_pp) < 0 ||
        u32_item(options_obj, 11, "try_expert_parallel", 1, &options.try_expert_parallel) < 0 ||
        u32_item(options_obj, 12, "try_attention_data_parallel", 1, &options.try_attention_data_parallel) < 0 ||
        u32_item(options_obj, 13, "disaggregated", 1, &options.disaggregated) < 0 ||
        u32_item(options_obj, 14, "top_k", UINT32_MAX, &options.top_k) < 0 ||
        u32_item(options_obj, 15, "threads", UINT32_MAX, &options.threads) < 0) {
        return NULL;
    }
    w->scenario = (pdcost_serving_scenario)scenario;
    options.percentile = (pdcost_serving_percentile)percentile;
    if (settings != Py_None) {
        if (!PyUnicode_Check(settings)) {
            PyErr_Format(PyExc_TypeError, "settings_json must be a str or None, not %.100s",
                         Py_TYPE(settings)->tp_name);
            return NULL;
        }
        Py_ssize_t length;
        options.settings_json = PyUnicode_AsUTF8AndSize(settings, &length); /* borrowed from args */
        if (options.settings_json == NULL) {
            return NULL;
        }
        options.settings_length = (size_t)length;
    }
    PyObject *callable = progress == Py_None ? NULL : progress;
    if (callable != NULL && !PyCallable_Check(callable)) {
        PyErr_Format(PyExc_TypeError, "progress must be callable or None, not %.100s",
                     Py_TYPE(callable)->tp_name);
        return NULL;
    }
    progress_state sp = PROGRESS_STATE_INIT(callable, PROGRESS_STAGE_DONE_TOTAL);
    options.progress = progress_bridge;
    options.user = &sp;
    pdcost_serving_search_result *result = NULL;
    pdcost_status status;
    progress_begin(&sp); /* the model lives in args, which outlives the call */
    status = pdcost_serving_search_run(&result, ((ModelObject *)model_obj)->model, &cluster, &options);
    progress_end(&sp);
    if (progress_finish(&sp) < 0) {
        pdcost_serving_search_result_free(result); /* NULL-safe */
        return NULL;
    }
    /* A search the callback stopped still returns what it found (stats.cancelled). */
    if (status != PDCOST_OK && !(status == PDCOST_ECANCELED && result != NULL)) {
        pdcost_serving_search_result_free(result);
        return raise_status(st, status);
    }
    char *json = NULL;
    status = pdcost_serving_search_result_to_json(&json, result);
    pdcost_serving_search_result_free(result);
    if (status != PDCOST_OK) {
        return raise_status(st, status);
    }
    return take_string(json);
}

static PyMethodDef native_methods[] = {
    {"serving_search", native_serving_search, METH_VARARGS,
     PyDoc_STR("serving_search(model, cluster, workload, options, settings_json, progress) -> str\n\n"
               "pdcost_serving_search_run with the GIL released; returns\n"
               "pdcost_serving_search_result_to_json (also when progress stopped it).")},
    {"serving_predict", native_serving_predict, METH_VARARGS,
     PyDoc_STR("serving_predict(model, cluster, deployment, workload) -> tuple\n\n"
               "pdcost_serving_predict: the doubles of pdcost_serving_prediction in header order,\n"
               "then fits_memory and saturated (bool).")},
    {"serving_trace_json", native_serving_trace_json, METH_VARARGS,
     PyDoc_STR("serving_trace_json(model, cluster, deployment, workload) -> str: one request as a trace")},
    {"prediction_trace_json", native_prediction_trace_json, METH_VARARGS,
     PyDoc_STR("prediction_trace_json(step_s, bubble_s, recompute_s, optimizer_s, offload_s, host_s, "
               "(tp, cp, ep, pp, dp exposed s), micro_batches, pp, vpp) -> str: the step as a trace")},
    {"plan_run", native_plan_run, METH_VARARGS,
     PyDoc_STR("plan_run(gpus, tokens_per_second, tokens, parameters, compute_budget_flops, "
               "price_per_gpu_hour, board_power_w, power_fraction, pue, target_days) -> dict")},
    {"serving_predict_json", native_serving_predict_json, METH_VARARGS,
     PyDoc_STR("serving_predict_json(model, cluster, deployment, workload) -> str\n\n"
               "pdcost_serving_predict_json: deployment, workload, prediction and settings used.")},
    {"serving_prediction_fields_json", native_serving_prediction_fields_json, METH_NOARGS,
     PyDoc_STR("serving_prediction_fields_json() -> str\n\nThe serving prediction's field table.")},
    {"serving_settings_fields_json", native_serving_settings_fields_json, METH_NOARGS,
     PyDoc_STR("serving_settings_fields_json() -> str\n\nThe serving engine settings table as JSON.")},
    {"version", native_version, METH_NOARGS,
     PyDoc_STR("version() -> tuple[int, int, int]\n\nThe loaded library's version.")},
    {"version_string", native_version_string, METH_NOARGS,
     PyDoc_STR("version_string() -> str\n\nThe loaded library's version string.")},
    {"abi_version", native_abi_version, METH_NOARGS,
     PyDoc_STR("abi_version() -> int\n\nThe loaded library's ABI (SONAME) number.")},
    {"status_name", native_status_name, METH_O,
     PyDoc_STR("status_name(status: int) -> str\n\nThe stable name of a status code.")},
    {"model_from_preset", native_model_from_preset, METH_O,
     PyDoc_STR("model_from_preset(name: str) -> Model")},
    {"model_from_json", native_model_from_json, METH_O,
     PyDoc_STR("model_from_json(json: str | bytes) -> Model\n\n"
               "A Hugging Face config.json document or pdcost's canonical model JSON.")},
    {"model_from_file", native_model_from_file, METH_O,
     PyDoc_STR("model_from_file(path: str | os.PathLike) -> Model")},
    {"model_preset_names", native_model_preset_names, METH_NOARGS,
     PyDoc_STR("model_preset_names() -> str\n\nThe model preset names as a JSON array.")},
    {"gpu_from_name", native_gpu_from_name, METH_O,
     PyDoc_STR("gpu_from_name(name: str) -> dict\n\nA GPU preset's numbers (SI units).")},
    {"prediction_fields_json", native_prediction_fields_json, METH_NOARGS,
     PyDoc_STR("prediction_fields_json() -> str\n\nThe prediction's field table (names, units), in the\n"
               "order of CostModel.predict's tuple.")},
    {"framework_settings_fields_json", native_framework_settings_fields_json, METH_NOARGS,
     PyDoc_STR("framework_settings_fields_json() -> str\n\nThe framework settings table as JSON.")},
    {"gpu_complete", native_gpu_complete, METH_O,
     PyDoc_STR("gpu_complete(gpu: tuple) -> (dict, str)\n\npdcost_gpu_complete: the completed GPU "
               "(SI units) and the JSON list of filled-in values.")},
    {"limits_json", native_limits_json, METH_NOARGS,
     PyDoc_STR("limits_json() -> str\n\nThe limits table (pdcost_limits_json) as JSON.")},
    {"gpu_presets_json", native_gpu_presets_json, METH_NOARGS,
     PyDoc_STR("gpu_presets_json() -> str\n\nAll GPU presets as a JSON array.")},
    {"check_profile", native_check_profile, METH_O,
     PyDoc_STR("check_profile(profile_json: bytes) -> None\n\n"
               "Checks a calibration profile (format, version, names, bounds); raises on error.")},
    {"efficiency_parameters_json", native_efficiency_parameters_json, METH_NOARGS,
     PyDoc_STR("efficiency_parameters_json() -> str\n\n"
               "The efficiency constants (name, bounds, summary, defaults per generation) and the\n"
               "fit's parameter groups and default set, as JSON.")},
    {"fit_runs", (PyCFunction)(void (*)(void))native_fit_runs, METH_VARARGS | METH_KEYWORDS,
     PyDoc_STR("fit_runs(runs_json: bytes, *, parameters=None, cross_validation=0, folds=0,\n"
               "         max_iterations=0, min_runs_per_parameter=0, complete_only=False,\n"
               "         all_supported=False, runs_file=None, progress=None, overrides=None) -> str\n\n"
               "Fits efficiency scales to measured runs (pdcost_fit_runs); returns the profile JSON.\n"
               "overrides: a run-overrides document (pdcost.run-overrides/1) applied first.\n"
               "progress(fraction, message) is called with the GIL held; returning True cancels.\n"
               "Releases the GIL.")},
    {"validate_runs", (PyCFunction)(void (*)(void))native_validate_runs,
     METH_VARARGS | METH_KEYWORDS,
     PyDoc_STR("validate_runs(runs_json: bytes, *, text=False, only_complete=False, profile=None,\n"
               "              overrides=None) -> str\n\n"
               "Predicts every record of a measured-runs file (pdcost.runs/1) and compares:\n"
               "a JSON report {runs, summary}, or a text table with text=True; overrides: a\n"
               "run-overrides document (pdcost.run-overrides/1) applied first. Releases the GIL.")},
    {"gpu_calibrate", (PyCFunction)(void (*)(void))native_gpu_calibrate, METH_VARARGS | METH_KEYWORDS,
     PyDoc_STR("gpu_calibrate(progress=None, *, device=0, gemm_size=8192, test_compute=True,\n"
               "              test_memory=True, test_collectives=True, repetitions=20, warmup=5,\n"
               "              dtypes=0, sustain_seconds=15.0, max_collective_bytes=2**30) -> str\n\n"
               "Runs the GPU micro-benchmarks (pdcost_gpu_calibrate) and returns the report JSON.\n"
               "progress(stage, done, total) is called with the GIL held; returning True cancels.\n"
               "Releases the GIL. NoDeviceError without a GPU.")},
    {"cuda_available", native_cuda_available, METH_NOARGS,
     PyDoc_STR("cuda_available() -> str\n\nWhat the machine offers for GPU calibration, as JSON.")},
    {"_check_version", native_check_version, METH_VARARGS,
     PyDoc_STR("_check_version(major, minor, patch) -> None\n\n"
               "The import-time header/library version check, for tests.")},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------------------------------ */
/* Module lifecycle                                                                            */
/* ------------------------------------------------------------------------------------------ */

static int native_exec(PyObject *module) {
    native_state *st = get_state(module);

    if (check_library_version(PDCOST_VERSION_MAJOR, PDCOST_VERSION_MINOR,
                              PDCOST_VERSION_PATCH) < 0) {
        return -1;
    }

    PyObject *errors = PyImport_ImportModule("pdcost.errors");
    if (errors == NULL) {
        return -1;
    }
    for (int i = 0; i < ERR_COUNT; i++) {
        st->errors[i] = PyObject_GetAttrString(errors, error_class_names[i]);
        if (st->errors[i] == NULL) {
            Py_DECREF(errors);
            return -1;
        }
        if (!PyType_Check(st->errors[i]) ||
            !PyType_IsSubtype((PyTypeObject *)st->errors[i], (PyTypeObject *)PyExc_Exception)) {
            PyErr_Format(PyExc_ImportError, "pdcost.errors.%s is not an exception class",
                         error_class_names[i]);
            Py_DECREF(errors);
            return -1;
        }
    }
    Py_DECREF(errors);

    for (size_t i = 0; i < COUNTS_FIELD_COUNT; i++) {
        st->counts_keys[i] = PyUnicode_InternFromString(counts_fields[i].name);
        if (st->counts_keys[i] == NULL) {
            return -1;
        }
    }

    st->model_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &model_spec, NULL);
    if (st->model_type == NULL) {
        return -1;
    }
    if (PyModule_AddType(module, st->model_type) < 0) {
        return -1;
    }
    st->cost_model_type =
        (PyTypeObject *)PyType_FromModuleAndSpec(module, &cost_model_spec, NULL);
    if (st->cost_model_type == NULL) {
        return -1;
    }
    if (PyModule_AddType(module, st->cost_model_type) < 0) {
        return -1;
    }

    if (PyModule_AddIntConstant(module, "HEADER_VERSION_MAJOR", PDCOST_VERSION_MAJOR) < 0 ||
        PyModule_AddIntConstant(module, "HEADER_VERSION_MINOR", PDCOST_VERSION_MINOR) < 0 ||
        PyModule_AddIntConstant(module, "HEADER_VERSION_PATCH", PDCOST_VERSION_PATCH) < 0 ||
        PyModule_AddIntConstant(module, "HEADER_ABI_VERSION", PDCOST_ABI_VERSION) < 0 ||
        PyModule_AddStringConstant(module, "HEADER_VERSION_STRING", PDCOST_VERSION_STRING) < 0 ||
        PyModule_AddIntConstant(module, "GPU_ARCH_UNKNOWN", PDCOST_GPU_ARCH_UNKNOWN) < 0 ||
        PyModule_AddIntConstant(module, "GPU_ARCH_VOLTA", PDCOST_GPU_ARCH_VOLTA) < 0 ||
        PyModule_AddIntConstant(module, "GPU_ARCH_AMPERE", PDCOST_GPU_ARCH_AMPERE) < 0 ||
        PyModule_AddIntConstant(module, "GPU_ARCH_ADA", PDCOST_GPU_ARCH_ADA) < 0 ||
        PyModule_AddIntConstant(module, "GPU_ARCH_HOPPER", PDCOST_GPU_ARCH_HOPPER) < 0 ||
        PyModule_AddIntConstant(module, "GPU_ARCH_BLACKWELL", PDCOST_GPU_ARCH_BLACKWELL) < 0 ||
        PyModule_AddIntConstant(module, "GPU_ARCH_BLACKWELL_ULTRA", PDCOST_GPU_ARCH_BLACKWELL_ULTRA) < 0 ||
        PyModule_AddIntConstant(module, "GPU_CAPABILITY_UNKNOWN", PDCOST_GPU_CAPABILITY_UNKNOWN) < 0 ||
        PyModule_AddIntConstant(module, "GPU_CAPABILITY_NO", PDCOST_GPU_CAPABILITY_NO) < 0 ||
        PyModule_AddIntConstant(module, "GPU_CAPABILITY_YES", PDCOST_GPU_CAPABILITY_YES) < 0 ||
        /* pdcost_framework: costmodel.FRAMEWORKS is checked against these by a test. */
        PyModule_AddIntConstant(module, "FRAMEWORK_MEGATRON", PDCOST_FRAMEWORK_MEGATRON) < 0 ||
        PyModule_AddIntConstant(module, "FRAMEWORK_NEMO", PDCOST_FRAMEWORK_NEMO) < 0 ||
        PyModule_AddIntConstant(module, "FRAMEWORK_MEGATRON_BRIDGE", PDCOST_FRAMEWORK_MEGATRON_BRIDGE) < 0 ||
        PyModule_AddIntConstant(module, "FRAMEWORK_TORCHTITAN", PDCOST_FRAMEWORK_TORCHTITAN) < 0 ||
        PyModule_AddIntConstant(module, "FRAMEWORK_DEEPSPEED", PDCOST_FRAMEWORK_DEEPSPEED) < 0 ||
        PyModule_AddIntConstant(module, "FRAMEWORK_PADDLEFORMERS", PDCOST_FRAMEWORK_PADDLEFORMERS) < 0 ||
        PyModule_AddIntConstant(module, "FRAMEWORK_AUTOMODEL", PDCOST_FRAMEWORK_AUTOMODEL) < 0 ||
        PyModule_AddIntConstant(module, "FRAMEWORK_HF_TRAINER", PDCOST_FRAMEWORK_HF_TRAINER) < 0) {
        return -1;
    }
    if (add_limit_constants(module) < 0) {
        return -1;
    }
    PyObject *max_seq = PyLong_FromLongLong(MAX_SEQUENCE_LENGTH);
    if (max_seq == NULL) {
        return -1;
    }
    int added = PyModule_AddObjectRef(module, "MAX_SEQUENCE_LENGTH", max_seq);
    Py_DECREF(max_seq);
    return added;
}

static int native_traverse(PyObject *module, visitproc visit, void *arg) {
    native_state *st = get_state(module);
    Py_VISIT(st->model_type);
    Py_VISIT(st->cost_model_type);
    for (int i = 0; i < ERR_COUNT; i++) {
        Py_VISIT(st->errors[i]);
    }
    return 0;
}

static int native_clear(PyObject *module) {
    native_state *st = get_state(module);
    Py_CLEAR(st->model_type);
    Py_CLEAR(st->cost_model_type);
    for (int i = 0; i < ERR_COUNT; i++) {
        Py_CLEAR(st->errors[i]);
    }
    for (size_t i = 0; i < COUNTS_FIELD_COUNT; i++) {
        Py_CLEAR(st->counts_keys[i]);
    }
    return 0;
}

static void native_free(void *module) { (void)native_clear((PyObject *)module); }

static PyModuleDef_Slot native_slots[] = {
    {Py_mod_exec, native_exec},
#if PY_VERSION_HEX >= 0x030C0000
    /* Module state only; the library is thread-safe and keeps no per-process Python state. */
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#if PY_VERSION_HEX >= 0x030D0000
    /* Handles are immutable and the library may be called from any thread. */
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = MODULE_NAME,
    .m_doc = PyDoc_STR("Private bindings to libpdcost's C ABI; use the `pdcost` package."),
    .m_size = sizeof(native_state),
    .m_methods = native_methods,
    .m_slots = native_slots,
    .m_traverse = native_traverse,
    .m_clear = native_clear,
    .m_free = native_free,
};

PyMODINIT_FUNC PyInit__native(void) { return PyModuleDef_Init(&native_module); }
