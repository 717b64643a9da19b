/*
 * jsontext — see jsontext.h.
 */
#include "jsontext.h"

#include <string.h>

size_t jsontext_skip_ws(const char *t, size_t len, size_t pos)
{
    while (pos < len && (t[pos] == ' ' || t[pos] == '\t' || t[pos] == '\n' || t[pos] == '\r'))
        pos++;
    return pos;
}

/* pos at an opening quote; returns the position after the closing quote. */
static size_t jsontext_skip_string(const char *t, size_t len, size_t pos)
{
    for (pos++; pos < len; pos++) {
        if (t[pos] == '\\')
            pos++;
        else if (t[pos] == '"')
            return pos + 1;
    }
    return len;
}

size_t jsontext_skip_value(const char *t, size_t len, size_t pos)
{
    if (pos >= len)
        return len;
    if (t[pos] == '"')
        return jsontext_skip_string(t, len, pos);
    if (t[pos] != '{' && t[pos] != '[') {
        while (pos < len && !strchr(",]} \t\r\n", t[pos]))
            pos++;
        return pos;
    }
    size_t depth = 0;
    while (pos < len) {
        char c = t[pos];
        if (c == '"') {
            pos = jsontext_skip_string(t, len, pos);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (--depth == 0)
                return pos + 1;
        }
        pos++;
    }
    return len;
}

bool jsontext_locate(const char *t, size_t len, const struct jsontext_path *path,
                     size_t first, size_t *offset)
{
    size_t pos = jsontext_skip_ws(t, len, 0);
    size_t depth = path->depth < JSONTEXT_MAX_DEPTH ? path->depth : JSONTEXT_MAX_DEPTH;
    for (size_t s = first; s < depth; s++) {
        const struct jsontext_step *st = &path->steps[s];
        if (st->key) {
            if (pos >= len || t[pos] != '{')
                return false;
            pos++;
            size_t klen = strlen(st->key);
            for (;;) {
                pos = jsontext_skip_ws(t, len, pos);
                if (pos >= len || t[pos] != '"')
                    return false;
                size_t kstart = pos + 1;
                pos = jsontext_skip_string(t, len, pos);
                bool match = pos - 1 - kstart == klen && memcmp(t + kstart, st->key, klen) == 0;
                pos = jsontext_skip_ws(t, len, pos);
                if (pos >= len || t[pos] != ':')
                    return false;
                pos = jsontext_skip_ws(t, len, pos + 1);
                if (match)
                    break;
                pos = jsontext_skip_ws(t, len, jsontext_skip_value(t, len, pos));
                if (pos >= len || t[pos] != ',')
                    return false;
                pos++;
            }
        } else {
            if (pos >= len || t[pos] != '[')
                return false;
            pos = jsontext_skip_ws(t, len, pos + 1);
            for (size_t i = 0; i < st->index; i++) {
                pos = jsontext_skip_ws(t, len, jsontext_skip_value(t, len, pos));
                if (pos >= len || t[pos] != ',')
                    return false;
                pos = jsontext_skip_ws(t, len, pos + 1);
            }
        }
    }
    *offset = pos;
    return true;
}

void jsontext_advance(const char *t, struct jsontext_cursor *c, size_t offset)
{
    int l = c->line, col = c->column;
    for (size_t i = c->offset; i < offset; i++) {
        unsigned char ch = (unsigned char)t[i];
        if (ch == '\n') {
            l++;
            col = 1;
        } else if ((ch & 0xC0) != 0x80) {
            col++;
        }
    }
    *c = (struct jsontext_cursor){offset, l, col};
}


bool jsontext_find_array(const char *t, size_t len, const char *key, size_t *start,
                         size_t *end)
{
    struct jsontext_path path = {.depth = 1};
    path.steps[0] = (struct jsontext_step){key, 0};
    size_t at;
    if (!jsontext_locate(t, len, &path, 0, &at) || at >= len || t[at] != '[')
        return false;
    size_t e = jsontext_skip_value(t, len, at);
    if (e > len || e <= at || t[e - 1] != ']')
        return false;
    *start = at;
    *end = e;
    return true;
}
