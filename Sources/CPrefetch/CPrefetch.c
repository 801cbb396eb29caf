// CPrefetch is header-only (CPrefetch.h); a C target needs one source file.
#include "CPrefetch.h"
