/*
 * custody — see custody.h. The chain is over the exact bytes of each line,
 * so verification never depends on how jansson formats JSON; lines are
 * written compact (JSON_COMPACT, keys in the documented order) so a reader
 * can diff them.
 *
 * Appending under flock(): flock locks belong to an open file description,
 * so two threads of one process that each open the log exclude each other as
 * two processes do (fcntl locks would not). The last line is found by reading
 * backwards from the end in bounded chunks, so appending costs the same
 * whatever the log's length.
 */
#define _DEFAULT_SOURCE /* flock() */
#include "custody.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "settings.h"

/* A custody line longer than this is not something satmark wrote. */
#define CUSTODY_MAX_LINE (4L * 1024 * 1024)
/* Nor a log larger than this (millions of entries): refused rather than read. */
#define CUSTODY_MAX_FILE (1LL << 30)

static const char zero_hash[HASH_SHA256_HEX_LEN + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct custody_log {
    char *path;
    int fd;
};

void custody_utc_now(char out[CUSTODY_TIME_LEN + 1])
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || strftime(out, CUSTODY_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, CUSTODY_TIME_LEN + 1, "1970-01-01T00:00:00Z");
}

bool custody_recording_enabled(void)
{
    return settings_get()->custody_records;
}

void custody_default_who(char *out, size_t cap)
{
    if (cap == 0)
        return;
    const struct satmark_settings *set = settings_get();
    const char *who = set->user;
    if (!who || !*who)
        who = getlogin();
    if (!who || !*who) {
        struct passwd *pw = getpwuid(geteuid());
        who = pw ? pw->pw_name : NULL;
    }
    if (!who || !*who)
        who = set->login_env;
    if (!who || !*who)
        who = "unknown";
    snprintf(out, cap, "%s", who);
}

bool custody_log_path(const char *register_path, char *out, size_t cap)
{
    size_t len = strlen(register_path);
    static const char ext[] = ".json";
    size_t stem = len;
    if (len >= sizeof ext - 1 && strcmp(register_path + len - (sizeof ext - 1), ext) == 0)
        stem = len - (sizeof ext - 1);
    int n = snprintf(out, cap, "%.*s.custody.jsonl", (int)stem, register_path);
    return n >= 0 && (size_t)n < cap;
}

/* ---- locked handle -------------------------------------------------------- */

struct custody_log *custody_open(const char *log_path, struct diag *dg)
{
    /* O_NONBLOCK so a FIFO planted at the path cannot hang the open; the
     * type check below then refuses it. */
    int fd = open(log_path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
    if (fd < 0) {
        diag_error(dg, "%s: cannot open custody log: %s", log_path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        diag_error(dg, "%s: custody log is not a regular file", log_path);
        close(fd);
        return NULL;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            diag_error(dg, "%s: cannot lock custody log: %s", log_path, strerror(errno));
            close(fd);
            return NULL;
        }
    }
    struct custody_log *log = calloc(1, sizeof *log);
    if (!log || !(log->path = strdup(log_path))) {
        free(log);
        close(fd);
        diag_error(dg, "%s: out of memory", log_path);
        return NULL;
    }
    log->fd = fd;
    return log;
}

void custody_close(struct custody_log *log)
{
    if (!log)
        return;
    (void)flock(log->fd, LOCK_UN);
    close(log->fd);
    free(log->path);
    free(log);
}

/* Reads the last line of fd (without its newline) into a new buffer (*line,
 * caller frees; NULL when the file is empty). False with a message when the
 * file does not end with a newline (an incomplete line) or cannot be read. */
static bool read_last_line(int fd, const char *path, char **line, size_t *len, struct diag *dg)
{
    *line = NULL;
    *len = 0;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        diag_error(dg, "%s: cannot stat: %s", path, strerror(errno));
        return false;
    }
    off_t end = st.st_size;
    if (end == 0)
        return true;
    char last;
    if (pread(fd, &last, 1, end - 1) != 1) {
        diag_error(dg, "%s: cannot read: %s", path, strerror(errno));
        return false;
    }
    if (last != '\n') {
        diag_error(dg, "%s: the last line is incomplete (no newline): the log was cut or "
                       "edited; nothing appended", path);
        return false;
    }
    /* walk back from the byte before the final newline to the previous one */
    off_t stop = end - 1, start = 0;
    char chunk[4096];
    for (off_t pos = stop; pos > 0 && stop - pos < CUSTODY_MAX_LINE;) {
        size_t want = pos > (off_t)sizeof chunk ? sizeof chunk : (size_t)pos;
        ssize_t got = pread(fd, chunk, want, pos - (off_t)want);
        if (got != (ssize_t)want) {
            diag_error(dg, "%s: cannot read: %s", path, got < 0 ? strerror(errno) : "short read");
            return false;
        }
        char *nl = NULL;
        for (size_t i = want; i-- > 0;)
            if (chunk[i] == '\n') {
                nl = chunk + i;
                break;
            }
        if (nl) {
            start = pos - (off_t)want + (nl - chunk) + 1;
            break;
        }
        pos -= (off_t)want;
    }
    if (stop - start > CUSTODY_MAX_LINE) {
        diag_error(dg, "%s: the last line is longer than %ld bytes: not a custody log", path,
                   CUSTODY_MAX_LINE);
        return false;
    }
    size_t n = (size_t)(stop - start);
    char *buf = malloc(n + 1);
    if (!buf) {
        diag_error(dg, "%s: out of memory", path);
        return false;
    }
    if (n > 0 && pread(fd, buf, n, start) != (ssize_t)n) {
        free(buf);
        diag_error(dg, "%s: cannot read: %s", path, strerror(errno));
        return false;
    }
    buf[n] = '\0';
    *line = buf;
    *len = n;
    return true;
}

