/*
 * xmlesc — see xmlesc.h. Runs of plain bytes are appended in one call.
 */
#include "xmlesc.h"

#include <string.h>

bool xmlesc_append(struct dynbuf *out, const char *s, enum xmlesc_mode mode)
{
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        const char *rep;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\n': rep = mode == XMLESC_HTML ? "<br/>" : NULL; break;
        default: rep = c < 0x20 && c != '\t' && c != '\r' ? " " : NULL;
        }
        if (!rep)
            continue;
        dynbuf_append(out, run, (size_t)(s - run));
        dynbuf_append_str(out, rep);
        run = s + 1;
    }
    return dynbuf_append(out, run, (size_t)(s - run));
}
