#ifndef PHYSIO_CLIBPQ_SHIM_H
#define PHYSIO_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