static bool action_valid(const char *action)
{
    if (!action || !*action || strlen(action) > 32)
        return false;
    for (const char *p = action; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '-' || *p == '_'))
            return false;
    return true;
}

static int put(json_t *obj, const char *key, json_t *value)
{
    return value ? json_object_set_new(obj, key, value) : -1;
}

bool custody_log_append(struct custody_log *log, const char *who, const char *action,
                        const char *what, const char *const *names, const char *const *sha256s,
                        size_t nfiles, struct diag *dg)
{
    if (!action_valid(action)) {
        diag_error(dg, "%s: custody action \"%s\" is not a lowercase word", log->path,
                   action ? action : "");
        return false;
    }
    char *last = NULL;
    size_t last_len = 0;
    if (!read_last_line(log->fd, log->path, &last, &last_len, dg))
        return false;
    json_int_t seq = 1;
    char prev[HASH_SHA256_HEX_LEN + 1];
    memcpy(prev, zero_hash, sizeof prev);
    if (last) {
        json_error_t err;
        json_t *obj = json_loadb(last, last_len, 0, &err);
        json_t *s = obj ? json_object_get(obj, "seq") : NULL;
        if (!json_is_integer(s) || json_integer_value(s) < 1 ||
            json_integer_value(s) > (json_int_t)1 << 53) {
            diag_error(dg, "%s: the last line is not a custody entry (no \"seq\"); nothing "
                           "appended", log->path);
            json_decref(obj);
            free(last);
            return false;
        }
        seq = json_integer_value(s) + 1;
        json_decref(obj);
        hash_buffer_sha256(last, last_len, prev);
        free(last);
    }
    char now[CUSTODY_TIME_LEN + 1], who_buf[CUSTODY_WHO_MAX];
    custody_utc_now(now);
    if (!who || !*who) {
        custody_default_who(who_buf, sizeof who_buf);
        who = who_buf;
    }
    json_t *line = json_object();
    json_t *files = json_array();
    int bad = !line || !files;
    bad |= put(line, "seq", json_integer(seq));
    bad |= put(line, "at", json_string(now));
    bad |= put(line, "who", json_string(who));
    bad |= put(line, "action", json_string(action));
    bad |= put(line, "what", json_string(what ? what : ""));
    for (size_t i = 0; i < nfiles && files; i++) {
        json_t *f = json_object();
        bad |= !f;
        bad |= put(f, "name", json_string(names[i] ? names[i] : ""));
        bad |= put(f, "sha256", json_string(sha256s && sha256s[i] ? sha256s[i] : ""));
        bad |= json_array_append_new(files, f);
    }
    bad |= json_object_set(line, "files", files);
    bad |= put(line, "prev", json_string(prev));
    json_decref(files);
    char *text = bad ? NULL : json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(line);
    if (!text) {
        /* json_string refuses invalid UTF-8: name the likely cause */
        diag_error(dg, "%s: cannot format custody entry (a name or text is not valid UTF-8?)",
                   log->path);
        return false;
    }
    size_t n = strlen(text);
    text[n] = '\n'; /* json_dumps' NUL becomes the newline: one write() for the line */
    ssize_t wrote;
    do
        wrote = write(log->fd, text, n + 1);
    while (wrote < 0 && errno == EINTR);
    free(text);
    if (wrote != (ssize_t)(n + 1)) {
        diag_error(dg, "%s: cannot append custody entry: %s", log->path,
                   wrote < 0 ? strerror(errno) : "short write");
        return false;
    }
    if (fsync(log->fd) != 0 && errno != EINVAL && errno != EROFS) {
        diag_error(dg, "%s: cannot sync custody log: %s", log->path, strerror(errno));
        return false;
    }
    return true;
}

