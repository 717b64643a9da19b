/*
 * pathname — see pathname.h.
 */
#include "pathname.h"

#include <string.h>

const char *pathname_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}
