/*
 * imagery — the imagery register of an investigation (imagery.json): which
 * raster files the marks rest on, hashed at collection, with when each was
 * acquired, who supplied it, under what licence, and whether it is synthetic.
 *
 * Why: a mark is evidence only if a reader can prove which file it was made
 * on and what that file is. The register is written once per tile when the
 * tile is collected (`satmark imagery add`) and read by every output that
 * must say what imagery it rests on (exports, figures, reports).
 *
 * Invariants:
 *   - Every entry has a unique id, a unique SHA-256 (64 lowercase hex), a
 *     size and a `file` path relative to the register's directory (or
 *     absolute). Strings are never NULL ("" when unknown).
 *   - A tile whose metadata says SATMARK_SYNTHETIC=YES is registered
 *     synthetic; imagery_add_tile refuses to register it as real, and
 *     imagery_check_entry reports a real entry whose file says synthetic.
 *   - `acquired` is "" or an ISO 8601 date (YYYY-MM-DD) or UTC time
 *     (YYYY-MM-DDTHH:MM[:SS]Z); `acquired_from` is "metadata" or "given" when
 *     acquired is set, "" otherwise. The tile itself is never modified.
 *   - Reading is strict: a malformed register fails with "FILE: images[i]
 *     (id): reason", never a partial register. Writing is atomic (safefile).
 * The format is documented in docs/formats.md ("Imagery register").
 */
#ifndef SATMARK_IMAGERY_H
#define SATMARK_IMAGERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "hash.h"

#define IMAGERY_FORMAT_VERSION 1
#define IMAGERY_DEFAULT_NAME "imagery.json"

/* One registered file. All strings are owned by the register. */
struct imagery_entry {
    char *id, *file, *sha256, *acquired, *acquired_from, *provider, *sensor, *licence, *credit,
        *source_url, *added_by, *added_at;
    double gsd_m; /* ground sample distance in metres; <= 0 unknown (null in JSON) */
    uint64_t size;
    bool synthetic;
};

struct imagery_register;

/* New empty register that will be written to path (borrowed; copied). NULL
 * only on out of memory (with a message on dg). Free with imagery_register_free. */
struct imagery_register *imagery_register_new(const char *path, struct diag *dg);
/* Reads and validates path (borrowed). On success *out is a new register
 * (caller frees); on failure *out is NULL and dg names the file, the entry
 * and the reason. */
bool imagery_register_read(const char *path, struct imagery_register **out, struct diag *dg);
/* Atomically writes reg to its path. */
bool imagery_register_write(const struct imagery_register *reg, struct diag *dg);
/* Accepts NULL. */
void imagery_register_free(struct imagery_register *reg);

/* The path the register was read from / will be written to; borrowed. */
const char *imagery_register_path(const struct imagery_register *reg);
size_t imagery_count(const struct imagery_register *reg);
/* Entry i (< imagery_count); borrowed until the register changes or is freed. */
const struct imagery_entry *imagery_at(const struct imagery_register *reg, size_t i);
/* Lookups; borrowed results, NULL when absent. reg may be NULL (no register). */
const struct imagery_entry *imagery_find_sha256(const struct imagery_register *reg,
                                                const char *sha256);
const struct imagery_entry *imagery_find_id(const struct imagery_register *reg, const char *id);
/* Matches on the base name of the entry's file; basename may itself be a path
 * (only its last component is compared). First match in register order. */
const struct imagery_entry *imagery_find_file(const struct imagery_register *reg,
                                              const char *basename);

/* The entry as the JSON object written in the register (members in the
 * documented order); a new jansson reference (caller decrefs), NULL on out
 * of memory or invalid UTF-8. Declared with jansson's struct tag so this
 * header does not need jansson.h. */
struct json_t *imagery_entry_to_json(const struct imagery_entry *e);

/* How an observation (image file name + sha256) rests on the register. */
enum imagery_match {
    IMAGERY_MATCH_NONE = 0,   /* unregistered */
    IMAGERY_MATCH_SHA256 = 1, /* same SHA-256: the exact file registered */
    IMAGERY_MATCH_NAME = 2,   /* only the file name matches: weaker, the file may differ */
};
/* The entry an observation rests on: same sha256, else same file base name.
 * image and sha256 are borrowed and may be NULL or "". *how (may be NULL)
 * says which rule matched. Borrowed result, NULL when unregistered. */
const struct imagery_entry *imagery_match(const struct imagery_register *reg, const char *image,
                                          const char *sha256, enum imagery_match *how);
