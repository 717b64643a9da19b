/*
 * fuzz_input — what every libFuzzer target of satmark shares: the fuzzer's
 * bytes as a file on disk, for readers that take a path (the manifest, style
 * and raster readers open by name, as the CLI does).
 *
 * Invariants: one scratch file per process, created on first use in a
 * private directory (mkdtemp under $TMPDIR or /tmp) and rewritten in full on
 * every call; the path stays valid until the process exits, when the file
 * and its directory are removed. Targets are
 * single-threaded (libFuzzer calls them from one thread).
 */
#ifndef SATMARK_FUZZ_INPUT_H
#define SATMARK_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* Writes data (borrowed, size bytes) to the scratch file and returns its path
 * (a static buffer, valid for the process); the suffix (e.g. ".tif",
 * ".json") is part of the name, since some readers choose a format by it.
 * Aborts when the file cannot be written: that is the harness failing, not
 * the code under test. */
const char *fuzz_input_file(const uint8_t *data, size_t size, const char *suffix);

/* A NUL-terminated copy of data (new; free with free()). Aborts on OOM. */
char *fuzz_input_string(const uint8_t *data, size_t size);

#endif
