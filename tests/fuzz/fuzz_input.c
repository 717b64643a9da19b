/*
 * fuzz_input — the scratch file and string copies the fuzz targets share
 * (fuzz_input.h).
 */
#include "fuzz_input.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char scratch_dir[4096];
static char scratch_path[4200];

static void remove_scratch(void)
{
    if (scratch_path[0])
        unlink(scratch_path);
    if (scratch_dir[0])
        rmdir(scratch_dir);
}

const char *fuzz_input_file(const uint8_t *data, size_t size, const char *suffix)
{
    if (!scratch_path[0]) {
        const char *dir = getenv("TMPDIR");
        if (!dir || !*dir)
            dir = "/tmp";
        /* A private directory (mkdtemp) so the file can carry the suffix. */
        snprintf(scratch_dir, sizeof scratch_dir, "%s/satmark-fuzz-XXXXXX", dir);
        if (!mkdtemp(scratch_dir)) {
            perror("fuzz_input: mkdtemp");
            abort();
        }
        snprintf(scratch_path, sizeof scratch_path, "%s/input%s", scratch_dir, suffix);
        int fd = open(scratch_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0) {
            perror("fuzz_input: create");
            abort();
        }
        close(fd);
        atexit(remove_scratch);
    }
    int fd = open(scratch_path, O_WRONLY | O_TRUNC);
    if (fd < 0) {
        perror("fuzz_input: open");
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) {
            perror("fuzz_input: write");
            abort();
        }
        done += (size_t)n;
    }
    close(fd);
    return scratch_path;
}

char *fuzz_input_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}
