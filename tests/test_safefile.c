/* Unit tests of safefile, the atomic-save protocol: a committed file has the
 * new content and nothing temporary is left; an abort leaves the directory as
 * it was; the backup FILE~ holds the previous version; the target's mode is
 * kept (and a new file gets the requested mode); a file written by another
 * writer at a reserved path is committed the same way; a missing directory
 * and a target that is not a regular file fail naming the path. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "safefile.h"

static char dir[] = "/tmp/satmark-safefile-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Empties the test directory between tests. */
static int clean(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'/* '%s'/.[!.]*", dir, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in_dir(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void write_plain(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* The whole content of path (at most 255 bytes) into out. */
static void read_plain(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
}

/* Directory entries other than . and .. */
static int entries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void commit_replaces_content(void **state)
{
    (void)state;
    char path[256], got[256];
    path_in_dir(path, sizeof path, "a.txt");
    write_plain(path, "old\n");
    struct diag *dg = diag_new();
    struct safefile *sf = safefile_begin(path, dg);
    assert_non_null(sf);
    /* The temporary file is beside the target, the target still the old one. */
    assert_int_equal(strncmp(safefile_temp_path(sf), path, strlen(path)), 0);
    assert_int_equal(entries(), 2);
    fprintf(safefile_stream(sf), "new %d\n", 42);
    read_plain(path, got, sizeof got);
    assert_string_equal(got, "old\n");
    assert_true(safefile_commit(sf, NULL, dg));
    read_plain(path, got, sizeof got);
    assert_string_equal(got, "new 42\n");
    assert_int_equal(entries(), 1); /* no backup asked, no temporary left */
    diag_free(dg);
}

static void abort_leaves_nothing(void **state)
{
    (void)state;
    char path[256], got[256];
    path_in_dir(path, sizeof path, "b.txt");
    struct diag *dg = diag_new();
    /* A new target: abort leaves the directory empty. */
    struct safefile *sf = safefile_begin(path, dg);
    assert_non_null(sf);
    fputs("never", safefile_stream(sf));
    safefile_abort(sf);
    assert_int_equal(entries(), 0);
    /* An existing target: abort leaves it alone. */
    write_plain(path, "kept\n");
    sf = safefile_begin(path, dg);
    assert_non_null(sf);
    fputs("never", safefile_stream(sf));
    safefile_abort(sf);
    read_plain(path, got, sizeof got);
    assert_string_equal(got, "kept\n");
    assert_int_equal(entries(), 1);
    /* A reserved directory is removed, with what another writer left in it. */
    sf = safefile_reserve(path, ".satmark-test", dg);
    assert_non_null(sf);
    write_plain(safefile_temp_path(sf), "other writer");
    char side[512];
    snprintf(side, sizeof side, "%s-journal", safefile_temp_path(sf));
    write_plain(side, "side file");
    assert_int_equal(entries(), 2);
    safefile_abort(sf);
    assert_int_equal(entries(), 1);
    safefile_abort(NULL);
    assert_false(diag_failed(dg));
    diag_free(dg);
}

static void backup_kept(void **state)
{
    (void)state;
    char path[256], backup[260], got[256];
    path_in_dir(path, sizeof path, "c.txt");
    snprintf(backup, sizeof backup, "%s~", path);
    const struct safefile_options opt = {.keep_backup = true};
    struct diag *dg = diag_new();
    /* No previous version: no backup. */
    assert_true(safefile_write(path, "v1\n", 3, &opt, dg));
    assert_int_not_equal(access(backup, F_OK), 0);
    assert_true(safefile_write(path, "v2\n", 3, &opt, dg));
    read_plain(backup, got, sizeof got);
    assert_string_equal(got, "v1\n");
    assert_true(safefile_write(path, "v3\n", 3, &opt, dg));
    read_plain(backup, got, sizeof got);
    assert_string_equal(got, "v2\n");
    read_plain(path, got, sizeof got);
    assert_string_equal(got, "v3\n");
    assert_int_equal(entries(), 2); /* FILE and FILE~ only */
    diag_free(dg);
}

static void mode_preserved(void **state)
{
    (void)state;
    char path[256], backup[260];
    path_in_dir(path, sizeof path, "d.txt");
    snprintf(backup, sizeof backup, "%s~", path);
    struct diag *dg = diag_new();
    const struct safefile_options private_new = {.keep_backup = true, .new_file_mode = 0600};
    assert_true(safefile_write(path, "x", 1, &private_new, dg));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(chmod(path, 0640), 0);
    assert_true(safefile_write(path, "y", 1, &private_new, dg));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(stat(backup, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    /* Default for a new file: 0644. */
    path_in_dir(path, sizeof path, "e.txt");
    assert_true(safefile_write(path, "z", 1, NULL, dg));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    diag_free(dg);
}

static void reserved_path_committed(void **state)
{
    (void)state;
    char path[256], got[256];
    path_in_dir(path, sizeof path, "out.gpkg");
    write_plain(path, "old");
    assert_int_equal(chmod(path, 0664), 0);
    struct diag *dg = diag_new();
    struct safefile *sf = safefile_reserve(path, ".satmark-test", dg);
    assert_non_null(sf);
    assert_null(safefile_stream(sf));
    const char *tmp = safefile_temp_path(sf);
    /* Same base name (drivers care about the extension), different directory. */
    assert_string_equal(strrchr(tmp, '/'), "/out.gpkg");
    assert_string_not_equal(tmp, path);
    write_plain(tmp, "from another writer");
    assert_true(safefile_commit(sf, NULL, dg));
    read_plain(path, got, sizeof got);
    assert_string_equal(got, "from another writer");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0664);
    assert_int_equal(entries(), 1); /* the reserved directory is gone */
    /* Nothing written at the reserved path: commit fails, target untouched. */
    sf = safefile_reserve(path, ".satmark-test", dg);
    assert_non_null(sf);
    assert_false(safefile_commit(sf, NULL, dg));
    assert_non_null(strstr(diag_message(dg), path));
    read_plain(path, got, sizeof got);
    assert_string_equal(got, "from another writer");
    assert_int_equal(entries(), 1);
    diag_free(dg);
}

static void missing_directory_named(void **state)
{
    (void)state;
    char path[256];
    path_in_dir(path, sizeof path, "no-such-dir/f.geojson");
    struct diag *dg = diag_new();
    assert_null(safefile_begin(path, dg));
    assert_true(diag_failed(dg));
    assert_non_null(strstr(diag_message(dg), path));
    assert_non_null(strstr(diag_message(dg), "No such file or directory"));
    diag_reset(dg);
    assert_null(safefile_reserve(path, ".satmark-test", dg));
    assert_non_null(strstr(diag_message(dg), path));
    diag_reset(dg);
    assert_false(safefile_write(path, "x", 1, NULL, dg));
    assert_non_null(strstr(diag_message(dg), path));
    assert_int_equal(entries(), 0);
    diag_free(dg);
}

static void not_a_regular_file_refused(void **state)
{
    (void)state;
    char path[256];
    path_in_dir(path, sizeof path, "sub");
    assert_int_equal(mkdir(path, 0755), 0);
    struct diag *dg = diag_new();
    assert_false(safefile_write(path, "x", 1, NULL, dg));
    assert_non_null(strstr(diag_message(dg), path));
    assert_non_null(strstr(diag_message(dg), "not a regular file"));
    assert_int_equal(entries(), 1);
    diag_free(dg);
}

/* FILE~ already a hard link to FILE's inode (a concurrent save of the same
 * version): rename(2) of the new link over FILE~ does nothing, and the
 * temporary link must not be left behind as FILE~.lnkXXXXXX. */
static void backup_of_same_inode_leaves_no_link(void **state)
{
    (void)state;
    char path[256], backup[260], got[256];
    path_in_dir(path, sizeof path, "g.txt");
    snprintf(backup, sizeof backup, "%s~", path);
    write_plain(path, "v1\n");
    assert_int_equal(link(path, backup), 0);
    const struct safefile_options opt = {.keep_backup = true};
    struct diag *dg = diag_new();
    assert_true(safefile_write(path, "v2\n", 3, &opt, dg));
    read_plain(backup, got, sizeof got);
    assert_string_equal(got, "v1\n");
    read_plain(path, got, sizeof got);
    assert_string_equal(got, "v2\n");
    assert_int_equal(entries(), 2); /* FILE and FILE~ only */
    diag_free(dg);
}

/* Saving through a symbolic link writes the link's target; the link stays. */
static void symlink_target_written(void **state)
{
    (void)state;
    char real[256], link_path[256], got[256], backup[260];
    path_in_dir(real, sizeof real, "real.txt");
    path_in_dir(link_path, sizeof link_path, "link.txt");
    snprintf(backup, sizeof backup, "%s~", real);
    write_plain(real, "old\n");
    assert_int_equal(symlink("real.txt", link_path), 0);
    const struct safefile_options opt = {.keep_backup = true};
    struct diag *dg = diag_new();
    assert_true(safefile_write(link_path, "new\n", 4, &opt, dg));
    struct stat st;
    assert_int_equal(lstat(link_path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    read_plain(real, got, sizeof got);
    assert_string_equal(got, "new\n");
    read_plain(backup, got, sizeof got);
    assert_string_equal(got, "old\n");
    /* A dangling link is refused, naming it. */
    char dangling[256];
    path_in_dir(dangling, sizeof dangling, "dangling.txt");
    assert_int_equal(symlink("nowhere/x.txt", dangling), 0);
    assert_false(safefile_write(dangling, "x", 1, &opt, dg));
    assert_non_null(strstr(diag_message(dg), dangling));
    diag_free(dg);
}

/* A read-only target is refused (also for root), naming file and reason. */
static void read_only_refused(void **state)
{
    (void)state;
    char path[256], got[256];
    path_in_dir(path, sizeof path, "ro.txt");
    write_plain(path, "keep\n");
    assert_int_equal(chmod(path, 0444), 0);
    struct diag *dg = diag_new();
    assert_false(safefile_write(path, "x", 1, NULL, dg));
    assert_non_null(strstr(diag_message(dg), path));
    assert_non_null(strstr(diag_message(dg), "read-only"));
    read_plain(path, got, sizeof got);
    assert_string_equal(got, "keep\n");
    assert_int_equal(entries(), 1);
    diag_free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(commit_replaces_content, clean),
        cmocka_unit_test_setup(abort_leaves_nothing, clean),
        cmocka_unit_test_setup(backup_kept, clean),
        cmocka_unit_test_setup(mode_preserved, clean),
        cmocka_unit_test_setup(reserved_path_committed, clean),
        cmocka_unit_test_setup(missing_directory_named, clean),
        cmocka_unit_test_setup(not_a_regular_file_refused, clean),
        cmocka_unit_test_setup(backup_of_same_inode_leaves_no_link, clean),
        cmocka_unit_test_setup(symlink_target_written, clean),
        cmocka_unit_test_setup(read_only_refused, clean),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
