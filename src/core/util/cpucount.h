/*
 * cpucount — how many CPUs the process can use: the one place that asks the
 * system (pngout's compression threads, viewread's readers, the batch
 * command's default job count).
 *
 * Invariant: the answer is at least 1, whatever the system reports.
 */
#ifndef SATMARK_CPUCOUNT_H
#define SATMARK_CPUCOUNT_H

/* The CPUs online now (sysconf _SC_NPROCESSORS_ONLN), at least 1. Callers
 * bound it by what they can use. */
int cpucount_online(void);

#endif