bool custody_append(const char *log_path, const char *who, const char *action, const char *what,
                    const char *const *names, const char *const *sha256s, size_t nfiles,
                    struct diag *dg)
{
    struct custody_log *log = custody_open(log_path, dg);
    if (!log)
        return false;
    bool ok = custody_log_append(log, who, action, what, names, sha256s, nfiles, dg);
    custody_close(log);
    return ok;
}

/* ---- verification --------------------------------------------------------- */

static bool is_string_member(json_t *obj, const char *key)
{
    return json_is_string(json_object_get(obj, key));
}

/* Checks one line's shape; returns a static reason or NULL when it is fine. */
static const char *line_shape_problem(json_t *obj)
{
    if (!json_is_object(obj))
        return "not a JSON object";
    if (!json_is_integer(json_object_get(obj, "seq")))
        return "\"seq\" missing or not an integer";
    if (!is_string_member(obj, "at") || !is_string_member(obj, "who") ||
        !is_string_member(obj, "action") || !is_string_member(obj, "what") ||
        !is_string_member(obj, "prev"))
        return "\"at\", \"who\", \"action\", \"what\" and \"prev\" must be strings";
    if (!action_valid(json_string_value(json_object_get(obj, "action"))))
        return "\"action\" is not a lowercase word";
    json_t *files = json_object_get(obj, "files");
    if (!json_is_array(files))
        return "\"files\" missing or not an array";
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f) {
        if (!json_is_object(f) || !is_string_member(f, "name") || !is_string_member(f, "sha256"))
            return "\"files\" entries must be {\"name\", \"sha256\"}";
        const char *h = json_string_value(json_object_get(f, "sha256"));
        if (*h && !hash_is_sha256_hex(h))
            return "a file's \"sha256\" is not 64 lowercase hex digits";
    }
    return NULL;
}

/* Records one problem: the first is the error, later ones warnings. */
static void problem(struct diag *dg, size_t *count, const char *path, size_t line,
                    const char *fmt, const char *detail)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, detail);
    if ((*count)++ == 0)
        diag_error(dg, "%s:%zu: %s", path, line, msg);
    else
        diag_warn(dg, "%s:%zu: %s", path, line, msg);
}

