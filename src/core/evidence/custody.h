/*
 * custody — the append-only custody log beside an imagery register
 * (imagery.custody.jsonl): one JSON object a line saying who did what, when,
 * to which files (with their SHA-256), chained by hash.
 *
 * Line format (docs/formats.md, "Custody log"):
 *   {"seq":N,"at":"YYYY-MM-DDTHH:MM:SSZ","who":"...","action":"add",
 *    "what":"...","files":[{"name":"...","sha256":"..."}],"prev":"<hex>"}
 * seq counts lines from 1; prev is the SHA-256 of the previous line's bytes
 * without its newline (64 zeros for seq 1). So a line that is edited,
 * deleted, inserted or moved breaks the chain at the next line (or at
 * itself, through seq), and custody_verify names that line. The last line
 * is covered once another line follows it; every `imagery verify` appends
 * one, and custody_verify returns the head hash so it can be recorded
 * elsewhere.
 *
 * Appending is safe against concurrent appenders, threads or processes: the
 * file is opened O_APPEND and held under an exclusive flock() while the last
 * line is read and the new line written in one write(). Nothing ever
 * rewrites the file.
 */
#ifndef SATMARK_CUSTODY_H
#define SATMARK_CUSTODY_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "hash.h"

#define CUSTODY_TIME_LEN 20 /* "YYYY-MM-DDTHH:MM:SSZ" */
#define CUSTODY_WHO_MAX 128

/* Appends one entry to log_path (created if missing). names and sha256s are
 * nfiles borrowed strings each (sha256s[i] 64 lowercase hex, or "" when the
 * file could not be hashed); who/action/what borrowed (who NULL = default).
 * action: a lowercase word ("add", "verify", "export", "figure", "fetch",
 * "georef"). Fails, writing nothing, when the log's last line is not a
 * complete custody entry. */
bool custody_append(const char *log_path, const char *who, const char *action, const char *what,
                    const char *const *names, const char *const *sha256s, size_t nfiles,
                    struct diag *dg);

/* An open, exclusively locked log for several steps that must not interleave
 * with other writers (e.g. read register, add, write register, append).
 * New handle (created if missing); free with custody_close. */
struct custody_log;
struct custody_log *custody_open(const char *log_path, struct diag *dg);
bool custody_log_append(struct custody_log *log, const char *who, const char *action,
                        const char *what, const char *const *names, const char *const *sha256s,
                        size_t nfiles, struct diag *dg);
/* Unlocks, closes and frees; accepts NULL. */
void custody_close(struct custody_log *log);

/* Checks every line of log_path: JSON object, fields present, seq = line
 * number, prev = SHA-256 of the previous line. On success *entries (may be
 * NULL) is the number of lines. On failure dg says "FILE:LINE: reason"
 * naming the first broken line (further breaks are warnings). A missing file
 * fails. */
bool custody_verify(const char *log_path, size_t *entries, struct diag *dg);
/* As custody_verify, also giving the SHA-256 of the last line (head; 64 zeros
 * for an empty log) in head (caller's buffer). */
bool custody_verify_head(const char *log_path, size_t *entries,
                         char head[HASH_SHA256_HEX_LEN + 1], struct diag *dg);

/* For each of the n SHA-256s (borrowed), whether an "add" entry of the log
 * lists it: found[i] (caller's array of n). Lines that are not valid entries
 * are skipped (custody_verify reports them). False when the log cannot be
 * read. */
bool custody_find_added(const char *log_path, const char *const *sha256s, size_t n, bool *found,
                        struct diag *dg);

/* The custody log path for a register path (borrowed): "DIR/NAME.json" ->
 * "DIR/NAME.custody.jsonl". False when it does not fit in cap. */
bool custody_log_path(const char *register_path, char *out, size_t cap);

/* False when the installed settings say so (settings.h: custody_records,
 * false when $SATMARK_NO_CUSTODY is set to a non-empty value): exports and
 * figures then append nothing (the test suite sets it so that running the
 * tests never writes into the bundled annotations/imagery.custody.jsonl).
 * `imagery add` and `imagery verify` ignore it: recording is what they do. */
bool custody_recording_enabled(void);

/* Who is acting: the settings' user ($SATMARK_USER), else the login name,
 * else the user name of the effective uid, else the settings' login_env
 * ($USER), else "unknown"; into out (cap bytes, truncated). */
void custody_default_who(char *out, size_t cap);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
void custody_utc_now(char out[CUSTODY_TIME_LEN + 1]);

#endif
