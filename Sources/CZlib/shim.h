#ifndef PHYSIO_CZLIB_SHIM_H
#define PHYSIO_CZLIB_SHIM_H
#include <zlib.h>
#endif