bool custody_verify_head(const char *log_path, size_t *entries,
                         char head[HASH_SHA256_HEX_LEN + 1], struct diag *dg)
{
    if (entries)
        *entries = 0;
    if (head)
        memcpy(head, zero_hash, HASH_SHA256_HEX_LEN + 1);
    int fd = open(log_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        diag_error(dg, "%s: %s%s", log_path, strerror(errno),
                   errno == ENOENT ? " (the custody log was deleted or never started)" : "");
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        diag_error(dg, "%s: custody log is not a regular file", log_path);
        close(fd);
        return false;
    }
    if ((long long)st.st_size > CUSTODY_MAX_FILE) {
        diag_error(dg, "%s: %lld bytes: larger than any custody log satmark writes (limit %lld)",
                   log_path, (long long)st.st_size, CUSTODY_MAX_FILE);
        close(fd);
        return false;
    }
    while (flock(fd, LOCK_SH) != 0 && errno == EINTR)
        ;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        diag_error(dg, "%s: %s", log_path, strerror(errno));
        close(fd);
        return false;
    }
    char prev[HASH_SHA256_HEX_LEN + 1];
    memcpy(prev, zero_hash, sizeof prev);
    char *line = NULL;
    size_t cap = 0, lineno = 0, problems = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (got > CUSTODY_MAX_LINE) {
            problem(dg, &problems, log_path, lineno, "%s",
                    "line longer than any custody entry satmark writes");
            break;
        }
        size_t len = (size_t)got;
        bool complete = line[len - 1] == '\n';
        if (complete)
            len--;
        char here[HASH_SHA256_HEX_LEN + 1];
        hash_buffer_sha256(line, len, here);
        if (!complete)
            problem(dg, &problems, log_path, lineno,
                    "%s", "incomplete last line (no newline): the log was cut or edited");
        if (memchr(line, '\0', len)) {
            problem(dg, &problems, log_path, lineno, "%s", "contains a NUL byte");
        } else {
            json_error_t err;
            json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
            const char *shape = obj ? line_shape_problem(obj) : NULL;
            if (!obj)
                problem(dg, &problems, log_path, lineno, "not JSON: %s", err.text);
            else if (shape)
                problem(dg, &problems, log_path, lineno, "%s", shape);
            else {
                json_int_t seq = json_integer_value(json_object_get(obj, "seq"));
                const char *p = json_string_value(json_object_get(obj, "prev"));
                if (seq != (json_int_t)lineno) {
                    char detail[64];
                    snprintf(detail, sizeof detail, "%lld", (long long)seq);
                    problem(dg, &problems, log_path, lineno,
                            "\"seq\" is %s: a line was deleted, inserted or moved here", detail);
                }
                if (strcmp(p, prev) != 0) {
                    if (lineno == 1)
                        problem(dg, &problems, log_path, lineno, "%s",
                                "\"prev\" of the first line is not 64 zeros: lines before it "
                                "were removed");
                    else {
                        char detail[32];
                        snprintf(detail, sizeof detail, "%zu", lineno - 1);
                        problem(dg, &problems, log_path, lineno,
                                "\"prev\" does not match line %s: that line was edited, or a "
                                "line was deleted, inserted or moved", detail);
                    }
                }
            }
            json_decref(obj);
        }
        memcpy(prev, here, sizeof prev);
        if (problems > 50)
            break;
    }
    bool read_error = ferror(f);
    free(line);
    fclose(f); /* releases the lock */
    if (read_error) {
        diag_error(dg, "%s: read error", log_path);
        return false;
    }
    if (entries)
        *entries = lineno;
    if (head)
        memcpy(head, prev, HASH_SHA256_HEX_LEN + 1);
    return problems == 0;
}

bool custody_verify(const char *log_path, size_t *entries, struct diag *dg)
{
    return custody_verify_head(log_path, entries, NULL, dg);
}

bool custody_find_added(const char *log_path, const char *const *sha256s, size_t n, bool *found,
                        struct diag *dg)
{
    for (size_t i = 0; i < n; i++)
        found[i] = false;
    int fd = open(log_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (long long)st.st_size > CUSTODY_MAX_FILE) {
        diag_error(dg, "%s: %s", log_path,
                   fd < 0 ? strerror(errno) : "not a regular file of a plausible size");
        if (fd >= 0)
            close(fd);
        return false;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        diag_error(dg, "%s: %s", log_path, strerror(errno));
        close(fd);
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, f)) > 0) {
        json_error_t err;
        json_t *obj = json_loadb(line, (size_t)got, 0, &err);
        json_t *action = json_object_get(obj, "action");
        if (json_is_string(action) && strcmp(json_string_value(action), "add") == 0) {
            size_t k;
            json_t *file;
            json_array_foreach(json_object_get(obj, "files"), k, file) {
                const char *h = json_string_value(json_object_get(file, "sha256"));
                for (size_t i = 0; h && i < n; i++)
                    if (sha256s[i] && strcmp(sha256s[i], h) == 0)
                        found[i] = true;
            }
        }
        json_decref(obj);
    }
    free(line);
    fclose(f);
    return true;
}