/* "sha256", "file name", "unregistered". */
const char *imagery_match_name(enum imagery_match how);

/* Path of the entry's file as usable from the current directory (the
 * register's directory joined with a relative `file`) into out. False when it
 * does not fit. */
bool imagery_entry_path(const struct imagery_register *reg, const struct imagery_entry *e,
                        char *out, size_t cap);

/* Path of the register for an annotation file or directory (borrowed):
 * imagery.json beside the file (or inside the directory). True and the path in
 * out when that file exists; false (out = "") otherwise. */
bool imagery_register_locate(const char *annot_path, char *out, size_t cap);

/* True for "" (unknown), YYYY-MM-DD and YYYY-MM-DDTHH:MM[:SS[.fff]]Z with
 * plausible field ranges. */
bool imagery_acquired_valid(const char *s);

enum imagery_synthetic_choice {
    IMAGERY_SYNTHETIC_AUTO = 0, /* synthetic when the metadata says so */
    IMAGERY_SYNTHETIC_YES,      /* --synthetic: always synthetic */
    IMAGERY_SYNTHETIC_NO,       /* --real: refused when the metadata says synthetic */
};

/* What the user says about a tile being added. Strings borrowed; NULL or ""
 * = not given. Initialise with imagery_add_options_init. */
struct imagery_add_options {
    const char *id;       /* default: the file's base name without extension */
    const char *acquired; /* ISO 8601; default: from the metadata */
    const char *provider, *sensor, *licence, *credit, *source_url;
    const char *by;       /* added_by; default: custody_default_who() */
    double gsd_m;         /* <= 0: unknown */
    enum imagery_synthetic_choice synthetic;
    bool replace;         /* replace an entry with the same id (e.g. a regenerated tile) */
};
void imagery_add_options_init(struct imagery_add_options *opt);

/* What imagery_add_tile did. */
enum imagery_add_kind {
    IMAGERY_ADDED = 0,  /* a new entry */
    IMAGERY_REPLACED,   /* opt->replace: the entry with the same id now describes this file
                           (or the same file described anew) */
    IMAGERY_UNCHANGED,  /* opt->replace with the very file registered, described alike:
                           nothing changed (re-running a registration script is a no-op) */
};
struct imagery_add_outcome {
    enum imagery_add_kind kind;
    char old_sha256[HASH_SHA256_HEX_LEN + 1]; /* REPLACED/UNCHANGED: the entry's previous hash */
    bool fetch_record; /* TILE.stac.json (written by `satmark fetch` for this very file)
                          supplied what the options left out */
};

/* Opens tile_path (borrowed) read-only, hashes it, reads its acquisition time
 * and synthetic flag from the metadata and adds an entry to reg (in memory;
 * call imagery_register_write to save). Refuses: a tile that is not a
 * readable raster, an id or SHA-256 already registered (unless opt->replace
 * and the id matches), real registration of a synthetic tile, a malformed
 * --acquired. What the options leave out (provider, licence, source URL,
 * GSD, and the acquisition time when the file's metadata lacks it) is taken
 * from TILE.stac.json, the record `satmark fetch` writes beside a fetched
 * file, when that record's SHA-256 is this file's (else it is ignored with a
 * warning). Returns the entry (borrowed; valid until reg changes) or NULL
 * with the reason on dg; opt may be NULL (defaults); outcome (may be NULL)
 * says what happened. */
const struct imagery_entry *imagery_add_tile(struct imagery_register *reg, const char *tile_path,
                                             const struct imagery_add_options *opt,
                                             struct imagery_add_outcome *outcome,
                                             struct diag *dg);

enum imagery_file_state {
    IMAGERY_FILE_OK = 0,
    IMAGERY_FILE_CHANGED,        /* SHA-256 (or size) differs from the register */
    IMAGERY_FILE_MISSING,        /* no file at the path */
    IMAGERY_FILE_UNREADABLE,     /* exists but cannot be read (reason on dg) */
    IMAGERY_FILE_SYNTHETIC_REAL, /* registered real but the file's metadata says synthetic */
};
/* "ok", "changed", "missing", "unreadable", "synthetic registered as real". */
const char *imagery_file_state_name(enum imagery_file_state s);

/* Re-hashes entry i's file; its current hash goes to actual ("" when none).
 * Problems other than OK are also described on dg as a warning naming the
 * entry and the file. */
enum imagery_file_state imagery_check_entry(const struct imagery_register *reg, size_t i,
                                            char actual[HASH_SHA256_HEX_LEN + 1],
                                            struct diag *dg);

#endif
