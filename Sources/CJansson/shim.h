#ifndef PHYSIO_CJANSSON_SHIM_H
#define PHYSIO_CJANSSON_SHIM_H
#include <jansson.h>

/* jansson's type tests and reference counting are macros or inline
   functions that Swift cannot see reliably; these wrappers can be. */
static inline json_type physio_json_type(const json_t *json) { return json_typeof(json); }
static inline void physio_json_decref(json_t *json) { json_decref(json); }
static inline json_t *physio_json_incref(json_t *json) { return json_incref(json); }
#endif
