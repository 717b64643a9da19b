/*
 * vscript — see vscript.h. A straightforward line tokenizer: every command
 * has a fixed number of numeric words plus optional trailing words, checked
 * here so the viewer never sees a malformed command. The file is read whole
 * with a size cap (VSCRIPT_MAX_COMMANDS lines of VSCRIPT_MAX_LINE bytes).
 */
#include "vscript.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rfile.h"

struct vscript {
    struct vscript_cmd *cmds;
    size_t n, cap;
};

static const struct {
    const char *name;
    enum vscript_op op;
} op_names[] = {
    {"click", VSCRIPT_CLICK},   {"click-lonlat", VSCRIPT_CLICK_LONLAT},
    {"dblclick", VSCRIPT_DBLCLICK}, {"move", VSCRIPT_MOVE},
    {"drag", VSCRIPT_DRAG},     {"wheel", VSCRIPT_WHEEL},
    {"key", VSCRIPT_KEY},       {"text", VSCRIPT_TEXT},
    {"wait", VSCRIPT_WAIT},     {"wait-idle", VSCRIPT_WAIT_IDLE},
    {"wait-file", VSCRIPT_WAIT_FILE},
    {"screenshot", VSCRIPT_SCREENSHOT}, {"quit", VSCRIPT_QUIT},
    {"print", VSCRIPT_PRINT},
    {"gcp", VSCRIPT_GCP},       {"gcp-undo", VSCRIPT_GCP_UNDO},
    {"gcp-delete", VSCRIPT_GCP_DELETE},
    {"georef-method", VSCRIPT_GEOREF_METHOD}, {"georef-save", VSCRIPT_GEOREF_SAVE},
};

const char *vscript_op_name(enum vscript_op op)
{
    for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
        if (op_names[i].op == op)
            return op_names[i].name;
    return "?";
}

void vscript_free(struct vscript *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->cmds[i].text);
    free(s->cmds);
    free(s);
}

size_t vscript_count(const struct vscript *s) { return s->n; }

const struct vscript_cmd *vscript_at(const struct vscript *s, size_t i) { return &s->cmds[i]; }

static char *dup_string(const char *src, size_t len)
{
    char *out = malloc(len + 1);
    if (out) {
        memcpy(out, src, len);
        out[len] = '\0';
    }
    return out;
}

