/*
 * journal — see journal.h. The header line is built and parsed with jansson;
 * the body is gjson's own file format, so recovery reads it with the same
 * strict reader as any annotation file.
 */
#include "journal.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gjson.h"
#include "gjwrite.h"
#include "pathname.h"
#include "safefile.h"
#include "rfile.h"

/* A journal is a copy of an annotation file plus one line. */
#define JOURNAL_MAX_SIZE (GJSON_MAX_FILE_SIZE + 4096)

char *journal_path_for(const char *target)
{
    size_t n = strlen(target);
    char *out = malloc(n + sizeof JOURNAL_SUFFIX);
    if (out) {
        memcpy(out, target, n);
        memcpy(out + n, JOURNAL_SUFFIX, sizeof JOURNAL_SUFFIX);
    }
    return out;
}

bool journal_exists(const char *journal_path)
{
    struct stat st;
    return stat(journal_path, &st) == 0 && S_ISREG(st.st_mode);
}

static void utc_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool journal_write(const char *journal_path, const char *target, const struct annot_set *set,
                   struct diag *dg)
{
    char sha[HASH_SHA256_HEX_LEN + 1] = "";
    if (access(target, F_OK) == 0) {
        struct diag *hash_dg = diag_new();
        if (!hash_file_sha256(target, sha, hash_dg))
            sha[0] = '\0'; /* unreadable target: recovery will say it changed */
        diag_free(hash_dg);
    }
    char written[32];
    utc_now(written);
    json_t *head = json_pack("{s:i, s:s, s:s, s:s, s:I}", "satmark_journal",
                             JOURNAL_FORMAT_VERSION, "target", pathname_base(target),
                             "target_sha256", sha, "written", written, "features",
                             (json_int_t)annot_count(set));
    char *head_text = head ? json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(head);
    if (!head_text) {
        diag_error(dg, "%s: out of memory", journal_path);
        return false;
    }
    size_t body_len = 0;
    char *body = gjwrite_string(set, &body_len, dg);
    if (!body) {
        free(head_text);
        if (!diag_failed(dg))
            diag_error(dg, "%s: cannot serialise the annotations", journal_path);
        return false;
    }
    size_t head_len = strlen(head_text);
    char *line = realloc(head_text, head_len + 2);
    if (!line) {
        free(head_text);
        free(body);
        diag_error(dg, "%s: out of memory", journal_path);
        return false;
    }
    line[head_len] = '\n';
    line[head_len + 1] = '\0';
    /* Mode 0600 for a new journal: it is private work in progress. */
    const struct safefile_options opt = {.keep_backup = false, .new_file_mode = 0600};
    struct safefile *sf = safefile_begin(journal_path, dg);
    bool ok = sf != NULL;
    if (ok && (fwrite(line, 1, head_len + 1, safefile_stream(sf)) != head_len + 1 ||
               fwrite(body, 1, body_len, safefile_stream(sf)) != body_len)) {
        diag_error(dg, "%s: cannot write: %s", journal_path, strerror(errno));
        safefile_abort(sf);
        ok = false;
    } else if (ok) {
        ok = safefile_commit(sf, &opt, dg);
    }
    free(line);
    free(body);
    return ok;
}

static char *read_whole(const char *path, size_t *len, struct diag *dg)
{
    size_t size;
    FILE *f = rfile_open(path, (size_t)JOURNAL_MAX_SIZE, &size, dg);
    if (!f)
        return NULL;
    char *buf = malloc(size + 1);
    if (!buf) {
        fclose(f);
        diag_error(dg, "%s: out of memory", path);
        return NULL;
    }
    size_t got = fread(buf, 1, size, f);
    fclose(f);
    if (got != size) {
        free(buf);
        diag_error(dg, "%s: read error", path);
        return NULL;
    }
    buf[size] = '\0';
    *len = size;
    return buf;
}

bool journal_read(const char *journal_path, const char *target, struct journal_info *info,
                  struct annot_set **out, struct diag *dg)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    size_t len = 0;
    char *buf = read_whole(journal_path, &len, dg);
    if (!buf)
        return false;
    char *eol = memchr(buf, '\n', len);
    if (!eol) {
        diag_error(dg, "%s: not a satmark journal (no header line)", journal_path);
        free(buf);
        return false;
    }
    json_error_t jerr;
    json_t *head = json_loadb(buf, (size_t)(eol - buf), JSON_REJECT_DUPLICATES, &jerr);
    int version = 0;
    const char *name = NULL, *sha = NULL, *written = NULL;
    json_int_t features = -1;
    if (!head || json_unpack(head, "{s:i, s:s, s:s, s:s, s:I}", "satmark_journal", &version,
                             "target", &name, "target_sha256", &sha, "written", &written,
                             "features", &features) != 0) {
        diag_error(dg, "%s:1: not a satmark journal header", journal_path);
        json_decref(head);
        free(buf);
        return false;
    }
    if (version != JOURNAL_FORMAT_VERSION || features < 0) {
        diag_error(dg, "%s:1: unsupported journal version %d", journal_path, version);
        json_decref(head);
        free(buf);
        return false;
    }
    snprintf(info->target, sizeof info->target, "%s", name);
    snprintf(info->target_sha256, sizeof info->target_sha256, "%s", sha);
    snprintf(info->written, sizeof info->written, "%s", written);
    info->features = (size_t)features;
    json_decref(head);

    char now_sha[HASH_SHA256_HEX_LEN + 1] = "";
    if (access(target, F_OK) == 0) {
        struct diag *hash_dg = diag_new();
        if (!hash_file_sha256(target, now_sha, hash_dg))
            now_sha[0] = '\0';
        diag_free(hash_dg);
    }
    info->target_changed = strcmp(now_sha, info->target_sha256) != 0;

    /* The body's line numbers start after the header: name it so. */
    char body_name[4200];
    snprintf(body_name, sizeof body_name, "%s (after its header line)", journal_path);
    struct annot_set *set = NULL;
    bool ok = gjson_read_buffer(body_name, eol + 1, len - (size_t)(eol + 1 - buf), &set, dg);
    free(buf);
    if (!ok)
        return false;
    if (annot_count(set) != info->features) {
        diag_error(dg, "%s: header says %zu features, body has %zu (journal damaged)",
                   journal_path, info->features, annot_count(set));
        annot_set_free(set);
        return false;
    }
    *out = set;
    return true;
}

bool journal_remove(const char *journal_path, struct diag *dg)
{
    if (unlink(journal_path) != 0 && errno != ENOENT) {
        diag_error(dg, "%s: cannot delete: %s", journal_path, strerror(errno));
        return false;
    }
    return true;
}

bool journal_due(uint64_t generation_now, uint64_t generation_written, bool unsaved,
                 double now_s, double last_write_s, double interval_s)
{
    return unsaved && generation_now != generation_written && now_s - last_write_s >= interval_s;
}
