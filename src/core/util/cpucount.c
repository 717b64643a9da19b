/*
 * cpucount — see cpucount.h.
 */
#include "cpucount.h"

#include <limits.h>
#include <unistd.h>

int cpucount_online(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > INT_MAX ? INT_MAX : (int)n;
}