/* Splits line (modified in place) into at most max words; returns the count. */
static size_t split_words(char *line, char **words, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        words[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static bool parse_number(const char *word, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(word, &end);
    if (end == word || *end != '\0' || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool parse_button(const char *word, enum vscript_button *out)
{
    if (strcmp(word, "left") == 0 || strcmp(word, "1") == 0)
        *out = VSCRIPT_LEFT;
    else if (strcmp(word, "middle") == 0 || strcmp(word, "2") == 0)
        *out = VSCRIPT_MIDDLE;
    else if (strcmp(word, "right") == 0 || strcmp(word, "3") == 0)
        *out = VSCRIPT_RIGHT;
    else
        return false;
    return true;
}

static bool parse_mod(const char *word, size_t len, unsigned *mods)
{
    if ((len == 4 && strncasecmp(word, "ctrl", 4) == 0) ||
        (len == 7 && strncasecmp(word, "control", 7) == 0))
        *mods |= VSCRIPT_MOD_CTRL;
    else if (len == 5 && strncasecmp(word, "shift", 5) == 0)
        *mods |= VSCRIPT_MOD_SHIFT;
    else if (len == 3 && strncasecmp(word, "alt", 3) == 0)
        *mods |= VSCRIPT_MOD_ALT;
    else
        return false;
    return true;
}

/* "ctrl+shift+z" or "z" then optional "ctrl+shift": the key name (a '+'
 * alone or at the end is the plus key) and the modifiers. */
static bool parse_key(const char *name, const char *mods_word, char **key_out, unsigned *mods,
                      const char **why)
{
    *mods = 0;
    const char *key = name;
    for (;;) {
        const char *plus = strchr(key, '+');
        if (!plus || plus == key || plus[1] == '\0')
            break;
        if (!parse_mod(key, (size_t)(plus - key), mods)) {
            *why = "unknown modifier (use ctrl, shift, alt)";
            return false;
        }
        key = plus + 1;
    }
    if (mods_word) {
        const char *m = mods_word;
        while (*m) {
            const char *plus = strchr(m, '+');
            size_t len = plus ? (size_t)(plus - m) : strlen(m);
            if (!parse_mod(m, len, mods)) {
                *why = "unknown modifier (use ctrl, shift, alt)";
                return false;
            }
            m += len + (plus ? 1 : 0);
        }
    }
    *key_out = dup_string(key, strlen(key));
    if (!*key_out) {
        *why = "out of memory";
        return false;
    }
    return true;
}

static bool need_numbers(char **words, size_t first, size_t count, double *out[])
{
    for (size_t i = 0; i < count; i++)
        if (!parse_number(words[first + i], out[i]))
            return false;
    return true;
}

/* Parses one non-empty, non-comment line into cmd; false with *why set. */
static bool parse_line(char *line, struct vscript_cmd *cmd, const char **why)
{
    /* `text` keeps the rest of the line verbatim (spaces included). */
    if (strncmp(line, "text", 4) == 0 && (line[4] == ' ' || line[4] == '\t' || !line[4])) {
        cmd->op = VSCRIPT_TEXT;
        const char *rest = line[4] ? line + 5 : line + 4;
        if (!*rest) {
            *why = "text needs a string";
            return false;
        }
        cmd->text = dup_string(rest, strlen(rest));
        if (!cmd->text) {
            *why = "out of memory";
            return false;
        }
        return true;
    }
    char *words[8];
    size_t n = split_words(line, words, 8);
    size_t i;
    for (i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
        if (strcmp(words[0], op_names[i].name) == 0)
            break;
    if (i == sizeof op_names / sizeof op_names[0]) {
        *why = "unknown command";
        return false;
    }
    cmd->op = op_names[i].op;
    cmd->button = VSCRIPT_LEFT;
    switch (cmd->op) {
    case VSCRIPT_CLICK:
    case VSCRIPT_CLICK_LONLAT:
    case VSCRIPT_DBLCLICK: {
        double *nums[] = {&cmd->x, &cmd->y};
        if (n < 3 || n > 4 || !need_numbers(words, 1, 2, nums)) {
            *why = "expected two numbers and an optional button";
            return false;
        }
        if (n == 4 && !parse_button(words[3], &cmd->button)) {
            *why = "button must be left, middle or right";
            return false;
        }
        if (cmd->op == VSCRIPT_CLICK_LONLAT &&
            (fabs(cmd->x) > 180 || fabs(cmd->y) > 90)) {
            *why = "longitude or latitude out of range";
            return false;
        }
        return true;
    }
    case VSCRIPT_MOVE: {
        double *nums[] = {&cmd->x, &cmd->y};
        if (n != 3 || !need_numbers(words, 1, 2, nums)) {
            *why = "expected X Y";
            return false;
        }
        return true;
    }
    case VSCRIPT_DRAG: {
        double *nums[] = {&cmd->x, &cmd->y, &cmd->x2, &cmd->y2};
        if (n < 5 || n > 6 || !need_numbers(words, 1, 4, nums)) {
            *why = "expected X1 Y1 X2 Y2 and an optional button";
            return false;
        }
        if (n == 6 && !parse_button(words[5], &cmd->button)) {
            *why = "button must be left, middle or right";
            return false;
        }
        return true;
    }
    case VSCRIPT_WHEEL: {
        double *nums[] = {&cmd->x, &cmd->y, &cmd->dy};
        if (n != 4 || !need_numbers(words, 1, 3, nums)) {
            *why = "expected X Y DY";
            return false;
        }
        return true;
    }
    case VSCRIPT_KEY:
        if (n < 2 || n > 3) {
            *why = "expected a key name and optional modifiers";
            return false;
        }
        return parse_key(words[1], n == 3 ? words[2] : NULL, &cmd->text, &cmd->mods, why);
    case VSCRIPT_WAIT: {
        double ms;
        if (n != 2 || !parse_number(words[1], &ms) || ms < 0 || ms > 3600000) {
            *why = "expected milliseconds (0..3600000)";
            return false;
        }
        cmd->ms = (int)ms;
        return true;
    }
    case VSCRIPT_SCREENSHOT:
    case VSCRIPT_PRINT:
    case VSCRIPT_WAIT_FILE:
        if (n != 2) {
            *why = cmd->op == VSCRIPT_PRINT ? "expected what to print (one word)"
                                            : "expected one file name (no spaces)";
            return false;
        }
        cmd->text = dup_string(words[1], strlen(words[1]));
        if (!cmd->text) {
            *why = "out of memory";
            return false;
        }
        return true;
    case VSCRIPT_WAIT_IDLE:
    case VSCRIPT_QUIT:
        if (n != 1) {
            *why = "takes no arguments";
            return false;
        }
        return true;
    case VSCRIPT_GCP: {
        double *nums[] = {&cmd->x, &cmd->y, &cmd->x2, &cmd->y2};
        if (n != 5 || !need_numbers(words, 1, 4, nums)) {
            *why = "expected PX PY LON LAT";
            return false;
        }
        if (fabs(cmd->x2) > 180 || fabs(cmd->y2) > 90) {
            *why = "longitude or latitude out of range";
            return false;
        }
        return true;
    }
    case VSCRIPT_GCP_UNDO:
        if (n != 1) {
            *why = "takes no arguments";
            return false;
        }
        return true;
    case VSCRIPT_GCP_DELETE: {
        double *nums[] = {&cmd->x};
        if (n != 2 || !need_numbers(words, 1, 1, nums) || cmd->x < 1 ||
            cmd->x != floor(cmd->x)) {
            *why = "expected a pair number (1, 2, ...)";
            return false;
        }
        return true;
    }
    case VSCRIPT_GEOREF_METHOD:
    case VSCRIPT_GEOREF_SAVE:
        if (n != 2 && !(n == 1 && cmd->op == VSCRIPT_GEOREF_SAVE)) {
            *why = cmd->op == VSCRIPT_GEOREF_METHOD ? "expected poly1, poly2, poly3 or tps"
                                                    : "expected at most one file name";
            return false;
        }
        if (n == 2 && !(cmd->text = dup_string(words[1], strlen(words[1])))) {
            *why = "out of memory";
            return false;
        }
        return true;
    case VSCRIPT_TEXT:
        break;
    }
    *why = "unknown command";
    return false;
}

struct vscript *vscript_parse(const char *name, const char *text, struct diag *dg)
{
    struct vscript *s = calloc(1, sizeof *s);
    char *line = malloc(VSCRIPT_MAX_LINE + 1);
    if (!s || !line) {
        free(line);
        free(s);
        diag_error(dg, "%s: out of memory", name);
        return NULL;
    }
    const char *p = text;
    int lineno = 0;
    while (*p) {
        lineno++;
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > VSCRIPT_MAX_LINE) {
            diag_error(dg, "%s:%d: line longer than %d bytes", name, lineno, VSCRIPT_MAX_LINE);
            goto fail;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (eol ? 1 : 0);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        char *start = line;
        while (*start == ' ' || *start == '\t')
            start++;
        if (!*start || *start == '#')
            continue;
        if (s->n == VSCRIPT_MAX_COMMANDS) {
            diag_error(dg, "%s:%d: more than %d commands", name, lineno, VSCRIPT_MAX_COMMANDS);
            goto fail;
        }
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            struct vscript_cmd *grown = realloc(s->cmds, cap * sizeof *grown);
            if (!grown) {
                diag_error(dg, "%s: out of memory", name);
                goto fail;
            }
            s->cmds = grown;
            s->cap = cap;
        }
        struct vscript_cmd *cmd = &s->cmds[s->n];
        memset(cmd, 0, sizeof *cmd);
        cmd->line = lineno;
        const char *why = NULL;
        char first_word[32] = "";
        sscanf(start, "%31s", first_word);
        if (!parse_line(start, cmd, &why)) {
            free(cmd->text);
            diag_error(dg, "%s:%d: %s: %s", name, lineno, first_word, why);
            goto fail;
        }
        s->n++;
    }
    free(line);
    return s;
fail:
    free(line);
    vscript_free(s);
    return NULL;
}

struct vscript *vscript_read_file(const char *path, struct diag *dg)
{
    FILE *f = rfile_open(path, 0, NULL, dg);
    if (!f)
        return NULL;
    const size_t cap = (size_t)VSCRIPT_MAX_COMMANDS * 64;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        diag_error(dg, "%s: out of memory", path);
        return NULL;
    }
    size_t len = fread(buf, 1, cap + 1, f);
    bool read_error = ferror(f);
    fclose(f);
    if (read_error) {
        free(buf);
        diag_error(dg, "%s: read error", path);
        return NULL;
    }
    if (len > cap) {
        free(buf);
        diag_error(dg, "%s: script larger than %zu bytes", path, cap);
        return NULL;
    }
    if (memchr(buf, '\0', len)) {
        free(buf);
        diag_error(dg, "%s: not a text file (NUL byte)", path);
        return NULL;
    }
    buf[len] = '\0';
    struct vscript *s = vscript_parse(path, buf, dg);
    free(buf);
    return s;
}
